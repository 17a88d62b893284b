"""Decoding source bytes and normalising text, the two steps every text reader shares.

The normalised text is the reference for every offset in the project: no BOM, ``\\n`` line endings,
Unicode NFC. Nothing else is touched (NBSP, tabs and trailing spaces are kept).

Encoding detection never guesses silently: valid UTF-8 is UTF-8; a BOM decides UTF-8/UTF-16; a
single-byte file is Windows-1252 when it uses that code page's 0x80–0x9F characters and Latin-1
otherwise (the two agree there). Anything ambiguous or broken raises :class:`EncodingError` with
the byte offset (0-based, as a hex editor shows it) of the first offending byte.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from miam_qual.errors import EncodingError, UnreadableFile

__all__ = ["decode_bytes", "fold", "normalise_text", "quote_name", "slug"]

_ADVICE = "Réenregistrez-le en UTF-8 (Bloc-notes : Enregistrer sous… › Encodage UTF-8)."

# Bytes 0x80–0x9F that Windows-1252 leaves undefined (C1 controls in Latin-1): never text.
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
_HIGH_CONTROL_RANGE = re.compile(rb"[\x80-\x9f]")

# Well-formed UTF-8 multi-byte sequences whose character is one a French text plausibly holds
# (Latin-1 supplement and Latin Extended-A, combining accents, general punctuation, currency,
# letterlike symbols, dingbats, emoji). Accidental cp1252 pairs such as "É»" or "à\xa0«" decode to
# IPA or Samaritan code points, so restricting to these ranges keeps them from being taken for UTF-8.
_PLAUSIBLE_UTF8 = re.compile(
    rb"\xc2[\xa0-\xbf]|[\xc3-\xc5][\x80-\xbf]"  # U+00A0–U+017F
    rb"|\xcc[\x80-\xbf]|\xcd[\x80-\xaf]"  # U+0300–U+036F combining marks
    rb"|\xe2[\x80-\x87][\x80-\xbf]"  # U+2000–U+21FF punctuation, currency, letterlike, arrows
    rb"|\xe2[\x98-\x9e][\x80-\xbf]"  # U+2600–U+27BF symbols, dingbats
    rb"|\xf0\x9f[\x80-\xab][\x80-\xbf]"  # U+1F000–U+1FAFF emoji
)


def quote_name(filename: str) -> str:
    """Return the file name between French quotes, as every error message starts."""
    return f"« {filename} »"


def fold(text: str) -> str:
    """Lower case without accents or surrounding spaces, for case- and accent-insensitive
    matching (`` Hélène`` → ``helene``). Used wherever users type names, labels or choices."""
    decomposed = unicodedata.normalize("NFD", text.strip().casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae"})
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def excerpt(text: object, width: int = 60) -> str:
    """``text`` on one line (runs of blanks and line breaks as one space), cut with ``…`` beyond
    ``width`` characters; ``""`` for a missing text. For labels and status lines."""
    words = " ".join(text.split()) if isinstance(text, str) else ""
    return words if len(words) <= width else words[: width - 1] + "…"


def slug(text: str, *, prefix: str = "code", max_length: int = 40) -> str:
    """A lower-case ASCII name made from ``text``, for code ids and file names: ``"Prix trop
    élevés !"`` → ``"prix_trop_eleves"``, ``"Cœur du quartier"`` → ``"coeur_du_quartier"``.

    Accents are dropped and ligatures spelt out, every other run of characters becomes ``_``, the
    result is cut to ``max_length``. A name that would not start with a letter gets ``prefix_`` in
    front (``"2024 : bilan"`` → ``"code_2024_bilan"``); an empty one is ``prefix``.
    """
    folded = unicodedata.normalize("NFKD", text.casefold().translate(_LIGATURES))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii")
    words = _NOT_SLUG.sub("_", ascii_text).strip("_")[:max_length].strip("_")
    if not words or not words[0].isalpha():
        words = f"{prefix}_{words}".strip("_")
    return words


def normalise_text(s: str) -> str:
    """Return ``s`` without a leading BOM, with ``\\r\\n`` and lone ``\\r`` as ``\\n``, in NFC."""
    if s.startswith("\ufeff"):
        s = s[1:]
    if "\r" in s:
        s = s.replace("\r\n", "\n").replace("\r", "\n")
    if not unicodedata.is_normalized("NFC", s):
        s = unicodedata.normalize("NFC", s)
    return s


def _undecodable(filename: str, data: bytes, offset: int, reason: str) -> EncodingError:
    return EncodingError(
        f"{quote_name(filename)} : octet {offset} (0x{data[offset]:02X}) indécodable — {reason} "
        f"{_ADVICE}"
    )


def decode_bytes(data: bytes, *, filename: str) -> tuple[str, str]:
    """Decode a text file's bytes; return ``(text, encoding)``, the text without its BOM.

    ``encoding`` is one of ``"utf-8"``, ``"utf-8-sig"``, ``"utf-16"``, ``"cp1252"``, ``"latin-1"``.
    The text is not normalised (see :func:`normalise_text`).

    Raises :class:`UnreadableFile` for an empty (or whitespace-only) file or one holding NUL bytes
    outside UTF-16, and :class:`EncodingError` for bytes no supported encoding decodes safely.
    """
    name = quote_name(filename)
    if not data:
        raise UnreadableFile(f"{name} : le fichier est vide.")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not data.startswith(
        codecs.BOM_UTF32_LE
    ):
        try:
            text, encoding = data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as err:
            raise EncodingError(
                f"{name} : octet {err.start} indécodable — le fichier annonce de l'UTF-16 (BOM) "
                f"mais son contenu est tronqué ou endommagé. {_ADVICE}"
            ) from None
    elif (nul := data.find(b"\x00")) >= 0:
        raise UnreadableFile(
            f"{name} : octet {nul} nul — fichier binaire ? "
            "Seuls les fichiers texte (UTF-8, Windows-1252, UTF-16) sont lus."
        )
    else:
        text, encoding = _decode_8bit(data, filename)
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise UnreadableFile(f"{name} : le fichier ne contient aucun texte.")
    return text, encoding


def _decode_8bit(data: bytes, filename: str) -> tuple[str, str]:
    has_bom = data.startswith(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8"), ("utf-8-sig" if has_bom else "utf-8")
    except UnicodeDecodeError as err:
        first_bad = err.start
    if has_bom or _PLAUSIBLE_UTF8.search(data):
        raise _undecodable(
            filename,
            data,
            first_bad,
            "le fichier mélange de l'UTF-8 et un autre encodage (fichier endommagé ou recollé ?).",
        )
    undefined = _CP1252_UNDEFINED.search(data)
    if undefined:
        raise _undecodable(
            filename,
            data,
            undefined.start(),
            "le fichier n'est ni en UTF-8 ni en Windows-1252.",
        )
    if _HIGH_CONTROL_RANGE.search(data):
        return data.decode("cp1252"), "cp1252"
    return data.decode("latin-1"), "latin-1"
