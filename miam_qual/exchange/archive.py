"""A ``.qdpx`` archive opened for reading: an untrusted zip, checked (sizes, entries that would
escape its folder) and read member by member, never extracted to disk."""

from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path

from ..errors import UnreadableFile
from ..sources.limits import MAX_MEMBER_BYTES, check_archive


class Archive:
    """A ``.qdpx`` zip opened for reading, member by member (never extracted to disk)."""

    def __init__(self, path: Path):
        self.path = path
        self.label = f"« {path.name} »"
        check_archive(path, kind=".qdpx")
        try:
            self.zip = zipfile.ZipFile(path)
            members = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
            raise UnreadableFile(
                f"{self.label} : archive endommagée, ou ce n'est pas un projet REFI-QDA (.qdpx). "
                "Exportez à nouveau le projet depuis le logiciel d'origine."
            ) from None
        self.members: dict[str, zipfile.ZipInfo] = {}
        for member in members:
            name = member.filename.replace("\\", "/")
            parts = name.split("/")
            if name.startswith("/") or ".." in parts or (parts and parts[0].endswith(":")):
                raise UnreadableFile(
                    f"{self.label} : l'élément « {member.filename} » sort du dossier de l'archive "
                    "(chemin absolu ou « .. ») : archive refusée par sécurité."
                )
            if not member.is_dir():
                self.members[posixpath.normpath(name).casefold()] = member

    def close(self) -> None:
        self.zip.close()

    def read(self, member: zipfile.ZipInfo, *, limit: int = MAX_MEMBER_BYTES) -> bytes:
        if member.file_size > limit:
            raise UnreadableFile(
                f"{self.label}, élément « {member.filename} » : trop volumineux "
                f"({member.file_size:,} octets ; au plus {limit:,}).".replace(",", " ")
            )
        try:
            return self.zip.read(member)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError) as err:
            raise UnreadableFile(
                f"{self.label}, élément « {member.filename} » : illisible ({err}). Exportez à "
                "nouveau le projet depuis le logiciel d'origine."
            ) from None

    def project_xml(self) -> tuple[str, bytes]:
        """The name and bytes of the project XML: ``project.qde``, else the one ``*.qde``."""
        found = self.members.get("project.qde")
        if found is None:
            candidates = [m for n, m in self.members.items() if n.endswith(".qde") and "/" not in n]
            if len(candidates) != 1:
                what = "aucun fichier .qde" if not candidates else "plusieurs fichiers .qde"
                raise UnreadableFile(
                    f"{self.label} : {what} à la racine de l'archive ; un projet REFI-QDA en "
                    "contient un (project.qde). Ce n'est pas un export .qdpx complet."
                )
            found = candidates[0]
        return found.filename, self.read(found)

    def source(self, reference: str) -> zipfile.ZipInfo | None:
        """The member a ``plainTextPath``/``path`` names (``internal://x``, or ``x`` alone)."""
        name = reference.strip()
        for prefix in ("internal://", "internal:"):
            if name.casefold().startswith(prefix):
                name = name[len(prefix) :]
                break
        name = name.replace("\\", "/").lstrip("/")
        for candidate in (f"sources/{name}", name):
            found = self.members.get(posixpath.normpath(candidate).casefold())
            if found is not None:
                return found
        return None
