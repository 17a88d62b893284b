"""Transcripts saved by transcription tools: noScribe (``.html``), oTranscribe (``.otr``),
Whisper, faster-whisper and WhisperX (``.json``).

- **noScribe** writes an HTML page whose ``<meta name="audio_source">`` names the recording and
  whose paragraphs hold one speaker's turn each, cut into segments
  ``<a name="ts_<start ms>_<end ms>_<speaker>">`` (the first one opens with ``S00:``, the label
  the user may have renamed; an optional grey ``[00:01:23]`` follows it). Paragraphs without a
  segment (the title and the header with the settings) are left out. Each segment is a cue.
- **oTranscribe** saves JSON: ``text`` is the transcript's HTML, where
  ``<span class="timestamp" data-timestamp="83.4">`` marks a time (seconds) and ``media`` names the
  recording. The text is read as a plain transcript (paragraphs, speaker labels typed by the
  user) timed by those marks, as :mod:`.marks` does for typed ones.
- **Whisper** (``--output_format json``), faster-whisper segments dumped as JSON and **WhisperX**:
  ``{"segments": [{"start", "end", "text", "speaker"?, "words"?: [{"word", "start", "end"}]}]}``
  (or the list of segments alone), times in seconds. Each segment is a cue; its words, when each has
  its times, give one timecode per word. The file names no recording.

Cues become the document through :func:`.timed.build_transcript` (``Speaker : text`` lines). Times
must never go back: a malformed or decreasing time is refused with the file and the place.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from miam_qual.errors import UnreadableFile
from miam_qual.sources.limits import read_bytes
from miam_qual.sources.marks import Mark, timed_document
from miam_qual.sources.model import SourceDocument
from miam_qual.sources.timed import Cue, Word, build_transcript
from miam_qual.sources.turns import match_label
from miam_qual.text import decode_bytes, normalise_text, quote_name

__all__ = ["read_noscribe", "read_otr", "read_whisper_json"]

_SPACES = re.compile(r"\s+")
# HTML collapses its own white space only: a no-break space typed before « : » or « ? » stays.
_HTML_SPACES = re.compile(r"[ \t\n\r\f]+")
_NOSCRIBE_TIME = re.compile(r"\[\d{2}:\d{2}:\d{2}\]")
_LEADING_TIME = re.compile(r"\A\s*\[\d{2}:\d{2}:\d{2}\]")
_BLOCKS = frozenset({"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr"})
_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>")
_MARK = "\ue000"  # stands for a time mark while the text is normalised (a private-use character)


def _text(path: Path) -> tuple[str, str]:
    raw, encoding = decode_bytes(read_bytes(path), filename=path.name)
    return raw.replace(_MARK, ""), encoding


def _media(written: Any) -> str | None:
    """The file name of a recording path as a tool wrote it (Windows or POSIX), or ``None``."""
    if not isinstance(written, str) or not written.strip():
        return None
    return re.split(r"[\\/]", written.strip())[-1] or None


def _html(path: Path, source: str, *, fragment: bool):
    import lxml.html
    from lxml.etree import ParserError, XMLSyntaxError

    # lxml refuses a str that declares its encoding; the bytes are already decoded
    source = _XML_DECLARATION.sub("", source, count=1)
    try:
        if fragment:
            return lxml.html.fragment_fromstring(source or "<p></p>", create_parent="div")
        return lxml.html.document_fromstring(source)
    except (ParserError, XMLSyntaxError, ValueError):
        raise UnreadableFile(
            f"{quote_name(path.name)} : HTML illisible. Rouvrez la transcription dans l'outil qui "
            "l'a produite et enregistrez-la à nouveau."
        ) from None


# --- noScribe ----------------------------------------------------------------------------------


def read_noscribe(path: Path) -> SourceDocument:
    """Read a noScribe ``.html`` transcript. Raises :class:`UnreadableFile` for a page without
    noScribe segments, or a segment whose times are malformed, reversed or going back."""
    source, encoding = _text(path)
    page = _html(path, source, fragment=False)
    audio = page.xpath("//meta[@name='audio_source']/@content")
    placed: list[tuple[Cue, str]] = []
    for paragraph in page.iter("p"):
        placed += _noscribe_paragraph(path, paragraph)
    if not placed:
        raise UnreadableFile(
            f"{quote_name(path.name)} : aucun segment minuté de noScribe (ancres « ts_… ») : ce "
            "fichier HTML n'est pas une transcription noScribe. Enregistrez-la en .txt ou .docx "
            "pour l'importer sans ses temps."
        )
    for (before, _), (cue, where) in zip(placed, placed[1:], strict=False):
        if cue.begin_ms < before.begin_ms:
            raise UnreadableFile(
                f"{quote_name(path.name)} : {where} : le segment commence "
                f"({_seconds(cue.begin_ms)}) avant le précédent ({_seconds(before.begin_ms)}) ; "
                "les temps doivent aller croissant. Réenregistrez la transcription depuis noScribe."
            )
    cues = [cue for cue, _ in placed]
    return build_transcript(
        path.name,
        cues,
        encoding=encoding,
        media=_media(audio[0]) if audio else None,
        empty="aucun segment de noScribe avec du texte",
    )


def _noscribe_paragraph(path: Path, paragraph) -> list[tuple[Cue, str]]:
    """The paragraph's segments as cues, each with its place in the file for messages."""
    # Each segment gathers the words from its anchor to the next one: words inside it, and words
    # typed after it in the editor (or written after an empty anchor); words before the first
    # anchor belong to the first segment.
    groups: list[tuple[Any, list[str]]] = []
    leading: list[str] = []

    def walk(element) -> None:
        if not isinstance(element.tag, str):
            return  # a comment: nothing a reader sees (its tail is added by the parent)
        if element.tag == "span" and _NOSCRIBE_TIME.fullmatch(
            (element.text_content() or "").strip()
        ):
            return  # the grey [00:01:23] noScribe adds: a time, not words
        if element.tag == "a" and str(element.get("name", "")).startswith("ts_"):
            groups.append((element, []))
        add(element.text)
        for child in element:
            walk(child)
            add(child.tail)

    def add(text: str | None) -> None:
        if text:
            (groups[-1][1] if groups else leading).append(text)

    walk(paragraph)
    if not groups:
        return []
    merged = [(anchor, "".join(pieces)) for anchor, pieces in groups]
    merged[0] = (merged[0][0], "".join(leading) + merged[0][1])
    placed = [_noscribe_cue(path, anchor, text) for anchor, text in merged]
    cues = [cue for cue, _ in placed]
    labelled = match_label(cues[0].text)
    speaker = cues[0].speaker
    if labelled is not None:
        speaker, prefix = labelled
        cues[0].text = cues[0].text[prefix:]
    for cue in cues:
        cue.text = _LEADING_TIME.sub("", cue.text).strip()
        cue.speaker = speaker
    return placed


def _noscribe_cue(path: Path, anchor, text: str) -> tuple[Cue, str]:
    name = str(anchor.get("name"))
    where = f"ligne {anchor.sourceline}" if anchor.sourceline else f"segment « {name} »"
    parts = name.split("_", 3)
    try:
        begin, end = int(parts[1]), int(parts[2])
    except (IndexError, ValueError):
        begin = end = -1
    if begin < 0 or end < begin:
        raise UnreadableFile(
            f"{quote_name(path.name)} : {where} : temps du segment illisibles ou inversés "
            f"« {name} » (attendu : ts_<début ms>_<fin ms>_<locuteur>). Réenregistrez la "
            "transcription depuis noScribe."
        )
    speaker = parts[3].strip() if len(parts) > 3 and parts[3].strip() else None
    text = normalise_text(_HTML_SPACES.sub(" ", text)).strip()
    return Cue(begin, end, text, speaker), where


# --- oTranscribe -------------------------------------------------------------------------------


def read_otr(path: Path) -> SourceDocument:
    """Read an oTranscribe ``.otr`` file. Raises :class:`UnreadableFile` for JSON that is not
    an oTranscribe file, or a time mark that cannot be read or goes back."""
    source, encoding = _text(path)
    data = _json(path, source)
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        raise UnreadableFile(
            f"{quote_name(path.name)} : ce n'est pas un fichier oTranscribe (un objet JSON avec "
            "un champ « text » était attendu)."
        )
    page = _html(path, data["text"].replace(_MARK, ""), fragment=True)
    raw: list[str] = []
    times: list[tuple[int | None, str]] = []
    _otr_walk(page, raw, times)
    lines = normalise_text("".join(raw)).split("\n")
    pieces: list[str] = []
    marks: list[Mark] = []
    length = 0
    seen = 0
    for number, line in enumerate(lines, start=1):
        count = line.count(_MARK)
        positions = [m.start() - i for i, m in enumerate(re.finditer(_MARK, line))]
        line = line.replace(_MARK, "")
        kept = line.strip()
        lead = len(line) - len(line.lstrip())
        if pieces:
            pieces.append("\n")
            length += 1
        for position, (ms, written) in zip(positions, times[seen : seen + count], strict=True):
            where = f"paragraphe {number}"
            if ms is None:
                raise UnreadableFile(
                    f"{quote_name(path.name)} : {where} : repère de temps illisible "
                    f"« {written} » (attendu : un nombre de secondes, comme 83.4)."
                )
            offset = length + min(max(position - lead, 0), len(kept))
            marks.append(Mark(offset, ms, where, _seconds(ms)))
        seen += count
        pieces.append(kept)
        length += len(kept)
    joined = "".join(pieces)
    text = joined.strip("\n")
    shift = len(joined) - len(joined.lstrip("\n"))
    marks = [
        Mark(min(max(m.offset - shift, 0), len(text)), m.ms, m.where, m.written) for m in marks
    ]
    media = _media(data.get("media"))
    if not marks:
        raise UnreadableFile(
            f"{quote_name(path.name)} : aucun repère de temps dans la transcription oTranscribe. "
            "Insérez-en au moins un, ou copiez le texte dans un fichier .txt pour l'importer sans temps."
        )
    return timed_document(path.name, text, marks, encoding=encoding, media=media)


def _otr_walk(element, raw: list[str], times: list[tuple[int | None, str]]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag == "br":
        raw.append("\n")
        return
    if not isinstance(element.tag, str):
        return  # a comment or processing instruction: nothing a reader sees
    if tag == "span" and "timestamp" in str(element.get("class", "")).split():
        written = str(element.get("data-timestamp", "")).strip()
        try:
            seconds = float(written)
            ms: int | None = round(seconds * 1000) if 0 <= seconds < 1e7 else None
        except ValueError:
            ms = None
        times.append((ms, written))
        raw.append(_MARK)
        return
    block = tag in _BLOCKS
    if block:
        _new_line(raw)
    if element.text:
        raw.append(_HTML_SPACES.sub(" ", element.text))
    for child in element:
        _otr_walk(child, raw, times)
        if child.tail:
            raw.append(_HTML_SPACES.sub(" ", child.tail))
    if block:
        _new_line(raw)


def _new_line(raw: list[str]) -> None:
    """End the line unless it is already ended (``<p>a</p><p>b</p>`` is two lines, not three)."""
    if raw and not raw[-1].endswith("\n"):
        raw.append("\n")


def _seconds(ms: int) -> str:
    return f"{ms / 1000:g} s"


# --- Whisper JSON ------------------------------------------------------------------------------


def read_whisper_json(path: Path) -> SourceDocument:
    """Read a Whisper, faster-whisper or WhisperX ``.json`` transcript. Raises
    :class:`UnreadableFile` for JSON without segments, or a segment or word whose times are
    missing, malformed, reversed or going back."""
    source, encoding = _text(path)
    data = _json(path, source)
    segments = data.get("segments") if isinstance(data, dict) else data
    if not isinstance(segments, list) or not all(isinstance(s, dict) for s in segments):
        raise UnreadableFile(
            f"{quote_name(path.name)} : ce n'est pas une transcription Whisper (une liste "
            "« segments » avec « start », « end » et « text » était attendue)."
        )
    cues: list[Cue] = []
    for number, segment in enumerate(segments, start=1):
        where = f"segment {number}"
        begin, end = _times(path, segment, where)
        if cues and begin < cues[-1].begin_ms:
            raise UnreadableFile(
                f"{quote_name(path.name)} : {where} : il commence ({_seconds(begin)}) avant le "
                f"segment précédent ({_seconds(cues[-1].begin_ms)}) ; les temps doivent aller "
                "croissant."
            )
        text = segment.get("text")
        if not isinstance(text, str):
            raise UnreadableFile(f"{quote_name(path.name)} : {where} : texte manquant (« text »).")
        speaker = segment.get("speaker")
        cues.append(
            Cue(
                begin,
                end,
                normalise_text(_SPACES.sub(" ", text)).strip(),
                speaker.strip() or None if isinstance(speaker, str) else None,
                words=_words(path, segment.get("words"), where),
            )
        )
    return build_transcript(
        path.name, cues, encoding=encoding, empty="aucun segment Whisper avec du texte"
    )


def _json(path: Path, source: str) -> Any:
    try:
        return json.loads(source)
    except json.JSONDecodeError as error:
        raise UnreadableFile(
            f"{quote_name(path.name)} : ligne {error.lineno} : JSON illisible ({error.msg})."
        ) from None
    except RecursionError:
        raise UnreadableFile(
            f"{quote_name(path.name)} : JSON imbriqué trop profondément."
        ) from None


def _times(path: Path, item: dict, where: str) -> tuple[int, int]:
    begin, end = item.get("start"), item.get("end")
    begin_s, end_s = _number(begin), _number(end)
    if begin_s is None or end_s is None:
        raise UnreadableFile(
            f"{quote_name(path.name)} : {where} : temps manquants ou illisibles (« start » "
            f"{begin!r}, « end » {end!r} ; attendu : des secondes, comme 83.4)."
        )
    begin_ms, end_ms = round(begin_s * 1000), round(end_s * 1000)
    if end_ms < begin_ms:
        raise UnreadableFile(
            f"{quote_name(path.name)} : {where} : la fin ({_seconds(end_ms)}) précède le début "
            f"({_seconds(begin_ms)})."
        )
    return begin_ms, end_ms


def _number(value: Any) -> float | None:
    """Seconds as JSON gives them (a number, never ``true``), or ``None``."""
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < 1e7:
        return float(value)
    return None


def _words(path: Path, words: Any, where: str) -> list[Word]:
    """The segment's timed words; none when a word lacks its times (WhisperX leaves numbers
    unaligned): the segment is then timed as a whole."""
    if not isinstance(words, list) or not words:
        return []
    timed: list[Word] = []
    for number, word in enumerate(words, start=1):
        if not isinstance(word, dict) or "start" not in word or "end" not in word:
            return []
        begin, end = _times(path, word, f"{where}, mot {number}")
        if timed and begin < timed[-1].begin_ms:
            raise UnreadableFile(
                f"{quote_name(path.name)} : {where}, mot {number} : il commence avant le mot "
                "précédent ; les temps doivent aller croissant."
            )
        text = normalise_text(_SPACES.sub(" ", str(word.get("word", "")))).strip()
        timed.append(Word(text, begin, end))
    return timed
