"""Where the official REFI-QDA schemas are (no tests here).

The QDA-XML 1.0 schemas (``Project.xsd``, ``Codebook.xsd``) are not part of this repository: they
live beside it, in ``<repo>/../shared/refi-qda/``, or wherever the environment variable
``MIAM_REFI_QDA`` points. Without them the validation tests skip, saying how to get them; in CI
(``MIAM_CI=1``) a skip fails the run (see the root ``conftest.py``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ENV = "MIAM_REFI_QDA"


def schema_dir() -> Path:
    """``$MIAM_REFI_QDA`` when set, else ``<repo>/../shared/refi-qda``."""
    configured = os.environ.get(ENV)
    return Path(configured) if configured else REPO.parent / "shared" / "refi-qda"


def schema_path(name: str = "Project.xsd") -> Path:
    """The schema file ``name``; skips the test (with how to get it) when it is absent."""
    path = schema_dir() / name
    if not path.is_file():
        pytest.skip(
            f"schéma REFI-QDA absent ({path}) : placez Project.xsd et Codebook.xsd (QDA-XML 1.0, "
            f"dépôt openqda/refi-tools) dans {REPO.parent / 'shared' / 'refi-qda'} ou indiquez "
            f"leur dossier dans la variable {ENV}."
        )
    return path
