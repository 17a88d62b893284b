"""REFI-QDA exchange: write a project as a ``.qdpx`` archive (QDA-XML 1.0, ``urn:QDA-XML:project:1.0``).

The store maps one to one onto the standard, so export is a walk over it: coders → ``Users``,
the codebook → nested ``Code`` elements (definition, inclusion, exclusion, example and keywords in
the ``Description``), declared attributes → ``Variables``, participants → ``Cases``, documents →
``TextSource`` (plain text in ``sources/<guid>.txt``, UTF-8 without BOM, ``\\n`` line endings),
transcripts with timecodes → ``AudioSource`` whose ``Transcript`` carries the text, a pair of
``SyncPoint`` per cue and the coded passages as ``TranscriptSelection`` (the recording itself is
named, never included: a voice cannot be pseudonymised), selections → ``PlainTextSelection`` with
their ``Coding`` elements, memos → ``Notes`` with ``NoteRef``.

What every reader accepts: source names unique even once an extension is cut off (a
questionnaire's ``enquete.csv#R012`` is written ``enquete#R012.csv``), positions in code points
(the specification's unit, which QualCoder, MAXQDA, ATLAS.ti, qdapy and miam_qual read) or, on
request, UTF-16 units for NVivo (``positions="utf16"``, said in ``origin`` so that miam_qual reads
it back right), valid against ``Project.xsd``.

This is an exchange with other analysis tools: it carries full texts, so it honours the
*analysis* consent, replaces real names and passes the privacy gate like every other export (see
``build_project_xml``). The XML is written as a stream from grouped arrays (one pass over the
codings, no per-selection frame): 200,000 codings in a few seconds.
"""

from __future__ import annotations

import re
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from lxml import etree

from ..codebook import Codebook
from ..errors import ExportError
from ..privacy.consent import ConsentCheck
from ..privacy.gate import ExportGate
from ..privacy.pseudonyms import Pseudonyms
from ..privacy.redact import Redacted
from ..store import exchange as exchange_sql
from .positions import to_unit
from .qdaxml import PROJECT_NS, describe_code
from .shareable import moved, shareable_texts

if TYPE_CHECKING:
    from ..project import Project

NAMESPACE = PROJECT_NS
_VARIABLE_NAMESPACE = uuid.UUID("0b7e4c1e-9a57-4f43-a6a5-6d69616d7661")
_MEDIA_NAMESPACE = uuid.UUID("1c6a3d70-5e0b-4a8e-9a41-6d69616d6175")
#: REFI-QDA ``typeOfVariable`` of each attribute type of ``projet.yml``.
VARIABLE_TYPES = {
    "texte": "Text",
    "choix": "Text",
    "date": "Date",
    "entier": "Integer",
    "booleen": "Boolean",
}
#: Units the export can count positions in.
POSITION_UNITS = ("points", "utf16")
#: How transcripts with timecodes are written: with their recording (``audio``) or as text.
TRANSCRIPT_FORMS = ("audio", "texte")
_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NO_CUES = pd.DataFrame(columns=["start", "end", "begin_ms", "end_ms"])
_QUESTIONNAIRE = re.compile(r"(.+)(\.(?:csv|xlsx|tsv|ods))(#.+)", re.IGNORECASE)


def variable_guid(name: str) -> str:
    """Stable GUID of a declared attribute."""
    return str(uuid.uuid5(_VARIABLE_NAMESPACE, name))


def _guid(*parts: str) -> str:
    return str(uuid.uuid5(_MEDIA_NAMESPACE, "/".join(parts)))


def _text(value: object) -> str:
    """``value`` as XML character data (characters XML 1.0 forbids become U+FFFD)."""
    text = _INVALID.sub("\ufffd", str(value))
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def _attr(value: object) -> str:
    return _text(value).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def _attrs(**attributes: object) -> str:
    return "".join(f' {k}="{_attr(v)}"' for k, v in attributes.items() if v is not None and v != "")


def _unique_names(names: list[str]) -> list[str]:
    """Names no two of which agree once lower-cased and cut at their extension (what tools use
    as file names): questionnaire answers ``x.csv#R1`` become ``x#R1.csv``, then ``(2)``…"""
    seen: set[str] = set()
    result = []
    for name in names:
        match = _QUESTIONNAIRE.fullmatch(name)
        if match:
            name = f"{match.group(1)}{match.group(3)}{match.group(2)}"
        candidate, number = name, 2
        while _name_key(candidate) in seen:
            stem, dot, suffix = name.rpartition(".")
            candidate = f"{stem} ({number}).{suffix}" if dot else f"{name} ({number})"
            number += 1
        seen.add(_name_key(candidate))
        result.append(candidate)
    return result


def _name_key(name: str) -> str:
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    return stem.casefold()


@dataclass
class _Codings:
    """The exported codings as parallel columns sorted by document, start, end: the codings of
    one selection follow each other. Texts stay lists (numpy object arrays cost more than they
    give); positions and run boundaries are integer arrays."""

    document: list[str]
    selection: list[str]
    coding: list[str]
    code: list[str]
    coder: list[str]
    created: list[str]
    start: np.ndarray
    end: np.ndarray
    position: np.ndarray  # the document's import position, one per coding


def _runs(values: np.ndarray) -> list[tuple[int, int]]:
    """``(head, tail)`` of each run of equal ``values``."""
    if not len(values):
        return []
    heads = np.r_[0, np.flatnonzero(values[1:] != values[:-1]) + 1]
    return list(zip(heads.tolist(), [*heads[1:].tolist(), len(values)], strict=True))


def _codings(project: Project, redacted: dict[str, Redacted]) -> _Codings:
    columns = exchange_sql.coding_columns(project.store)
    document = columns["document"]
    starts = np.asarray(columns["start"], dtype=np.int64)
    ends = np.asarray(columns["end"], dtype=np.int64)
    positions = np.asarray(columns["position"], dtype=np.int64)
    keep = np.ones(len(document), dtype=bool)
    for head, tail in _runs(positions):
        shared = redacted.get(document[head])
        if shared is None:  # a document that is all the words of someone who refused
            keep[head:tail] = False
            continue
        if not shared.withheld:
            continue
        bounds = np.asarray(sorted(shared.withheld), dtype=np.int64)
        first = np.searchsorted(bounds[:, 1], starts[head:tail], side="right")
        inside = first < len(bounds)
        overlap = np.zeros(tail - head, dtype=bool)
        overlap[inside] = bounds[first[inside], 0] < ends[head:tail][inside]
        keep[head:tail] &= ~overlap
    lists = [columns[k] for k in ("document", "selection", "coding", "code", "coder", "created_at")]
    if not keep.all():
        kept = np.flatnonzero(keep).tolist()
        lists = [[values[k] for k in kept] for values in lists]
    document, selection, coding, code, coder, created = lists
    return _Codings(
        document, selection, coding, code, coder, created, starts[keep], ends[keep],
        positions[keep],
    )  # fmt: skip


def _interpolate(cues: pd.DataFrame, offsets: np.ndarray) -> np.ndarray:
    """Recording times (ms) of text offsets, interpolated within their cue (as ``time_at``)."""
    starts = cues["start"].to_numpy(dtype=np.int64)
    ends = cues["end"].to_numpy(dtype=np.int64)
    begin = cues["begin_ms"].to_numpy(dtype=np.float64)
    finish = cues["end_ms"].to_numpy(dtype=np.float64)
    index = np.clip(np.searchsorted(starts, offsets, side="right") - 1, 0, len(starts) - 1)
    span = np.maximum(ends[index] - starts[index], 1)
    fraction = np.clip((offsets - starts[index]) / span, 0.0, 1.0)
    return np.round(begin[index] + fraction * (finish[index] - begin[index])).astype(np.int64)


def build_project_xml(
    project: Project, *, positions: str = "points", transcripts: str = "audio"
) -> tuple[etree._Element, dict[str, str]]:
    """The ``Project`` element and the plain texts to store, as ``{file name: text}``, in their
    shareable form (see ``project_xml`` for what that means and for the options)."""
    pieces, texts = project_xml(project, positions=positions, transcripts=transcripts)
    return etree.fromstring("".join(pieces).encode("utf-8")), texts


def project_xml(
    project: Project, *, positions: str = "points", transcripts: str = "audio"
) -> tuple[list[str], dict[str, str]]:
    """The ``project.qde`` XML as text pieces, and the plain texts to store as ``{file: text}``.

    (``export_qdpx`` streams the same pieces into the archive instead of keeping them.)

    The archive leaves the project, so: the words of anyone who did not consent to *analysis* are
    withheld (their turns replaced by a short notice, a document that is all theirs left out,
    their case, memos and codings dropped), and every text — sources, names of documents, codes,
    cases and users, descriptions, attribute values, memos — has real names replaced by
    pseudonyms. Positions are carried over to the rewritten texts, so every coded passage still
    covers the same words.

    ``positions``: ``points`` (code points, the default) or ``utf16`` (NVivo's count).
    ``transcripts``: ``audio`` writes a transcript with timecodes as an ``AudioSource``;
    ``texte`` writes it as a ``TextSource`` like any document.
    Raises ``ExportError`` for an unknown option.
    """
    _check_options(positions, transcripts)
    texts: dict[str, str] = {}
    pieces = list(_pieces(project, texts, positions=positions, transcripts=transcripts))
    return pieces, texts


def _check_options(positions: str, transcripts: str) -> None:
    if positions not in POSITION_UNITS:
        raise ExportError(
            f"Unité de position « {positions} » inconnue (possibles : {', '.join(POSITION_UNITS)})."
        )
    if transcripts not in TRANSCRIPT_FORMS:
        raise ExportError(
            f"Forme des transcriptions « {transcripts} » inconnue (possibles : "
            f"{', '.join(TRANSCRIPT_FORMS)})."
        )


def _pieces(
    project: Project, texts: dict[str, str], *, positions: str, transcripts: str
) -> Iterator[str]:
    """The XML of ``project_xml``, piece by piece; fills ``texts`` as the sources go by."""
    pseudonyms = Pseudonyms.load(project.root)
    check = ConsentCheck(project)
    cache: dict[str, str] = {}

    def clean(value: object) -> str:
        if value is None:
            return ""
        text = str(value)
        if text not in cache:
            cache[text] = pseudonyms.apply(text)
        return cache[text]

    redacted = shareable_texts(project, check=check, pseudonyms=pseudonyms)
    documents = project.documents()
    documents = documents[documents["document_id"].isin(redacted)].reset_index(drop=True)
    people = project.participants()
    refusing = {p for p in people["participant"] if not check.allows(p, "analyse")}
    people = people[~people["participant"].isin(refusing)]
    codings = _codings(project, redacted)
    book = project.codebook
    kept_targets = (
        set(codings.coding) | set(redacted) | {c.guid for c in book}
        | set(people["participant_id"]) | {"project"}
    )  # fmt: skip
    notes = project.memos()
    notes = notes[notes["target_id"].isin(kept_targets)].reset_index(drop=True)
    refs: dict[str, list[str]] = {}
    for target, note in zip(notes["target_id"], notes["note_id"], strict=True):
        refs.setdefault(target, []).append(note)

    origin = "miam_qual" + ("; positions UTF-16" if positions == "utf16" else "")
    yield '<?xml version="1.0" encoding="utf-8"?>\n'
    yield f'<Project xmlns="{NAMESPACE}"{_attrs(name=clean(project.name), origin=origin)}>\n'
    coders = project.coders()
    user_guid = dict(zip(coders["coder"], coders["coder_id"], strict=True))
    if user_guid:
        yield ("<Users>\n")
        yield from (f"<User{_attrs(guid=g, name=clean(n))}/>\n" for n, g in user_guid.items())
        yield ("</Users>\n")
    if len(book):
        yield (_codebook_xml(book, clean, refs))
    specs = project.config.attributes
    if specs:
        yield ("<Variables>\n")
        for spec in specs.values():
            yield (
                f"<Variable{_attrs(guid=variable_guid(spec.name), name=spec.name, typeOfVariable=VARIABLE_TYPES[spec.type])}>"
                f"<Description>{_text(clean(spec.label))}</Description></Variable>\n"
            )
        yield ("</Variables>\n")
    if len(people):
        yield ("<Cases>\n")
        owned = documents.groupby("participant")["document_id"].apply(list).to_dict() if (
            "participant" in documents
        ) else {}  # fmt: skip
        for person in people.to_dict("records"):
            yield (
                f"<Case{_attrs(guid=person['participant_id'], name=clean(person['participant']))}>"
            )
            for name, spec in specs.items():
                value = person.get(name)
                if spec.scope == "participant" and isinstance(value, str):
                    yield (_value(spec.type, name, clean(value)))
            yield from (
                f'<SourceRef targetGUID="{g}"/>' for g in owned.get(person["participant"], [])
            )
            yield ("</Case>\n")
        yield ("</Cases>\n")

    if len(documents):
        yield ("<Sources>\n")
        names = _unique_names([clean(n) for n in documents["document"]])
        runs = {codings.document[h]: (h, t) for h, t in _runs(codings.position)}
        timecodes = exchange_sql.timecodes_by_document(project.store)
        for doc, name in zip(documents.to_dict("records"), names, strict=True):
            yield from (
                _source(timecodes, doc, name, redacted[doc["document_id"]], codings,
                        runs.get(doc["document_id"]), user_guid, refs, specs, refusing, clean,
                        texts, positions, transcripts)
            )  # fmt: skip
        yield ("</Sources>\n")

    if len(notes):
        yield ("<Notes>\n")
        for note in notes.to_dict("records"):
            attributes = _attrs(
                guid=note["note_id"], name=clean(f"Mémo · {note['target']}"),
                creatingUser=user_guid.get(note["author"]), creationDateTime=note["created_at"],
            )  # fmt: skip
            yield (
                f"<Note{attributes}><PlainTextContent>{_text(clean(note['text']))}"
                "</PlainTextContent></Note>\n"
            )
        yield ("</Notes>\n")
    for kind, note in zip(notes["target_kind"], notes["note_id"], strict=True):
        if kind in ("participant", "project"):  # they hang on the project
            yield (f'<NoteRef targetGUID="{note}"/>\n')
    yield ("</Project>\n")


def _value(spec_type: str, name: str, value: str) -> str:
    ref = f'<VariableRef targetGUID="{variable_guid(name)}"/>'
    if spec_type == "booleen":
        inner = f"<BooleanValue>{'true' if value == 'oui' else 'false'}</BooleanValue>"
    elif spec_type == "entier":
        inner = f"<IntegerValue>{_text(value)}</IntegerValue>"
    elif spec_type == "date" and len(value) == 10:
        inner = f"<DateValue>{_text(value)}</DateValue>"
    else:  # a month-precision date stays text rather than being invented into a day
        inner = f"<TextValue>{_text(value)}</TextValue>"
    return f"<VariableValue>{ref}{inner}</VariableValue>"


def _codebook_xml(book: Codebook, clean, refs: dict[str, list[str]]) -> str:
    out = ["<CodeBook><Codes>\n"]
    kids: dict[str | None, list] = {}
    for code in book:
        kids.setdefault(code.parent, []).append(code)

    def add(code) -> None:
        attributes = _attrs(
            guid=code.guid, name=clean(code.label),
            isCodable="true" if code.codable else "false", color=code.color,
        )  # fmt: skip
        out.append(f"<Code{attributes}>")
        description = describe_code(
            clean(code.definition), inclusion=clean(code.inclusion),
            exclusion=clean(code.exclusion), example=clean(code.example),
            keywords=[clean(k) for k in code.keywords],
        )  # fmt: skip
        if description:
            out.append(f"<Description>{_text(description)}</Description>")
        out.extend(f'<NoteRef targetGUID="{n}"/>' for n in refs.get(code.guid, []))
        for child in kids.get(code.id, []):
            add(child)
        out.append("</Code>\n")

    for theme in kids.get(None, []):
        add(theme)
    out.append("</Codes></CodeBook>\n")
    return "".join(out)


def _source(
    timecodes, doc, name, shared, codings, run, user_guid, refs, specs, refusing, clean, texts,
    positions, transcripts,
) -> Iterator[str]:  # fmt: skip
    """The XML of one document: a TextSource, or an AudioSource with its Transcript."""
    guid = doc["document_id"]
    cues = timecodes.get(guid, _NO_CUES) if doc["kind"] == "transcript" else _NO_CUES
    audio = transcripts == "audio" and not cues.empty
    file_name = f"{_guid(guid, 'transcription') if audio else guid}.txt"
    texts[file_name] = shared.text
    units = to_unit(shared.text, "utf16") if positions == "utf16" else None

    def unit(values: np.ndarray) -> np.ndarray:
        return values if units is None else units[values]

    values = []
    for attribute, spec in specs.items():
        value = doc.get(attribute)
        if spec.scope == "document" and isinstance(value, str) and value not in refusing:
            values.append(_value(spec.type, attribute, clean(value)))
    notes = "".join(f'<NoteRef targetGUID="{n}"/>' for n in refs.get(guid, []))
    selections: list[str] = []
    points: list[str] = []
    if run is not None:
        s, e = run
        old_starts, old_ends = codings.start[s:e], codings.end[s:e]
        shared_starts = moved(shared, old_starts, "start")
        shared_ends = moved(shared, old_ends, "end")
        starts, ends = unit(shared_starts), unit(shared_ends)
        selection = codings.selection[s:e]
        # one span, one selection: runs of equal (start, end) are the selections
        key = old_starts * (int(old_ends.max()) + 1 if len(old_ends) else 1) + old_ends
        pairs = _runs(key)
        heads = np.array([h for h, _t in pairs], dtype=np.int64)
        if audio:
            begin_ms = _interpolate(cues, old_starts[heads])
            end_ms = _interpolate(cues, old_ends[heads])
        for number, (h, t) in enumerate(pairs):
            i = s + h
            creator = user_guid[codings.coder[i]]
            inner = []
            for j in range(s + h, s + t):
                # GUIDs and ISO dates need no escaping: written as they are (the hot loop)
                coding = codings.coding[j]
                notes_of = refs.get(coding)
                inner.append(
                    f'<Coding guid="{coding}" creatingUser="{user_guid[codings.coder[j]]}" '
                    f'creationDateTime="{codings.created[j]}">'
                    f'<CodeRef targetGUID="{codings.code[j]}"/>'
                    + (
                        "".join(f'<NoteRef targetGUID="{n}"/>' for n in notes_of)
                        if notes_of
                        else ""
                    )
                    + "</Coding>"
                )
            start, end = int(starts[h]), int(ends[h])
            if audio:
                first, last = _guid(selection[h], "début"), _guid(selection[h], "fin")
                points.append(
                    f'<SyncPoint guid="{first}" timeStamp="{begin_ms[number]}" position="{start}"/>'
                    f'<SyncPoint guid="{last}" timeStamp="{end_ms[number]}" position="{end}"/>'
                )
                selections.append(
                    f'<TranscriptSelection guid="{selection[h]}" fromSyncPoint="{first}" '
                    f'toSyncPoint="{last}" creatingUser="{creator}" '
                    f'creationDateTime="{codings.created[i]}">'
                    + "".join(inner) + "</TranscriptSelection>\n"
                )  # fmt: skip
            else:
                selections.append(
                    f'<PlainTextSelection guid="{selection[h]}" startPosition="{start}" '
                    f'endPosition="{end}" creatingUser="{creator}" '
                    f'creationDateTime="{codings.created[i]}">'
                    + "".join(inner) + "</PlainTextSelection>\n"
                )  # fmt: skip
    if not audio:
        yield (
            f"<TextSource{_attrs(guid=guid, name=name, plainTextPath=f'internal://{file_name}', creationDateTime=doc['imported_at'])}>\n"
        )  # fmt: skip
        yield from selections
        yield notes
        yield from values
        yield "</TextSource>\n"
        return
    media = clean(doc.get("media")) if isinstance(doc.get("media"), str) else ""
    yield f"<AudioSource{_attrs(guid=guid, name=name, path=f'relative://medias/{media}' if media else None, creationDateTime=doc['imported_at'])}>\n"  # fmt: skip
    yield (
        f"<Transcript{_attrs(guid=_guid(guid, 'transcription'), name=name, plainTextPath=f'internal://{file_name}')}>\n"
    )  # fmt: skip
    starts = unit(moved(shared, cues["start"].to_numpy(dtype=np.int64), "start"))
    ends = unit(moved(shared, cues["end"].to_numpy(dtype=np.int64), "end"))
    for k, (start, end, begin, finish) in enumerate(
        zip(starts, ends, cues["begin_ms"], cues["end_ms"], strict=True)
    ):
        yield (
            f'<SyncPoint guid="{_guid(guid, str(k), "a")}" timeStamp="{int(begin)}" position="{int(start)}"/>'
            f'<SyncPoint guid="{_guid(guid, str(k), "b")}" timeStamp="{int(finish)}" position="{int(end)}"/>\n'
        )  # fmt: skip
    yield from points
    yield from selections
    yield "</Transcript>\n"
    yield notes
    yield from values
    yield "</AudioSource>\n"


def export_qdpx(
    project: Project,
    path: Path | str,
    *,
    positions: str = "points",
    transcripts: str = "audio",
) -> Path:
    """Write the project as a REFI-QDA ``.qdpx`` archive (its shareable form, see
    ``project_xml`` for the options) through the privacy gate; returns its path.

    Raises ``ExportError`` for a name without ``.qdpx``, an unknown option, a destination inside
    ``prive/``, or when the archive read back still holds a real name (nothing is written then)."""
    path = Path(path)
    if path.suffix.lower() != ".qdpx":
        raise ExportError(f"« {path.name} » : un projet REFI-QDA doit avoir l'extension .qdpx.")
    _check_options(positions, transcripts)
    texts: dict[str, str] = {}
    pieces = _pieces(project, texts, positions=positions, transcripts=transcripts)
    with ExportGate(project.root, path, what="REFI-QDA", single_file=True) as gate:
        # level 1: three times faster than the default, the archive barely larger
        with zipfile.ZipFile(gate.target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            with archive.open("project.qde", "w") as stream:
                batch: list[str] = []
                for piece in pieces:  # streamed: the whole XML is never held in memory
                    batch.append(piece)
                    if len(batch) == 4096:
                        stream.write("".join(batch).encode("utf-8"))
                        batch.clear()
                stream.write("".join(batch).encode("utf-8"))
            for name, text in texts.items():
                archive.writestr(f"sources/{name}", text.encode("utf-8"))
    return gate.files[0]
