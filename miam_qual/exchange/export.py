"""REFI-QDA exchange: write a project as a ``.qdpx`` archive (QDA-XML 1.0, ``urn:QDA-XML:project:1.0``).

The store maps one to one onto the standard, so export is a walk over it: coders → ``Users``,
the codebook → nested ``Code`` elements, declared attributes → ``Variables``, participants →
``Cases``, documents → ``TextSource`` (plain text in ``sources/<guid>.txt``, UTF-8 without BOM, ``\\n``
line endings, positions in code points, as the specification counts), selections →
``PlainTextSelection`` with their ``Coding`` elements, memos → ``Notes`` with ``NoteRef``.

This is an exchange with other analysis tools (NVivo, ATLAS.ti, MAXQDA, QualCoder): it carries
full texts, so it honours the *analysis* consent, replaces real names and passes the privacy gate
like every other export (see ``build_project_xml``).
"""

from __future__ import annotations

import uuid
import zipfile
from pathlib import Path

from lxml import etree

from ..errors import ExportError
from ..privacy.consent import ConsentCheck
from ..privacy.gate import ExportGate
from ..privacy.pseudonyms import Pseudonyms
from ..privacy.redact import Redacted, redact
from ..project import Project

NAMESPACE = "urn:QDA-XML:project:1.0"
_VARIABLE_NAMESPACE = uuid.UUID("0b7e4c1e-9a57-4f43-a6a5-6d69616d7661")
_TYPES = {
    "texte": "Text",
    "choix": "Text",
    "date": "Date",
    "entier": "Integer",
    "booleen": "Boolean",
}


def variable_guid(name: str) -> str:
    """Stable GUID of a declared attribute."""
    return str(uuid.uuid5(_VARIABLE_NAMESPACE, name))


def _el(parent: etree._Element, tag: str, **attributes: object) -> etree._Element:
    clean = {k: str(v) for k, v in attributes.items() if v is not None and v != ""}
    return etree.SubElement(parent, f"{{{NAMESPACE}}}{tag}", clean)


def _value(parent: etree._Element, spec_type: str, name: str, value: str) -> None:
    holder = _el(parent, "VariableValue")
    _el(holder, "VariableRef", targetGUID=variable_guid(name))
    if spec_type == "booleen":
        _el(holder, "BooleanValue").text = "true" if value == "oui" else "false"
    elif spec_type == "entier":
        _el(holder, "IntegerValue").text = value
    elif spec_type == "date" and len(value) == 10:
        _el(holder, "DateValue").text = value
    else:  # a month-precision date stays text rather than being invented into a day
        _el(holder, "TextValue").text = value


def build_project_xml(project: Project) -> tuple[etree._Element, dict[str, str]]:
    """The ``Project`` element and the plain texts to store, as ``{file name: text}``, in their
    shareable form.

    The archive leaves the project, so: the words of anyone who did not consent to *analysis* are
    withheld (their turns replaced by a short notice, a document that is all theirs left out,
    their case, memos and codings dropped), and every text — sources, names of documents, codes,
    cases and users, descriptions, attribute values, memos — has real names replaced by
    pseudonyms. Positions are carried over to the rewritten texts, so every coded passage still
    covers the same words.
    """
    pseudonyms = Pseudonyms.load(project.root)
    check = ConsentCheck(project)

    def clean(value: object) -> str:
        return pseudonyms.apply(str(value)) if value is not None else ""

    root = etree.Element(f"{{{NAMESPACE}}}Project", nsmap={None: NAMESPACE})
    root.set("name", clean(project.name))
    root.set("origin", "miam_qual")
    coders = project.coders()
    user_guid = dict(zip(coders["coder"], coders["coder_id"], strict=True))
    if len(coders):
        users = _el(root, "Users")
        for name, guid in user_guid.items():
            _el(users, "User", guid=guid, name=clean(name))

    documents = project.documents()
    redacted: dict[str, Redacted] = {}
    for doc in documents["document_id"]:
        text = project.text(doc)
        withheld = check.spans_without("analyse", [doc], unknown=True).get(doc)
        spans = list(zip(*withheld, strict=True)) if withheld is not None else []
        if spans and _covers_all_words(text, spans):
            continue  # the whole document is the words of someone who refused analysis
        redacted[doc] = redact(text, pseudonyms, withheld=spans)
    documents = documents[documents["document_id"].isin(redacted)].reset_index(drop=True)
    people = project.participants()
    refusing = {p for p in people["participant"] if not check.allows(p, "analyse")}
    people = people[~people["participant"].isin(refusing)]
    codings = project.codings()
    codings = codings[codings["document_id"].isin(redacted)]
    codings = codings[
        [
            not redacted[d].overlaps_withheld(int(s), int(e))
            for d, s, e in zip(
                codings["document_id"], codings["start"], codings["end"], strict=True
            )
        ]
    ]
    kept_targets = (
        set(codings["coding_id"]) | set(redacted) | {c.guid for c in project.codebook}
        | set(people["participant_id"]) | {"project"}
    )  # fmt: skip
    notes = project.memos()
    notes = notes[notes["target_id"].isin(kept_targets)].reset_index(drop=True)
    refs: dict[str, list[str]] = {}
    for note in notes.itertuples():
        refs.setdefault(note.target_id, []).append(note.note_id)

    book = project.codebook
    if len(book):
        codes = _el(_el(root, "CodeBook"), "Codes")

        def add(parent: etree._Element, code_id: str) -> None:
            code = book.get(code_id)
            element = _el(
                parent,
                "Code",
                guid=code.guid,
                name=clean(code.label),
                isCodable=str(code.codable).lower(),
                color=code.color,
            )
            if code.definition:
                _el(element, "Description").text = clean(code.definition)
            for note_id in refs.get(code.guid, []):
                _el(element, "NoteRef", targetGUID=note_id)
            for child in book.children(code_id):
                add(element, child.id)

        for theme in book.themes():
            add(codes, theme.id)

    specs = project.config.attributes
    if specs:
        variables = _el(root, "Variables")
        for spec in specs.values():
            variable = _el(
                variables,
                "Variable",
                guid=variable_guid(spec.name),
                name=spec.name,
                typeOfVariable=_TYPES[spec.type],
            )
            _el(variable, "Description").text = clean(spec.label)

    if len(people):
        cases = _el(root, "Cases")
        for person in people.itertuples():
            case = _el(cases, "Case", guid=person.participant_id, name=clean(person.participant))
            for name, spec in specs.items():
                value = getattr(person, name, None)
                if spec.scope == "participant" and isinstance(value, str):
                    _value(case, spec.type, name, clean(value))
            if "participant" in documents:
                for guid in documents.loc[
                    documents["participant"] == person.participant, "document_id"
                ]:
                    _el(case, "SourceRef", targetGUID=guid)

    texts: dict[str, str] = {}
    if len(documents):
        sources = _el(root, "Sources")
        for doc in documents.to_dict("records"):
            file_name = f"{doc['document_id']}.txt"
            shared = redacted[doc["document_id"]]
            texts[file_name] = shared.text
            source = _el(
                sources,
                "TextSource",
                guid=doc["document_id"],
                name=clean(doc["document"]),
                plainTextPath=f"internal://{file_name}",
                creationDateTime=doc["imported_at"],
            )
            mine = codings[codings["document_id"] == doc["document_id"]]
            for selection_id, group in mine.groupby("selection_id", sort=False):
                first = group.iloc[0]
                start = shared.position(int(first["start"]), side="start")
                end = shared.position(int(first["end"]), side="end")
                selection = _el(
                    source,
                    "PlainTextSelection",
                    guid=selection_id,
                    name=shared.text[start:end][:60],
                    startPosition=start,
                    endPosition=end,
                    creatingUser=user_guid[first["coder"]],
                    creationDateTime=first["created_at"],
                )
                for row in group.itertuples():
                    coding = _el(
                        selection,
                        "Coding",
                        guid=row.coding_id,
                        creatingUser=user_guid[row.coder],
                        creationDateTime=row.created_at,
                    )
                    _el(coding, "CodeRef", targetGUID=book.get(row.code_id).guid)
                    for note_id in refs.get(row.coding_id, []):
                        _el(coding, "NoteRef", targetGUID=note_id)
            for note_id in refs.get(doc["document_id"], []):
                _el(source, "NoteRef", targetGUID=note_id)
            for name, spec in specs.items():
                value = doc.get(name)
                if spec.scope == "document" and isinstance(value, str) and value not in refusing:
                    _value(source, spec.type, name, clean(value))

    if len(notes):
        holder = _el(root, "Notes")
        for note in notes.itertuples():
            element = _el(
                holder,
                "Note",
                guid=note.note_id,
                name=clean(f"Mémo · {note.target}"),
                creatingUser=user_guid.get(note.author),
                creationDateTime=note.created_at,
            )
            _el(element, "PlainTextContent").text = clean(note.text)
    attached = {n for ids in refs.values() for n in ids} - {
        n for kind, target, n in zip(notes["target_kind"], notes["target_id"], notes["note_id"], strict=True)
        if kind in ("participant", "project")
    }  # fmt: skip
    for note_id in notes["note_id"]:
        if note_id not in attached:  # participant and project memos hang on the project
            _el(root, "NoteRef", targetGUID=note_id)
    return root, texts


def _covers_all_words(text: str, spans: list[tuple[int, int]]) -> bool:
    """Whether ``spans`` hold every letter or digit of ``text``."""
    covered = bytearray(len(text))
    for start, end in spans:
        covered[start:end] = b"\x01" * (end - start)
    return not any(not covered[i] and c.isalnum() for i, c in enumerate(text))


def export_qdpx(project: Project, path: Path | str) -> Path:
    """Write the project as a REFI-QDA ``.qdpx`` archive (its shareable form, see
    ``build_project_xml``) through the privacy gate; returns its path.

    Raises ``ExportError`` for a name without ``.qdpx``, a destination inside ``prive/``, or when
    the archive read back still holds a real name (nothing is written then)."""
    path = Path(path)
    if path.suffix.lower() != ".qdpx":
        raise ExportError(f"« {path.name} » : un projet REFI-QDA doit avoir l'extension .qdpx.")
    root, texts = build_project_xml(project)
    xml = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    with ExportGate(project.root, path, what="REFI-QDA", single_file=True) as gate:
        with zipfile.ZipFile(gate.target, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("project.qde", xml)
            for name, text in texts.items():
                archive.writestr(f"sources/{name}", text.encode("utf-8"))
    return gate.files[0]
