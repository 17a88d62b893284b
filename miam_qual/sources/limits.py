"""Size limits for source files, checked before a reader spends memory on them.

Measured on this code: reading a 20 MB ``.txt`` transcript takes about 300 MB of memory (the text,
its normalised copy and one unit per paragraph and turn); a ``.docx`` or ``.odt`` needs about 18
times the size of its XML. The limits below keep the worst accepted file around one gigabyte of
memory while staying far above real fieldwork material:

- ``MAX_TEXT_BYTES`` (50 MB): a text file (``.txt``, ``.md``, ``.vtt``, ``.srt``, ``.csv``) or the
  text extracted from a ``.docx``/``.odt``. 50 MB is about 8 million words, a hundred times the
  longest transcript of a day-long workshop.
- ``MAX_FRONT_MATTER_BYTES`` (64 kB): the YAML header of a ``.md`` file lists a few attributes.
- Zipped formats (``.docx``, ``.odt``, ``.xlsx``) are checked by :func:`check_archive` before
  python-docx, odfpy or openpyxl open them: at most ``MAX_MEMBERS`` members, each at most
  ``MAX_MEMBER_BYTES`` once decompressed, ``MAX_ARCHIVE_BYTES`` in all, and no member above
  1 MB compressed more than ``MAX_RATIO`` times (office XML compresses 5 to 30 times; a
  "zip bomb" about 1,000 times). The sizes an archive declares can lie and ``zipfile`` trusts
  them (it decompresses a whole member in one call before cutting it to the declared size), so
  every member is also decompressed once here, in 1 MB steps, and refused as soon as it yields
  more than it declared.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

from miam_qual.errors import UnreadableFile
from miam_qual.text import quote_name

__all__ = [
    "MAX_TEXT_BYTES",
    "MAX_FRONT_MATTER_BYTES",
    "MAX_MEMBERS",
    "MAX_MEMBER_BYTES",
    "MAX_ARCHIVE_BYTES",
    "MAX_RATIO",
    "read_bytes",
    "check_text",
    "check_archive",
]

MAX_TEXT_BYTES = 50_000_000
MAX_FRONT_MATTER_BYTES = 64_000
MAX_MEMBERS = 10_000
MAX_MEMBER_BYTES = 64_000_000
MAX_ARCHIVE_BYTES = 256_000_000
MAX_RATIO = 100
_RATIO_FLOOR = 1_000_000  # smaller members cannot cost much, whatever their ratio
_STEP = 1 << 20
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature … name length, extra length


def megabytes(size: int) -> str:
    """``12 345 678`` → ``"12,3 Mo"`` (French decimal comma)."""
    return f"{size / 1_000_000:.1f} Mo".replace(".", ",")


def read_bytes(path: Path) -> bytes:
    """The bytes of a text source file; raises ``UnreadableFile`` above ``MAX_TEXT_BYTES``
    without reading it."""
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_TEXT_BYTES:
        raise _too_big_text(path.name, size)
    with path.open("rb") as handle:
        data = handle.read(MAX_TEXT_BYTES + 1)  # the file may have grown since stat()
    if len(data) > MAX_TEXT_BYTES:
        raise _too_big_text(path.name, len(data))
    return data


def check_text(name: str, text: str) -> None:
    """Refuse a document whose text (decoded or extracted) exceeds ``MAX_TEXT_BYTES``."""
    if len(text) > MAX_TEXT_BYTES:
        raise UnreadableFile(
            f"{quote_name(name)} : texte trop long ({len(text):,} caractères ; au plus "
            f"{MAX_TEXT_BYTES:,}). Découpez le document en plusieurs fichiers.".replace(",", " ")
        )


def _too_big_text(name: str, size: int) -> UnreadableFile:
    return UnreadableFile(
        f"{quote_name(name)} : fichier trop volumineux ({megabytes(size)} ; au plus "
        f"{megabytes(MAX_TEXT_BYTES)} pour un document texte). Vérifiez qu'il s'agit bien d'un "
        "document d'enquête, ou découpez-le en plusieurs fichiers."
    )


def check_archive(path: Path, *, kind: str) -> None:
    """Refuse a ``.docx``/``.odt``/``.xlsx`` archive that would cost too much to open.

    ``kind`` names the format in messages (``".docx"``). Raises ``UnreadableFile`` naming the file
    and, when one is at fault, the member: too many members, a member or the whole too large once
    decompressed, a suspicious compression ratio, a member that yields more than it declares, an
    encrypted member or an unusual compression method. A file that is not a zip archive at all
    is left to the reader, which reports it in its own words.
    """
    path = Path(path)
    name = quote_name(path.name)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return  # not a zip archive: the reader says "archive endommagée ou pas un fichier …"
    if len(members) > MAX_MEMBERS:
        raise UnreadableFile(
            f"{name} : archive de {len(members):,} éléments (au plus {MAX_MEMBERS:,}) : ce n'est "
            f"pas un fichier {kind} ordinaire.".replace(",", " ")
        )
    total = 0
    for member in members:
        where = f"{name}, élément « {member.filename} »"
        if member.flag_bits & 0x1:
            raise UnreadableFile(
                f"{where} : chiffré (protégé par un mot de passe). Enregistrez le document sans "
                "mot de passe avant de l'importer."
            )
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UnreadableFile(
                f"{where} : méthode de compression inhabituelle pour un fichier {kind}. "
                f"Rouvrez-le et enregistrez-le à nouveau au format {kind}."
            )
        size = member.file_size
        if size > MAX_MEMBER_BYTES:
            raise _too_big_member(where, size, kind)
        total += size
        if total > MAX_ARCHIVE_BYTES:
            raise UnreadableFile(
                f"{name} : plus de {megabytes(MAX_ARCHIVE_BYTES)} une fois décompressé (atteint à "
                f"l'élément « {member.filename} ») : ce n'est pas un fichier {kind} ordinaire. "
                "Retirez les images ou vidéos qu'il contient, ou découpez-le."
            )
        if size > _RATIO_FLOOR and size > MAX_RATIO * max(member.compress_size, 1):
            ratio = size // max(member.compress_size, 1)
            raise UnreadableFile(
                f"{where} : compressé {ratio} fois (au plus {MAX_RATIO}) : un texte réel ne se "
                "compresse pas autant ; ce fichier ressemble à une « bombe » de décompression et "
                "n'est pas ouvert."
            )
    try:
        with path.open("rb") as raw:
            for member in members:
                _inflate_within(raw, member, name=name, kind=kind)
    except OSError as err:
        raise UnreadableFile(f"{name} : lecture impossible ({err.strerror or err}).") from None


def _inflate_within(raw, member: zipfile.ZipInfo, *, name: str, kind: str) -> None:
    """Decompress ``member`` in 1 MB steps; refuse it once it yields more than it declares."""
    where = f"{name}, élément « {member.filename} »"
    broken = UnreadableFile(
        f"{where} : archive endommagée. Rouvrez le document et enregistrez-le à nouveau au "
        f"format {kind}."
    )
    raw.seek(member.header_offset)
    header = raw.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size:
        raise broken
    signature, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    if signature != b"PK\x03\x04":
        raise broken
    raw.seek(member.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
    if member.compress_type == zipfile.ZIP_STORED:
        if member.compress_size != member.file_size:
            raise _lying(where)
        return
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    left, produced = member.compress_size, 0
    try:
        while True:
            if inflater.unconsumed_tail:
                data = inflater.unconsumed_tail
            elif left > 0:
                data = raw.read(min(_STEP, left))
                if not data:
                    raise broken
                left -= len(data)
            else:
                break
            produced += len(inflater.decompress(data, _STEP))
            if produced > member.file_size:
                raise _lying(where)
            if inflater.eof:
                break
    except zlib.error:
        raise broken from None


def _lying(where: str) -> UnreadableFile:
    return UnreadableFile(
        f"{where} : contient plus de données qu'il n'en annonce (archive piégée ou endommagée). "
        "Le fichier n'est pas ouvert."
    )


def _too_big_member(where: str, size: int, kind: str) -> UnreadableFile:
    return UnreadableFile(
        f"{where} : trop volumineux une fois décompressé ({megabytes(size)} ; au plus "
        f"{megabytes(MAX_MEMBER_BYTES)}) : ce n'est pas un fichier {kind} ordinaire."
    )
