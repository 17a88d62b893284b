"""Root pytest configuration, loaded for ``tests/`` and ``notebooks/`` alike.

Notebooks (run by nbval) open the project named by ``MIAM_PROJET``. Point them at a private,
freshly built copy of the demo project so a test run never touches the user's ``demo_projet/``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest


def pytest_configure(config: pytest.Config) -> None:
    wants_notebooks = any("notebook" in str(a) or str(a).endswith(".ipynb") for a in config.args)
    if wants_notebooks and "MIAM_PROJET" not in os.environ:
        from miam_qual.demo import build_demo

        target = Path(tempfile.mkdtemp(prefix="miam_nb_")) / "demo_projet"
        build_demo(target, quiet=True).close()
        os.environ["MIAM_PROJET"] = str(target)
