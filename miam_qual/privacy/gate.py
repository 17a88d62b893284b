"""The privacy gate: the one way a file leaves a project.

Every export — quotes for the radio, the exhibition, social networks and spreadsheets, the
supervisors' report in every format, the REFI-QDA archive, and any export added later — writes into
a *staging folder* inside its destination, then the gate reads back everything a reader could see
(``readback.readable_text``: text, file and folder names, document properties, comments, headers,
sheet titles, attachments, picture and audio metadata) together with the words the export drew into
pictures (``ExportGate.picture``). Only when no real name of the private mapping is found are the
files moved into place. Otherwise, or when the export fails for any reason, nothing of it remains,
and the French message names the file and the masked name (``A… B…``), never the name itself.

Usage::

    with ExportGate(project.root, "expo/", what="exposition") as gate:
        (gate.path / "panneaux.pdf").write_bytes(...)
        gate.picture("nuage de mots du panneau 1", words)
    gate.files   # the final paths, once moved into place

Also enforced here:

- no export goes into the project's private folder ``prive/``;
- re-exporting into the same folder removes the files the previous export wrote there and this one
  does not write again (a withdrawn consent takes its clip or card away), using a small manifest;
- a staging folder left by a killed process is removed by the next export into that destination;
- the staging folder is private to the user (0700) while it exists.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

from ..errors import ExportError
from ..text import fold
from .pseudonyms import PRIVATE_DIR, LeakError, Pseudonyms
from .readback import readable_text

__all__ = ["STAGING_PREFIX", "ExportGate", "LeakError", "check_destination"]

STAGING_PREFIX = ".miam_en_cours_"
MANIFEST = ".miam_export_{what}.json"


def check_destination(project_root: Path, destination: Path | str) -> Path:
    """``destination`` resolved, refused (``ExportError``) when it lies in ``prive/``."""
    target = Path(destination).expanduser().resolve()
    private = (Path(project_root) / PRIVATE_DIR).resolve()
    if target == private or private in target.parents:
        raise ExportError(
            f"« {target} » est dans le dossier privé {PRIVATE_DIR}/ du projet : aucun export ne "
            "peut y être écrit. Choisissez un autre dossier."
        )
    return target


class ExportGate:
    """Staging, read-back and moving into place for one export (see module docstring).

    ``destination``: the export folder, or with ``single_file=True`` the path of the one file the
    export writes (a report, a ``.qdpx``); the export then writes ``gate.target``.
    ``replace_previous``: remove the files a previous export of this kind wrote into the folder
    and this one does not write again (publication packages), see the module docstring.
    """

    def __init__(
        self,
        project_root: Path | str,
        destination: Path | str,
        *,
        what: str,
        pseudonyms: Pseudonyms | None = None,
        single_file: bool = False,
        replace_previous: bool = True,
    ):
        self.root = Path(project_root)
        self.destination = check_destination(self.root, destination)
        self.what = what
        self.pseudonyms = pseudonyms if pseudonyms is not None else Pseudonyms.load(self.root)
        self.single_file = single_file
        self.replace_previous = replace_previous and not single_file
        self.folder = self.destination.parent if single_file else self.destination
        self.path = self.folder / f"{STAGING_PREFIX}{uuid.uuid4().hex[:12]}"
        self.files: list[Path] = []
        self._pictures: list[tuple[str, str]] = []
        self._created_folder = False

    @property
    def target(self) -> Path:
        """Where a single-file export writes inside the staging folder."""
        return self.path / self.destination.name

    # -- life cycle -----------------------------------------------------------------------------
    def __enter__(self) -> ExportGate:
        if self.folder.exists() and not self.folder.is_dir():
            raise ExportError(f"« {self.folder} » existe et n'est pas un dossier.")
        self._created_folder = not self.folder.exists()
        self.folder.mkdir(parents=True, exist_ok=True)
        for stale in self.folder.glob(f"{STAGING_PREFIX}*"):  # left by a killed export
            shutil.rmtree(stale, ignore_errors=True)
        self.path.mkdir(mode=0o700)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is not None:
            self._discard()
            return
        try:
            self._check()
        except BaseException:
            self._discard()
            raise
        self._move_into_place()

    def picture(self, where: str, words: Iterable[str]) -> None:
        """Declare the words drawn into a picture (word cloud, chart labels) for the check."""
        self._pictures.append((where, "\n".join(str(w) for w in words)))

    # -- steps ----------------------------------------------------------------------------------
    def staged_files(self) -> list[Path]:
        return sorted(p for p in self.path.rglob("*") if p.is_file())

    def _check(self) -> None:
        """Read everything back; raise ``LeakError`` naming files and masked names."""
        pieces: list[tuple[str, str]] = list(self._pictures)
        for path in sorted(self.path.rglob("*")):
            relative = path.relative_to(self.path).as_posix()
            pieces.append((f"{relative} (nom de fichier)", relative))
            if path.is_file():
                pieces.extend(readable_text(path, label=relative))
        self.pseudonyms.guard(pieces, what=self.what)

    def _move_into_place(self) -> None:
        written = self.staged_files()
        relative = [p.relative_to(self.path) for p in written]
        previous = self._previous_manifest()
        for rel, source in zip(relative, written, strict=True):
            final = self.folder / rel
            final.parent.mkdir(parents=True, exist_ok=True)
            if final.is_dir():
                shutil.rmtree(final)
            os.replace(source, final)
            _plain_mode(final)
        shutil.rmtree(self.path, ignore_errors=True)
        kept = {r.as_posix() for r in relative}
        for old in previous - kept:  # files of the previous export into this folder, now gone
            stale = self.folder / old
            if stale.is_file():
                stale.unlink()
                _prune_empty(stale.parent, self.folder)
        if self.replace_previous:
            self._manifest().write_text(
                json.dumps({"export": self.what, "fichiers": sorted(kept)}, ensure_ascii=False),
                encoding="utf-8",
            )
        self.files = [self.folder / r for r in relative]

    def _previous_manifest(self) -> set[str]:
        if not self.replace_previous:
            return set()
        try:
            data = json.loads(self._manifest().read_text(encoding="utf-8"))
            return {str(f) for f in data.get("fichiers", []) if ".." not in Path(str(f)).parts}
        except (OSError, ValueError, AttributeError):
            return set()

    def _manifest(self) -> Path:
        """The list of files the previous export of this kind wrote here (one per kind)."""
        kind = "".join(c if c.isascii() and c.isalnum() else "_" for c in fold(self.what))
        return self.folder / MANIFEST.format(what=kind)

    def _discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        if self._created_folder:
            try:
                self.folder.rmdir()  # only when the export created it and it is empty
            except OSError:
                pass


def _plain_mode(path: Path) -> None:
    """Give a moved file the usual permissions (the staging folder is private)."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def _prune_empty(folder: Path, top: Path) -> None:
    while folder != top and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
