"""The retrieval view (notebook 03): a code's segments with their context, filters, paging, and
the jump back to the passage in the coding panel, on real project copies."""

from __future__ import annotations

from pathlib import Path

import pytest

from miam_qual import Project
from miam_qual.widgets import CodingSession


@pytest.fixture(autouse=True)
def private_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIAM_CONFIG_DIR", str(tmp_path / "config"))


def test_go_to_opens_the_document_and_selects_the_exact_span(demo_project: Project) -> None:
    session = CodingSession(demo_project, "stagiaire")
    row = demo_project.codings("prix", coder="karim").iloc[-1]
    assert row["document_id"] != session.document_id or len(session.documents) == 1
    span = session.go_to(row["document"], int(row["start"]), int(row["end"]), coder="karim")
    assert span == (row["start"], row["end"])
    assert session.document_id == row["document_id"] and session.selection == span
    assert session.selected_text == row["text"] and session.show_others
    assert row["document"] in session.status and session.status_level == "info"
    # a span outside the text is refused and the selection kept
    assert session.go_to(row["document_id"], 0, len(session.text) + 1) is None
    assert session.status_level == "erreur" and session.selection == span
    assert session.go_to("absent.txt", 0, 3) is None
    assert session.status_level == "erreur" and session.document_id == row["document_id"]
