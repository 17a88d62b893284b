"""Reading a ``.qdpx`` archive as its producer wrote it, into an :class:`~.model.Exchange`.

Lenient where real files differ (see ``../shared/refi-qda/NOTES.md``): the XML may be
``project.qde`` or a single ``<name>.qde``, sources under ``sources/`` or ``Sources/``, paths with
or without ``internal://``, GUIDs in either case or in braces, colours in several forms, dates or
users missing, a ``.txt`` with a BOM and CRLF. Each adaptation is listed in ``Exchange.adapted``;
what cannot be kept (pictures, PDF and audio regions, sources without text, links, graphs) in
``Exchange.lost``. Strict where the file is broken: a damaged archive, malformed XML, a position
outside its text, a coding on a code that does not exist raise ``UnreadableFile`` naming the file
and the line.

Positions are converted from the producer's unit (``positions.reading_for``: UTF-16 for NVivo…;
measured on word boundaries when the origin does not say) into offsets of the normalised text.
"""

from __future__ import annotations

import posixpath
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..errors import UnreadableFile
from ..sources.limits import MAX_TEXT_BYTES
from ..text import decode_bytes
from . import qdaxml as qx
from .archive import Archive
from .codebook_xml import read_codes
from .model import (
    Exchange,
    XCase,
    XCoding,
    XNote,
    XSelection,
    XSource,
    XTimecode,
    XVariable,
    guid_key,
)
from .positions import LINE_RULES, UNITS, Reading, SourceText, reading_for

#: How miam_qual's export writes a questionnaire answer's name (``enquete.csv#R1`` → ``enquete#R1.csv``).
_EXPORTED_ANSWER = re.compile(r"(.+)(#[^#./]+)(\.(?:csv|xlsx|tsv|ods))", re.IGNORECASE)
#: The variable that carries the sets a source belongs to (an attribute « ensemble »).
SETS_KEY = "__ensembles__"


@dataclass
class _RawSelection:
    start: int
    end: int
    selection: XSelection


@dataclass
class _RawSource:
    source: XSource
    text: SourceText
    selections: list[_RawSelection] = field(default_factory=list)
    sync: list[tuple[str, int, int]] = field(default_factory=list)  # (key, position, ms)
    pairs: bool = False  # sync points written two per cue (miam_qual), else a polyline


def read_qdpx(path: Path | str, *, reading: Reading | None = None) -> Exchange:
    """Read a ``.qdpx`` archive; ``reading`` forces how positions count (default: from the
    producer, measured when it does not say). Raises ``UnreadableFile`` (file and line)."""
    path = Path(path)
    if not path.is_file():
        raise UnreadableFile(f"« {path.name} » : fichier introuvable ({path}).")
    archive = Archive(path)
    try:
        return _Reader(archive, reading).read()
    finally:
        archive.close()


class _Reader:
    def __init__(self, archive: Archive, reading: Reading | None):
        self.archive = archive
        self.forced = reading
        self.raw: list[_RawSource] = []
        self.names: dict[str, int] = {}

    def read(self) -> Exchange:
        member, data = self.archive.project_xml()
        self.where = f"{self.archive.label} › {member}"
        root = qx.parse_xml(data, where=self.where)
        if qx.local(root) != "Project":
            raise UnreadableFile(
                f"{self.where} : l'élément racine est « {qx.local(root)} », pas « Project » : ce "
                "n'est pas un projet REFI-QDA."
            )
        ex = Exchange(
            label=self.archive.path.name, path=self.archive.path, origin=root.get("origin") or ""
        )
        ex.name = root.get("name") or self.archive.path.stem
        self.ex = ex
        for element in qx.children(root, "Users"):
            for user in qx.children(element, "User"):
                key = guid_key(user.get("guid"))
                ex.users[key] = (user.get("name") or user.get("id") or key).strip() or key
        book = qx.child(root, "CodeBook")
        if book is not None:
            ex.codes = read_codes(book, where=self.where, ex=ex)
        self._variables(root)
        self._notes(root)
        sources = qx.child(root, "Sources")
        if sources is not None:
            for element in sources:
                kind = qx.local(element)
                if kind == "TextSource":
                    self._text_source(element, element)
                elif kind == "PDFSource":
                    self._pdf_source(element)
                elif kind in ("AudioSource", "VideoSource"):
                    self._media_source(element)
                elif kind == "PictureSource":
                    self._lose(element, "image")
        self._cases(root)
        self._sets(root)
        for kind, french in (("Links", "lien"), ("Graphs", "graphe")):
            holder = qx.child(root, kind)
            if holder is not None and len(holder):
                ex.lost.append(f"{len(holder)} {french}(s) : miam_qual n'en a pas l'équivalent.")
        ex.description = qx.child_text(root, "Description").strip()
        ex.project_notes = [guid_key(n.get("targetGUID")) for n in qx.children(root, "NoteRef")]
        self._positions()
        self._check_refs()
        return ex

    # -- helpers ----------------------------------------------------------------------------------
    def _user(self, key: str | None) -> str | None:
        if not key:
            return None
        return self.ex.users.get(guid_key(key))

    def _name(self, wanted: str, element: etree._Element) -> str:
        """A unique source name: ``wanted``, or ``wanted (2)``… (listed as adapted). A
        questionnaire answer miam_qual exported as ``x#R1.csv`` gets its name ``x.csv#R1`` back."""
        name = wanted.strip() or "Source sans nom"
        if self.ex.origin.startswith("miam_qual"):
            match = _EXPORTED_ANSWER.fullmatch(name)
            if match:
                name = f"{match.group(1)}{match.group(3)}{match.group(2)}"
        if name not in self.names:
            self.names[name] = 1
            return name
        self.names[name] += 1
        unique = f"{name} ({self.names[name]})"
        while unique in self.names:
            self.names[name] += 1
            unique = f"{name} ({self.names[name]})"
        self.names[unique] = 1
        self.ex.adapted.append(
            f"{qx.place(self.where, element)} : deux sources s'appellent « {name} » ; la seconde "
            f"devient « {unique} »."
        )
        return unique

    def _lose(self, element: etree._Element, what: str) -> None:
        codings = len(element.findall(".//{*}Coding"))
        name = element.get("name") or element.get("guid") or "?"
        self.ex.lost.append(
            f"{what} « {name} » ({qx.place(self.where, element)}) : non importée, miam_qual ne "
            f"traite que du texte" + (f" ; {codings} codage(s) perdus." if codings else ".")
        )

    def _text_of(
        self, element: etree._Element, path_attribute: str = "plainTextPath"
    ) -> str | None:
        """The raw text of a text source, transcript or note (inline or in the archive)."""
        content = qx.child(element, "PlainTextContent")
        reference = element.get(path_attribute)
        if content is not None:
            return content.text or ""
        if not reference:
            return None
        lowered = reference.strip().casefold()
        if lowered.startswith(("relative://", "absolute://", "file:")):
            return None  # outside the archive: never read from the disk
        member = self.archive.source(reference)
        if member is None:
            raise UnreadableFile(
                f"{qx.place(self.where, element)} : le texte « {reference} » est absent de "
                "l'archive. Exportez à nouveau le projet depuis le logiciel d'origine."
            )
        data = self.archive.read(member, limit=MAX_TEXT_BYTES)
        if not data.strip():
            return ""
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text, encoding = decode_bytes(data, filename=member.filename)
            self.ex.adapted.append(
                f"{self.archive.label} › {member.filename} : texte en {encoding}, pas en UTF-8."
            )
            return text

    def _values(self, element: etree._Element) -> dict[str, str]:
        values = {}
        for holder in qx.children(element, "VariableValue"):
            ref = qx.child(holder, "VariableRef")
            if ref is None:
                continue
            for kind in ("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue",
                         "DateTimeValue"):  # fmt: skip
                found = qx.child(holder, kind)
                if found is not None and (found.text or "").strip():
                    values[guid_key(ref.get("targetGUID"))] = found.text.strip()
        return values

    def _selection(self, element: etree._Element, start: int, end: int) -> XSelection:
        """A selection and its codings, read in one pass over its children (the hot path of a
        large import: lxml's path searches cost more than the walk)."""
        user = self._user(element.get("creatingUser"))
        created = qx.date_time(element.get("creationDateTime"))
        codings, notes, comment = [], [], ""
        for item in element:
            kind = qx.local(item)
            if kind == "Coding":
                code, coding_notes = None, []
                for part in item:
                    part_kind = qx.local(part)
                    if part_kind == "CodeRef":
                        code = guid_key(part.get("targetGUID"))
                    elif part_kind == "NoteRef":
                        coding_notes.append(guid_key(part.get("targetGUID")))
                if code is None:
                    raise UnreadableFile(
                        f"{qx.place(self.where, item)} : codage sans CodeRef (quel code ?)."
                    )
                codings.append(
                    XCoding(
                        code=code,
                        coder=self._user(item.get("creatingUser")) or user,
                        created_at=qx.date_time(item.get("creationDateTime")) or created,
                        guid=item.get("guid") or "",
                        notes=coding_notes,
                    )
                )
            elif kind == "NoteRef":
                notes.append(guid_key(item.get("targetGUID")))
            elif kind == "Description":
                comment = (item.text or "").strip()
        return XSelection(
            start=start, end=end, text="", codings=codings, guid=element.get("guid") or "",
            coder=user, created_at=created, comment=comment, notes=notes,
            where=qx.place(self.where, element),
        )  # fmt: skip

    def _position(self, element: etree._Element, attribute: str) -> int:
        value = element.get(attribute)
        try:
            return int(str(value).strip())
        except ValueError:
            raise UnreadableFile(
                f"{qx.place(self.where, element)} : {attribute} « {value} » n'est pas un nombre "
                "entier."
            ) from None

    # -- sources ----------------------------------------------------------------------------------
    def _text_source(
        self, element: etree._Element, owner: etree._Element, *, name: str | None = None
    ) -> _RawSource | None:
        """A TextSource (or a PDF's Representation); ``owner`` carries name, notes, values."""
        raw_text = self._text_of(element)
        label = name or owner.get("name") or ""
        if not label.strip():
            reference = element.get("plainTextPath") or ""
            label = posixpath.basename(reference.split("://")[-1]) or "Source sans nom"
        if raw_text is None or not raw_text.strip():
            selections = len(element.findall(".//{*}PlainTextSelection"))
            self.ex.lost.append(
                f"source « {label} » ({qx.place(self.where, element)}) : sans texte, non importée"
                + (f" ; {selections} passage(s) codé(s) perdus." if selections else ".")
            )
            return None
        text = SourceText(raw_text)
        source = XSource(
            key=guid_key(owner.get("guid")) or uuid.uuid4().hex,
            guid=owner.get("guid") or "",
            name=self._name(label, owner),
            text=text.text,
            values=self._values(owner),
            notes=[guid_key(n.get("targetGUID")) for n in qx.children(owner, "NoteRef")],
            description=qx.child_text(owner, "Description").strip(),
            created_at=qx.date_time(owner.get("creationDateTime")),
            where=qx.place(self.where, owner),
        )
        raw = _RawSource(source, text)
        for selection in qx.children(element, "PlainTextSelection"):
            start = self._position(selection, "startPosition")
            end = self._position(selection, "endPosition")
            raw.selections.append(_RawSelection(start, end, self._selection(selection, start, end)))
        whole = list(qx.children(element, "Coding"))
        if whole:
            holder = etree.Element("Whole")
            holder.extend(whole)
            selection = self._selection(holder, 0, 0)
            selection.where = qx.place(self.where, element)
            raw.selections.append(_RawSelection(-1, -1, selection))  # the whole text
            self.ex.adapted.append(
                f"« {source.name} » : {len(whole)} codage(s) portent sur toute la source ; ils "
                "deviennent des codages de tout son texte."
            )
        self.raw.append(raw)
        self.ex.sources.append(source)
        return raw

    def _pdf_source(self, element: etree._Element) -> None:
        representation = qx.child(element, "Representation")
        regions = list(qx.children(element, "PDFSelection"))
        if representation is None:
            self._lose(element, "PDF")
            return
        self._text_source(representation, element)
        if regions:
            codings = sum(len(list(qx.children(r, "Coding"))) for r in regions)
            self.ex.lost.append(
                f"PDF « {element.get('name') or '?'} » : {len(regions)} zone(s) de page "
                f"({codings} codage(s)) non importées ; le texte du PDF et ses passages le sont."
            )

    def _media_source(self, element: etree._Element) -> None:
        kind = "vidéo" if qx.local(element) == "VideoSource" else "audio"
        transcripts = list(qx.children(element, "Transcript"))
        regions = [e for e in element if qx.local(e) in ("AudioSelection", "VideoSelection")]
        if regions:
            codings = sum(len(list(qx.children(r, "Coding"))) for r in regions)
            self.ex.lost.append(
                f"{kind} « {element.get('name') or '?'} » : {len(regions)} extrait(s) minuté(s) "
                f"({codings} codage(s)) non importés ; seules les transcriptions le sont."
            )
        if not transcripts:
            self._lose(element, f"enregistrement {kind}")
            return
        media = element.get("path") or element.get("currentPath") or ""
        media_name = posixpath.basename(media.replace("\\", "/").split("://")[-1]) or None
        for number, transcript in enumerate(transcripts, start=1):
            name = element.get("name") or transcript.get("name") or ""
            if len(transcripts) > 1:
                name = f"{name} — {transcript.get('name') or number}"
            raw = self._text_source(transcript, element, name=name)
            if raw is None:
                continue
            raw.source.media = media_name
            raw.pairs = "miam_qual" in self.ex.origin
            points = {}
            for point in qx.children(transcript, "SyncPoint"):
                key = guid_key(point.get("guid"))
                position = self._position(point, "position") if point.get("position") else None
                stamp = self._position(point, "timeStamp") if point.get("timeStamp") else None
                points[key] = (position, stamp, point)
            used = set()
            for selection in qx.children(transcript, "TranscriptSelection"):
                ends: list[int] = []
                for attribute in ("fromSyncPoint", "toSyncPoint"):
                    key = guid_key(selection.get(attribute))
                    position = points[key][0] if key in points else None
                    if position is None:
                        raise UnreadableFile(
                            f"{qx.place(self.where, selection)} : {attribute} désigne un point "
                            "de synchronisation absent ou sans position."
                        )
                    ends.append(position)
                    used.add(key)
                raw.selections.append(
                    _RawSelection(ends[0], ends[1], self._selection(selection, *ends))
                )
            raw.sync = sorted(
                (key, pos, ms)
                for key, (pos, ms, _el) in points.items()
                if key not in used and pos is not None and ms is not None
            )
            raw.sync.sort(key=lambda s: (s[1], s[2]))

    # -- everything else --------------------------------------------------------------------------
    def _variables(self, root: etree._Element) -> None:
        holder = qx.child(root, "Variables")
        if holder is None:
            return
        for variable in qx.children(holder, "Variable"):
            self.ex.variables.append(
                XVariable(
                    key=guid_key(variable.get("guid")),
                    name=(variable.get("name") or "").strip(),
                    type=(variable.get("typeOfVariable") or "Text").strip(),
                    description=qx.child_text(variable, "Description").strip(),
                )
            )

    def _cases(self, root: etree._Element) -> None:
        holder = qx.child(root, "Cases")
        if holder is None:
            return
        for case in qx.children(holder, "Case"):
            name = (case.get("name") or "").strip() or f"Cas {len(self.ex.cases) + 1}"
            refs = list(qx.children(case, "CodeRef")) + list(qx.children(case, "SelectionRef"))
            if refs:
                self.ex.lost.append(
                    f"cas « {name} » : {len(refs)} lien(s) vers des codes ou des passages non "
                    "importés (miam_qual relie un participant à ses documents)."
                )
            self.ex.cases.append(
                XCase(
                    key=guid_key(case.get("guid")),
                    name=name,
                    values=self._values(case),
                    sources=[guid_key(r.get("targetGUID")) for r in qx.children(case, "SourceRef")],
                    notes=[guid_key(n.get("targetGUID")) for n in qx.children(case, "NoteRef")],
                    description=qx.child_text(case, "Description").strip(),
                )
            )

    def _notes(self, root: etree._Element) -> None:
        holder = qx.child(root, "Notes")
        if holder is None:
            return
        for note in qx.children(holder, "Note"):
            text = self._text_of(note)
            key = guid_key(note.get("guid"))
            if text is None or not text.strip():
                self.ex.lost.append(
                    f"mémo « {note.get('name') or key} » ({qx.place(self.where, note)}) : vide ou "
                    "hors de l'archive, non importé."
                )
                continue
            self.ex.notes[key] = XNote(
                key=key,
                name=(note.get("name") or "").strip(),
                text=SourceText(text).text.strip(),
                author=self._user(note.get("creatingUser")),
                created_at=qx.date_time(note.get("creationDateTime")),
            )

    def _sets(self, root: etree._Element) -> None:
        holder = qx.child(root, "Sets")
        if holder is None:
            return
        sources = {s.key: s for s in self.ex.sources}
        codes = {c.key: c for c in self.ex.codes}
        for group in qx.children(holder, "Set"):
            name = (group.get("name") or "").strip() or "ensemble"
            for member in qx.children(group, "MemberSource"):
                source = sources.get(guid_key(member.get("targetGUID")))
                if source is not None:
                    source.sets.append(name)
            for member in qx.children(group, "MemberCode"):
                code = codes.get(guid_key(member.get("targetGUID")))
                if code is not None and name not in code.keywords:
                    code.keywords = (*code.keywords, name)
            notes = list(qx.children(group, "MemberNote"))
            if notes:
                self.ex.lost.append(
                    f"ensemble « {name} » : {len(notes)} mémo(s) membres (les mémos importés "
                    "restent attachés à leur cible)."
                )
        grouped = [s for s in self.ex.sources if s.sets]
        if grouped:
            self.ex.variables.append(
                XVariable(SETS_KEY, "ensemble", "Text", "Ensembles de sources (REFI-QDA)")
            )
            for source in grouped:
                source.values[SETS_KEY] = " ; ".join(source.sets)

    # -- positions --------------------------------------------------------------------------------
    def _choose(self) -> Reading:
        if self.forced is not None:
            return self.forced
        known = reading_for(self.ex.origin)
        crlf = any("\r\n" in raw.text.raw for raw in self.raw if raw.selections)
        wide = any(not raw.text.raw.isascii() for raw in self.raw if raw.selections)
        units = [known.unit] if known is not None else (list(UNITS) if wide else ["points"])
        rules = [known.lines] if known is not None else ["brut"]
        if crlf and known is not None and known.lines == "brut":
            rules.append("lf")  # how a producer counts line endings is less settled
        elif crlf and known is None:
            rules = list(LINE_RULES)
        candidates = [Reading(unit, lines) for unit in units for lines in rules]
        if len(candidates) == 1:
            return candidates[0]
        best, best_score = candidates[0], -1.0
        for candidate in candidates:
            score, total = 0.0, 0
            valid = True
            for raw in self.raw:
                chosen = [s for s in raw.selections if s.start >= 0][:500]  # a sample suffices
                if not chosen:
                    continue
                result = raw.text.boundary_score(
                    [s.start for s in chosen], [s.end for s in chosen], candidate
                )
                if result is None:
                    valid = False
                    break
                score += result * len(chosen)
                total += len(chosen)
            if not valid:
                continue
            share = score / total if total else 1.0
            if share > best_score + 1e-9:  # the first (the producer's own) wins ties
                best, best_score = candidate, share
        return best

    def _positions(self) -> None:
        reading = self._choose()
        self.ex.reading = reading.describe()
        for raw in self.raw:
            source = raw.source
            length = raw.text.length(reading)
            for item in raw.selections:
                if item.start != -1 and not 0 <= item.start <= item.end <= length:
                    raise UnreadableFile(
                        f"{item.selection.where} : passage [{item.start}, {item.end}) hors du "
                        f"texte de « {source.name} » ({length} positions en "
                        f"{UNITS[reading.unit]}). L'export est incohérent : exportez à "
                        "nouveau le projet depuis le logiciel d'origine."
                    )
            whole = len(source.text)
            starts = raw.text.offsets(
                [max(i.start, 0) for i in raw.selections], reading, side="start"
            )
            ends = raw.text.offsets([max(i.end, 0) for i in raw.selections], reading, side="end")
            for item, start, end in zip(
                raw.selections, starts.tolist(), ends.tolist(), strict=True
            ):
                selection = item.selection
                if item.start == -1:  # coding on the whole source
                    start, end = 0, whole
                selection.start, selection.end = start, end
                selection.text = source.text[start:end]
                source.selections.append(selection)
            if raw.text.moved:
                self.ex.adapted.append(
                    f"« {source.name} » : {raw.text.moved} position(s) tombaient au milieu d'un "
                    "caractère (emoji, lettre accentuée composée) ; le passage a été élargi au "
                    "caractère entier."
                )
            points = [(raw.text.offset(p, reading, side="start"), ms) for _k, p, ms in raw.sync
                      if 0 <= p <= length]  # fmt: skip
            if raw.pairs:
                pairs = zip(points[0::2], points[1::2], strict=False)
            else:
                pairs = zip(points, points[1:], strict=False)
            source.timecodes = [
                XTimecode(a[0], b[0], a[1], b[1]) for a, b in pairs if b[0] > a[0] and b[1] >= a[1]
            ]

    def _check_refs(self) -> None:
        codes = {c.key for c in self.ex.codes}
        for source in self.ex.sources:
            for selection in source.selections:
                for coding in selection.codings:
                    if coding.code not in codes:
                        raise UnreadableFile(
                            f"{selection.where} : le codage renvoie au code {coding.code}, absent "
                            "du livre de codes de l'archive. Exportez à nouveau le projet depuis "
                            "le logiciel d'origine."
                        )
