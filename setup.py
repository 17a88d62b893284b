"""Build step that puts the demo material into the wheel (everything else is in pyproject.toml).

The repository keeps the demo material where users look for it: ``corpus/``, ``codebooks/`` and
``demo/`` at the top. ``miam-qual demo`` must also work from an installed wheel, so the build copies
those three folders into ``miam_qual/demo_data/`` of the built package; nothing is duplicated in
the repository. An editable install reads them from the repository instead (``miam_qual.demo``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
#: Folders of the repository that ``miam-qual demo`` reads, copied as package data.
DEMO_FOLDERS = ("corpus", "codebooks", "demo")


class BuildWithDemoData(build_py):
    """``build_py`` that also copies the demo folders into ``miam_qual/demo_data/``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "miam_qual" / "demo_data"
        shutil.rmtree(target, ignore_errors=True)
        for name in DEMO_FOLDERS:
            shutil.copytree(
                ROOT / name, target / name, ignore=shutil.ignore_patterns(".*", "__pycache__")
            )


setup(cmdclass={"build_py": BuildWithDemoData})
