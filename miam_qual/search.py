"""Finding things in a project: documents by name and attributes, words in the texts.

Plain functions taking the project first (see ARCHITECTURE, "API style" 2): they read through
``Project``'s public methods and return DataFrames; the coding workbench (``widgets/finder.py``)
and notebooks only consume them.

Matching ignores case and accents and reads typographic variants as one (``l’Épicerie`` is found
by ``l'epicerie``): the texts are folded by ``privacy.folding.fold_text``, the folding the name
matcher uses, which keeps the way back to source offsets. A hit's ``start``/``end`` are code
points of the document's normalised text (``Project.text``), end exclusive, so that
``text[start:end]`` is exactly the matched passage (combining accents that the folding dropped
at its end are included).
"""

from __future__ import annotations

import re
import unicodedata
from collections import OrderedDict
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .errors import SearchError
from .privacy.folding import BOUNDARY_MARK, FoldedText, fold_text
from .text import fold

if TYPE_CHECKING:
    from .project import Project

__all__ = [
    "HIT_COLUMNS",
    "code_hits",
    "compile_query",
    "find_documents",
    "find_spans",
    "prepare_search",
    "search_text",
]

#: Columns of :func:`search_text`.
HIT_COLUMNS = [
    "document_id", "document", "start", "end", "before", "match", "after", "speaker",
    "speaker_role",
]  # fmt: skip

#: Columns of ``Project.documents()`` that are not attributes (searched: name and source file).
_DOCUMENT_FIELDS = {
    "document_id", "kind", "length", "encoding", "media", "position", "imported_at", "imported_by",
}  # fmt: skip


# -- documents ----------------------------------------------------------------------------------
def find_documents(
    project: Project,
    query: str = "",
    *,
    not_coded_by: str | None = None,
    **attribute_filters: object,
) -> pd.DataFrame:
    """Documents whose name, source file or attribute values contain every word of ``query``
    (case and accents ignored; an empty query keeps every document), in import order.

    ``not_coded_by``: keep only the documents holding no coding by this coder (a coder who has
    coded nothing, or is not registered yet, keeps them all). Keyword filters are those of
    ``Project.documents`` (``site="Fosse 13"``); one naming neither a column nor a declared
    attribute raises ``UnknownAttribute``.

    Columns: those of ``Project.documents()``, then ``found_in``: the fields where a word of the
    query was found (``document``, ``source_file`` or attribute names, joined by ``", "``; empty
    without a query).
    """
    frame = project.documents(**attribute_filters)
    if not_coded_by is not None:
        coded = set(project.codings(coder=not_coded_by)["document_id"])
        frame = frame[~frame["document_id"].isin(coded)]
    fields = [c for c in frame.columns if c not in _DOCUMENT_FIELDS]
    words = fold(query).split()
    if not words or frame.empty:
        return frame.assign(found_in="").reset_index(drop=True)
    folded = {
        f: frame[f].map(lambda v: fold(str(v)) if isinstance(v, str) else "").tolist()
        for f in fields
    }
    keep, found_in = [], []
    for row in range(len(frame)):
        hit_fields = [f for f in fields if any(w in folded[f][row] for w in words)]
        every_word = all(any(w in folded[f][row] for f in fields) for w in words)
        keep.append(every_word)
        found_in.append(", ".join(hit_fields))
    frame = frame.assign(found_in=found_in)[keep]
    return frame.reset_index(drop=True)


# -- words in the texts ---------------------------------------------------------------------------
def compile_query(query: str, *, whole_words: bool = False, marks: bool = True) -> re.Pattern[str]:
    """The regular expression that finds ``query`` in a folded text: the query folded the same
    way, any run of spaces or line breaks matching any other, a camelCase mark of the text
    skipped (``marks=False``: a pattern for folded texts without such marks, three times
    faster to scan). Raises ``SearchError`` for a query without a letter or digit."""
    folded = fold_text(unicodedata.normalize("NFC", query)).text.replace(BOUNDARY_MARK, "")
    words = folded.split()
    if not any(ch.isalnum() for ch in folded):
        raise SearchError(
            f"Rien à chercher dans « {query.strip()} » : tapez au moins une lettre ou un chiffre."
        )
    gap = re.escape(BOUNDARY_MARK) + "?" if marks else ""
    body = (f"[\\s{re.escape(BOUNDARY_MARK)}]+" if marks else r"\s+").join(
        gap.join(re.escape(ch) for ch in word) for word in words
    )
    if whole_words:
        body = rf"(?<!\w){body}(?!\w)"
    return re.compile(body)


def find_spans(
    text: str, pattern: re.Pattern[str], folded: FoldedText | None = None
) -> list[tuple[int, int]]:
    """``(start, end)`` of every non-overlapping match of ``pattern`` (from
    :func:`compile_query`) in ``text``, as code points of ``text``. ``folded``: ``text`` already
    folded by ``fold_text`` (it is folded here otherwise)."""
    folded = folded or fold_text(text)
    spans: list[tuple[int, int]] = []
    source, length = folded.source, len(text)
    for found in pattern.finditer(folded.text):
        start = source(found.start())
        end = source(found.end() - 1) + 1
        while end < length and unicodedata.category(text[end])[0] == "M":
            end += 1  # an accent written apart, folded away: part of the last letter
        if spans and start < spans[-1][1]:
            continue  # inside the same source letter as the previous hit (ß → ss, œ → oe)
        spans.append((start, end))
    return spans


def search_text(
    project: Project,
    query: str,
    *,
    document: str | None = None,
    whole_words: bool = False,
    context: int = 60,
    limit: int | None = None,
) -> pd.DataFrame:
    """Every occurrence of ``query`` in the corpus (or in ``document``, a name or GUID), case
    and accents ignored, as a keyword-in-context table in document order then text order.

    ``whole_words``: only occurrences that neither start nor end inside a word. ``context``:
    characters shown each side (cut back to a whole word, blanks collapsed). ``limit``: stop
    after that many hits (ask ``limit + 1`` to know whether there were more).

    Columns (``HIT_COLUMNS``): ``document_id, document, start, end`` (code points of
    ``Project.text``, end exclusive: ``text[start:end] == match``), ``before, match, after``,
    ``speaker, speaker_role`` (the speaker turn holding the start; ``None`` outside turns).
    Raises ``SearchError`` for a query without a letter or digit, ``CorpusError`` for an
    unknown document.
    """
    pattern = compile_query(query, whole_words=whole_words)
    plain = compile_query(query, whole_words=whole_words, marks=False)
    documents = project.documents()[["document_id", "document"]]
    if document is not None:
        guid = project.document_id(document)
        documents = documents[documents["document_id"] == guid]
    found: list[tuple[str, str, str, list[tuple[int, int]]]] = []
    count = 0
    for guid, name in documents.itertuples(index=False):
        text, folded = _CACHE.folded(project, guid)
        spans = find_spans(text, pattern if BOUNDARY_MARK in folded.text else plain, folded)
        if limit is not None:
            spans = spans[: max(0, limit - count)]
        if spans:
            found.append((guid, name, text, spans))
            count += len(spans)
        if limit is not None and count >= limit:
            break
    _CACHE.load_turns(project, [guid for guid, *_rest in found])
    rows: list[tuple] = []
    for guid, name, text, spans in found:
        speakers = _speakers(_CACHE.turns[guid], [s for s, _e in spans])
        for (start, end), (speaker, role) in zip(spans, speakers, strict=True):
            rows.append(
                (guid, name, start, end, _before(text, start, context), text[start:end],
                 _after(text, end, context), speaker, role)
            )  # fmt: skip
    frame = pd.DataFrame(rows, columns=HIT_COLUMNS)
    for column in ("speaker", "speaker_role"):  # None outside turns, never NaN
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


_Turns = tuple[np.ndarray, np.ndarray, list, list]  # starts, ends, speakers, roles


class _DocumentCache:
    """Folded texts and speaker turns of the documents searched last, by document GUID.

    Folding is what a search spends most of its time on. A document's text is read afresh at
    every search and its folded form reused only while the text is the same (a corrected text
    is folded again, and its turns read again). At most ``budget`` characters are kept.
    """

    def __init__(self, budget: int = 40_000_000):
        self.budget = budget
        self.texts: OrderedDict[str, tuple[str, FoldedText]] = OrderedDict()
        self.turns: dict[str, _Turns] = {}
        self.size = 0

    def folded(self, project: Project, guid: str) -> tuple[str, FoldedText]:
        text = project.text(guid)
        cached = self.texts.get(guid)
        if cached is not None and cached[0] == text:
            self.texts.move_to_end(guid)
            return cached
        if cached is not None:  # the text was corrected since: forget what came from it
            self.size -= len(cached[0])
            self.turns.pop(guid, None)
        entry = self.texts[guid] = (text, fold_text(text))
        self.size += len(text)
        while self.size > self.budget and len(self.texts) > 1:
            old, (old_text, _f) = self.texts.popitem(last=False)
            self.size -= len(old_text)
            self.turns.pop(old, None)
        return entry

    def load_turns(self, project: Project, guids: list[str]) -> None:
        """Read the speaker turns of ``guids`` not read yet: one query for many documents."""
        missing = [g for g in guids if g not in self.turns]
        if len(missing) > 60:  # one read of every turn beats 60 reads of one document
            units = project.all_units("turn")
            groups = dict(iter(units.groupby("document_id"))) if len(units) else {}
            frames = {g: groups.get(g) for g in missing}
        else:
            frames = {g: project.units(g, "turn") for g in missing}
        for guid, turns in frames.items():
            if turns is None or turns.empty:
                self.turns[guid] = (np.zeros(0, int), np.zeros(0, int), [], [])
            else:
                turns = turns.sort_values("start")
                self.turns[guid] = (
                    turns["start"].to_numpy(), turns["end"].to_numpy(),
                    turns["speaker"].tolist(), turns["role"].tolist(),
                )  # fmt: skip


_CACHE = _DocumentCache()


def prepare_search(project: Project) -> int:
    """Fold every document's text and read its speaker turns ahead of a search, so that the
    first search costs what the next ones do (the coding panel calls it when its search box
    gets the focus). Returns how many documents were read now (0 when all were ready)."""
    guids = project.documents()["document_id"].tolist()
    fresh = [g for g in guids if g not in _CACHE.texts]
    for guid in guids:
        _CACHE.folded(project, guid)
    _CACHE.load_turns(project, guids)
    return len(fresh)


def _speakers(turns: _Turns, starts: list[int]) -> list[tuple[str | None, str | None]]:
    """(speaker, role) of the turn holding each start (turns never overlap)."""
    begins, ends, speaker, role = turns
    if not len(begins):
        return [(None, None)] * len(starts)
    found = np.searchsorted(begins, np.asarray(starts), side="right") - 1
    return [
        (speaker[k], role[k]) if k >= 0 and start < ends[k] else (None, None)
        for k, start in zip(found.tolist(), starts, strict=True)
    ]


_BLANKS = re.compile(r"[ \t\n]+")


def _one_line(piece: str) -> str:
    """Line breaks, tabs and runs of spaces as one space (a keyword-in-context line)."""
    if "\n" in piece or "\t" in piece or "  " in piece:  # rare: most lines need nothing done
        return _BLANKS.sub(" ", piece)
    return piece


def _before(text: str, start: int, width: int) -> str:
    begin = max(0, start - width)
    piece = text[begin:start]
    if begin > 0 and not text[begin - 1].isspace():
        cut = piece.find(" ")
        piece = piece[cut + 1 :] if cut >= 0 else piece
    return _one_line(piece).lstrip()


def _after(text: str, end: int, width: int) -> str:
    stop = min(len(text), end + width)
    piece = text[end:stop]
    if stop < len(text) and not text[stop].isspace():
        cut = piece.rfind(" ")
        piece = piece[:cut] if cut >= 0 else piece
    return _one_line(piece).rstrip()


# -- coding hits ----------------------------------------------------------------------------------
def code_hits(project: Project, hits: pd.DataFrame, code: str, *, coder: str) -> int:
    """Code every hit of ``hits`` (a :func:`search_text` table, or any table with ``document_id,
    start, end``) with ``code`` as ``coder``, in one transaction (``Project.code_many``): all
    or nothing. Returns how many codings were new (a hit already coded so is not written twice).

    Raises ``SearchError`` for an empty table, ``UnknownCode``, ``CodingError`` (a theme),
    ``UnknownCoder`` or ``OffsetOutOfRange``; nothing is written then.
    """
    if hits.empty:
        raise SearchError("Aucune occurrence à coder : lancez d'abord une recherche qui trouve.")
    rows = [
        {"document": str(d), "start": int(s), "end": int(e), "code": code, "coder": coder}
        for d, s, e in hits[["document_id", "start", "end"]].itertuples(index=False)
    ]
    return project.code_many(rows)
