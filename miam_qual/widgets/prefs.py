"""Per-machine preferences of the workbench, kept out of projects: the coder's name (shared by the
coding and codebook panels) and where exports go by default.

The folder is ``$MIAM_CONFIG_DIR`` when set (tests point it at a scratch folder), else
``~/.config/miam_qual``. A preference that cannot be read is treated as absent. Exports go under
``$MIAM_EXPORTS`` when set, else ``~/miam_exports``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..fileio import atomic_write_text

CODER_FILE = "codeur.json"


def config_dir() -> Path:
    """The folder holding this machine's miam_qual preferences."""
    configured = os.environ.get("MIAM_CONFIG_DIR")
    return Path(configured) if configured else Path.home() / ".config" / "miam_qual"


def saved_coder() -> str | None:
    """The coder chosen last on this machine, or ``None``."""
    try:
        data = json.loads((config_dir() / CODER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    name = data.get("codeur") if isinstance(data, dict) else None
    return name.strip() or None if isinstance(name, str) else None


def save_coder(name: str) -> Path:
    """Remember ``name`` as this machine's coder; returns the file written. Raises ``OSError``."""
    folder = config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / CODER_FILE
    atomic_write_text(path, json.dumps({"codeur": name}, ensure_ascii=False) + "\n")
    return path


def export_folder(project_root: Path, kind: str) -> Path:
    """The default folder for exports of ``kind`` (``"rapports"``…) from the project at
    ``project_root``: ``~/miam_exports/<project folder>/<kind>``, outside the project. Nothing is
    created here."""
    configured = os.environ.get("MIAM_EXPORTS")
    base = Path(configured) if configured else Path.home() / "miam_exports"
    return base / Path(project_root).name / kind
