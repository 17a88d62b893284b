"""Without Chromium the browser test skips with a French reason, unless CI requires it."""

from __future__ import annotations

from pathlib import Path

import pytest

from . import lab as lab_test


def test_missing_chromium_skips_or_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lab_test, "CHROMIUM", Path("/nulle/part/chromium"))
    monkeypatch.delenv("MIAM_NAVIGATEUR_REQUIS", raising=False)
    with pytest.raises(pytest.skip.Exception, match="Chromium absent"):
        lab_test.require_chromium()
    monkeypatch.setenv("MIAM_NAVIGATEUR_REQUIS", "1")
    with pytest.raises(pytest.fail.Exception, match="MIAM_NAVIGATEUR_REQUIS=1 exige"):
        lab_test.require_chromium()
