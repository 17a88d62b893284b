"""Per-machine preferences of the workbench, kept out of projects: the coder's name (shared by the
coding and codebook panels) and where exports go by default.

The folder is ``$MIAM_CONFIG_DIR`` when set (tests point it at a scratch folder), else
``~/.config/miam_qual``. A preference that cannot be read is treated as absent. Exports go into
the project's ``exports/`` folder, one dated folder per kind (``exports/2026-12-02_rapports``), or
under ``$MIAM_EXPORTS/<project folder>/`` when that variable is set.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from ..errors import MiamError
from ..fileio import atomic_write_text

CODER_FILE = "codeur.json"
SHORTCUTS_FILE = "raccourcis.json"


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


#: What a panel says when nobody has given their name yet (never taken from the system login).
ASK_NAME = (
    "Indiquez d'abord votre nom dans le champ « Codeur » et validez : il signe vos codages et "
    "vos changements, et il est demandé une seule fois sur cette machine."
)


def known_coder() -> str:
    """The name that signs this machine's work: the coder chosen last on this machine, else
    ``$MIAM_CODEUR``, else ``""`` (the panels then ask for it; the system login is never used,
    since it says nothing about who codes: ``root``, ``utilisateur``…)."""
    return (saved_coder() or os.environ.get("MIAM_CODEUR") or "").strip()


def save_coder(name: str) -> Path:
    """Remember ``name`` as this machine's coder; returns the file written. Raises ``OSError``."""
    folder = config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / CODER_FILE
    atomic_write_text(path, json.dumps({"codeur": name}, ensure_ascii=False) + "\n")
    return path


def remember_coder(name: str) -> str:
    """``save_coder`` for the panels: ``""`` when ``name`` is remembered, else a French note
    saying it could not be (the name still signs this panel's work; the next panel asks again)."""
    try:
        save_coder(name)
    except (OSError, MiamError) as err:
        reason = err.strerror if isinstance(err, OSError) else str(err)
        return f" (nom non mémorisé sur cette machine : {reason})"
    return ""


def export_root(project_root: Path) -> Path:
    """Where the export forms write by default: ``<project>/exports``, or
    ``$MIAM_EXPORTS/<project folder>`` when ``MIAM_EXPORTS`` is set."""
    configured = os.environ.get("MIAM_EXPORTS")
    root = Path(project_root)
    return Path(configured) / root.name if configured else root / "exports"


def export_folder(project_root: Path, kind: str, day: dt.date | None = None) -> Path:
    """The default folder for exports of ``kind`` (``"rapports"``, ``"radio"``…) made on ``day``
    (default: today): ``<export_root>/<YYYY-MM-DD>_<kind>``. A second export of the same kind on
    the same day replaces the first. Nothing is created here."""
    return export_root(project_root) / f"{(day or dt.date.today()).isoformat()}_{kind}"


def pinned_shortcuts(project_root: Path) -> dict[int, str]:
    """Keys (1–9) this machine's user pinned to codes of the project at ``project_root``."""
    try:
        data = json.loads((config_dir() / SHORTCUTS_FILE).read_text(encoding="utf-8"))
        mine = data.get(str(Path(project_root).resolve()), {})
        return {int(k): str(v) for k, v in mine.items()}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


def pin_shortcut(project_root: Path, key: int, code_id: str | None) -> Path:
    """Pin ``code_id`` to ``key`` for the project (``None`` unpins); returns the file written.
    Raises ``OSError``."""
    path = config_dir() / SHORTCUTS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        data = data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        data = {}
    project = str(Path(project_root).resolve())
    mine = {k: v for k, v in dict(data.get(project) or {}).items() if v != code_id}
    if code_id is None:
        mine.pop(str(key), None)
    else:
        mine[str(key)] = code_id
    data[project] = mine
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    return path
