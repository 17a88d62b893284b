"""Shared fixtures: every test gets its own project folder, never a shared file.

- ``project``: a fresh empty project (MIAM attributes, the demo codebook, coders camille & karim).
- ``demo_project``: a private copy of the demo project (``built_demo``, from the root
  ``conftest.py``: built once per test run, shared by pytest-xdist workers, then copied).
- ``demo_source``: the repository's demo material (``corpus/``, ``codebooks/``, ``demo/``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from miam_qual import Project
from miam_qual.demo import REPO_ROOT

DATA = Path(__file__).parent / "data"


@pytest.fixture
def demo_project(built_demo: Path, tmp_path: Path):
    copy = tmp_path / "demo_projet"
    shutil.copytree(built_demo, copy)
    project = Project.open(copy)
    yield project
    project.close()


@pytest.fixture
def project(tmp_path: Path):
    project = Project.create(
        tmp_path / "projet",
        name="Projet de test",
        codebook=REPO_ROOT / "codebooks" / "livre_de_codes.yml",
    )
    project.add_coder("camille")
    project.add_coder("karim")
    yield project
    project.close()


@pytest.fixture
def demo_source() -> Path:
    return REPO_ROOT
