"""Timed transcripts: WebVTT (``.vtt``) and SubRip (``.srt``).

The document's text is rebuilt from the cues by :func:`.timed.build_transcript` (one line per
speaker's run, ``Speaker : text``; one timecode per cue, one turn per run). The speaker comes from a
VTT voice tag (``<v Habitante 2>``) or a ``Speaker: text`` prefix; a cue without one continues the
current speaker's turn. Other tags and inline timestamps are removed, HTML entities decoded.

``NOTE`` blocks are ignored, except a
first ``NOTE`` block made only of ``key: value`` lines, whose pairs become attributes (``media``
also sets :attr:`SourceDocument.media`).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from miam_qual.errors import UnreadableFile
from miam_qual.sources.limits import read_bytes
from miam_qual.sources.model import SourceDocument
from miam_qual.sources.timed import Cue, build_transcript
from miam_qual.sources.turns import match_label
from miam_qual.text import decode_bytes, normalise_text, quote_name

__all__ = ["read_vtt", "read_srt"]

_VTT_TIME = r"(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})"
_SRT_TIME = r"(\d+):(\d{2}):(\d{2})[,.](\d{3})"
_VTT_TIMING = re.compile(rf"[ \t]*{_VTT_TIME}[ \t]+-->[ \t]+{_VTT_TIME}(?:[ \t].*)?")
_SRT_TIMING = re.compile(rf"[ \t]*{_SRT_TIME}[ \t]+-->[ \t]+{_SRT_TIME}(?:[ \t].*)?")
_VOICE = re.compile(r"<v(?:\.[^ \t>]*)?[ \t]+([^>]+)>")
_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")
_SPACES = re.compile(r"[ \t]+")
_KEY_VALUE = re.compile(r"([\w\- ]+?)[ \t]*:[ \t]*(.*)")


def read_vtt(path: Path) -> SourceDocument:
    """Read a WebVTT transcript. Raises :class:`UnreadableFile` naming the faulty line."""
    text, encoding = _decode(path)
    lines = text.split("\n")
    if not lines[0].startswith("WEBVTT") or lines[0][6:7] not in ("", " ", "\t"):
        raise UnreadableFile(
            f"{quote_name(path.name)} : ligne 1 : en-tête « WEBVTT » manquant — ce n'est pas un "
            "fichier WebVTT valide."
        )
    attributes: dict[str, str] = {}
    cues: list[Cue] = []
    blocks = list(_blocks(lines))
    for number, (first_line, block) in enumerate(blocks):
        if first_line == 1:
            continue  # the WEBVTT header block (header metadata is ignored)
        head = block[0]
        if head.startswith(("NOTE", "STYLE", "REGION")) and head.split(None, 1)[0] in (
            "NOTE",
            "STYLE",
            "REGION",
        ):
            if head.startswith("NOTE") and number == 1:
                attributes = _note_attributes([head[4:].strip(), *block[1:]])
            continue
        cues.append(_cue(path, first_line, block, _VTT_TIMING))
    return _build(path, cues, attributes, encoding)


def read_srt(path: Path) -> SourceDocument:
    """Read a SubRip transcript. Raises :class:`UnreadableFile` naming the faulty line."""
    text, encoding = _decode(path)
    cues = [_cue(path, first, block, _SRT_TIMING) for first, block in _blocks(text.split("\n"))]
    return _build(path, cues, {}, encoding)


def _decode(path: Path) -> tuple[str, str]:
    raw, encoding = decode_bytes(read_bytes(path), filename=path.name)
    return normalise_text(raw), encoding


def _blocks(lines: list[str]):
    """Yield ``(1-based line number, lines)`` for each run of non-blank lines."""
    block: list[str] = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            if not block:
                first = number
            block.append(line)
        elif block:
            yield first, block
            block = []
    if block:
        yield first, block


def _note_attributes(lines: list[str]) -> dict[str, str]:
    written = [line.strip() for line in lines if line.strip()]
    pairs = [m for m in map(_KEY_VALUE.fullmatch, written) if m is not None]
    if not written or len(pairs) != len(written):
        return {}
    return {m.group(1).strip(): m.group(2).strip() for m in pairs}


def _to_ms(groups: tuple[str | None, ...]) -> int:
    hours, minutes, seconds, millis = (int(g or 0) for g in groups)
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis


def _cue(path: Path, first_line: int, block: list[str], timing: re.Pattern[str]) -> Cue:
    # The timing line is the first line, or the second after a cue identifier / SRT number.
    position = 0 if "-->" in block[0] or len(block) == 1 else 1
    line = block[position]
    line_number = first_line + position
    if "-->" not in line:
        raise UnreadableFile(
            f"{quote_name(path.name)} : ligne {first_line} : bloc sans horodatage "
            f"« {block[0][:60]} » — chaque sous-titre doit avoir une ligne « début --> fin »."
        )
    m = timing.fullmatch(line)
    if m is None:
        raise UnreadableFile(
            f"{quote_name(path.name)} : ligne {line_number} : horodatage illisible « {line} » "
            "(attendu : 00:01:02.500 --> 00:01:05.000)."
        )
    begin, end = _to_ms(m.groups()[:4]), _to_ms(m.groups()[4:])
    if end < begin:
        raise UnreadableFile(
            f"{quote_name(path.name)} : ligne {line_number} : la fin précède le début « {line} »."
        )
    raw = " ".join(part.strip() for part in block[position + 1 :])
    voice = _VOICE.search(raw)
    speaker = voice.group(1).strip() if voice else None
    cue_text = _SPACES.sub(" ", html.unescape(_TAG.sub("", raw))).strip()
    if speaker is None:
        labelled = match_label(cue_text)
        if labelled is not None:
            speaker, prefix = labelled
            cue_text = cue_text[prefix:]
    return Cue(begin, end, cue_text, speaker)


def _build(
    path: Path, cues: list[Cue], attributes: dict[str, str], encoding: str
) -> SourceDocument:
    return build_transcript(
        path.name, cues, attributes=attributes, encoding=encoding, media=attributes.get("media")
    )
