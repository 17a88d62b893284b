"""Codebooks alone: REFI-QDA ``.qdc`` files (``urn:QDA-XML:codebook:1.0``) read and written, and
the ``CodeBook`` element both formats share.

A code's ``Description`` carries its definition, then its inclusion and exclusion criteria, an
example and its keywords, one labelled paragraph each (``qdaxml.describe_code``), so that tools
without those fields still show them and miam_qual reads them back into their fields. ATLAS.ti
code groups (``Sets`` of ``MemberCode``) become keywords of their member codes. Taguette writes
the hierarchy into names (``parent\\child``): the tree is rebuilt.

The exported codebook leaves the project like any file: names are pseudonymised and the file goes
through the privacy gate.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from ..codebook import Codebook
from ..errors import ExportError, UnreadableFile
from ..privacy.gate import ExportGate
from ..privacy.pseudonyms import Pseudonyms
from ..sources.limits import MAX_MEMBER_BYTES
from . import qdaxml as qx
from .model import Exchange, XCode, guid_key

if TYPE_CHECKING:
    from ..project import Project


def read_codes(book: etree._Element, *, where: str, ex: Exchange) -> list[XCode]:
    """The codes of a ``CodeBook`` element, parents before children, in file order.

    Raises ``UnreadableFile`` for a code without a name or a GUID used twice."""
    codes: list[XCode] = []
    seen: dict[str, XCode] = {}
    holder = qx.child(book, "Codes")
    if holder is None:
        return codes
    stack: list[tuple[etree._Element, str | None]] = [
        (element, None) for element in reversed(list(qx.children(holder, "Code")))
    ]
    while stack:
        element, parent = stack.pop()
        at = qx.place(where, element)
        name = (element.get("name") or "").strip()
        if not name:
            raise UnreadableFile(f"{at} : code sans nom (attribut « name » obligatoire).")
        key = guid_key(element.get("guid"))
        if not key:
            key = str(uuid.uuid4())
            ex.adapted.append(
                f"{at} : le code « {name} » n'avait pas de GUID ; un GUID lui est donné."
            )
        if key in seen:
            raise UnreadableFile(
                f"{at} : le GUID {element.get('guid')} désigne deux codes (« {seen[key].name} » et "
                f"« {name} ») : le fichier est incohérent. Exportez-le à nouveau."
            )
        colour, adapted = qx.color(element.get("color"))
        if adapted:
            ex.adapted.append(
                f"{at} : couleur « {element.get('color')} » de « {name} » "
                + (f"lue comme {colour}." if colour else "illisible, ignorée.")
            )
        parts = qx.split_description(qx.child_text(element, "Description"))
        code = XCode(
            key=key,
            guid=element.get("guid") or key,
            name=name,
            parent=parent,
            codable=qx.boolean(element.get("isCodable"), True),
            color=colour,
            definition=str(parts["definition"]),
            inclusion=str(parts.get("inclusion", "")),
            exclusion=str(parts.get("exclusion", "")),
            example=str(parts.get("example", "")),
            keywords=tuple(parts["keywords"]),  # type: ignore[arg-type]
            notes=[guid_key(n.get("targetGUID")) for n in qx.children(element, "NoteRef")],
            where=at,
        )
        seen[key] = code
        codes.append(code)
        stack.extend((c, key) for c in reversed(list(qx.children(element, "Code"))))
    if "taguette" in ex.origin.casefold():
        codes = _unflatten(codes, ex)
    return codes


def _unflatten(codes: list[XCode], ex: Exchange) -> list[XCode]:
    """Rebuild the tree Taguette writes into names (``parent\\child``)."""
    if not any("\\" in c.name for c in codes if c.parent is None):
        return codes
    by_path: dict[tuple[str, ...], XCode] = {}
    result: list[XCode] = []
    for code in codes:
        if code.parent is not None or "\\" not in code.name:
            by_path.setdefault((code.name,), code)
            result.append(code)
            continue
        parts = [p.strip() for p in code.name.split("\\") if p.strip()]
        parent = None
        for depth in range(1, len(parts)):
            path = tuple(parts[:depth])
            if path not in by_path:
                made = XCode(
                    key=str(uuid.uuid5(uuid.NAMESPACE_URL, "taguette:" + "\\".join(path))),
                    guid="", name=parts[depth - 1], parent=parent, codable=False,
                )  # fmt: skip
                by_path[path] = made
                result.append(made)
            parent = by_path[path].key
        code.name, code.parent = parts[-1], parent
        by_path[tuple(parts)] = code
        result.append(code)
    ex.adapted.append("Les noms de codes « parent\\enfant » (Taguette) redonnent l'arborescence.")
    order = {c.key: i for i, c in enumerate(result)}
    # parents before children, as the applier expects
    result.sort(key=lambda c: (_depth(c, {x.key: x for x in result}), order[c.key]))
    return result


def _depth(code: XCode, codes: dict[str, XCode]) -> int:
    depth = 0
    while code.parent is not None:
        code = codes[code.parent]
        depth += 1
    return depth


def read_qdc(path: Path | str) -> Exchange:
    """Read a ``.qdc`` codebook. Raises ``UnreadableFile`` naming the file and the line."""
    path = Path(path)
    label = f"« {path.name} »"
    try:
        size = path.stat().st_size
    except OSError:
        raise UnreadableFile(f"{label} : fichier introuvable ({path}).") from None
    if size > MAX_MEMBER_BYTES:
        raise UnreadableFile(f"{label} : fichier trop volumineux pour un livre de codes.")
    root = qx.parse_xml(path.read_bytes(), where=label)
    if qx.local(root) != "CodeBook":
        raise UnreadableFile(
            f"{label} : l'élément racine est « {qx.local(root)} », pas « CodeBook » : ce n'est "
            "pas un livre de codes REFI-QDA (.qdc)."
        )
    ex = Exchange(label=path.name, origin=root.get("origin") or "", name=path.stem)
    ex.codes = read_codes(root, where=label, ex=ex)
    codes = {c.key: c for c in ex.codes}
    sets = qx.child(root, "Sets")
    for group in qx.children(sets, "Set") if sets is not None else ():
        name = (group.get("name") or "").strip()
        for member in qx.children(group, "MemberCode"):
            code = codes.get(guid_key(member.get("guid") or member.get("targetGUID")))
            if code is not None and name and name not in code.keywords:
                code.keywords = (*code.keywords, name)
        if name:
            ex.adapted.append(
                f"{label} : le groupe de codes « {name} » devient un mot-clé de ses codes."
            )
    return ex


# -- writing ----------------------------------------------------------------------------------
def add_codes(
    parent: etree._Element,
    book: Codebook,
    namespace: str,
    clean,
    note_refs: dict[str, list[str]] | None = None,
) -> None:
    """Append ``book``'s codes as nested ``Code`` elements (with ``NoteRef`` in a project)."""
    holder = etree.SubElement(parent, f"{{{namespace}}}Codes")
    kids: dict[str | None, list] = {}
    for code in book:
        kids.setdefault(code.parent, []).append(code)
    stack = [(holder, code) for code in reversed(kids.get(None, []))]
    while stack:
        element, code = stack.pop()
        attributes = {
            "guid": code.guid,
            "name": clean(code.label),
            "isCodable": "true" if code.codable else "false",
        }
        if code.color:
            attributes["color"] = code.color
        node = etree.SubElement(element, f"{{{namespace}}}Code", attributes)
        text = qx.describe_code(
            clean(code.definition), inclusion=clean(code.inclusion),
            exclusion=clean(code.exclusion), example=clean(code.example),
            keywords=[clean(k) for k in code.keywords],
        )  # fmt: skip
        if text:
            etree.SubElement(node, f"{{{namespace}}}Description").text = text
        for note in (note_refs or {}).get(code.guid, []):
            etree.SubElement(node, f"{{{namespace}}}NoteRef", {"targetGUID": note})
        stack.extend((node, child) for child in reversed(kids.get(code.id, [])))


def build_codebook_xml(project: Project) -> etree._Element:
    """The project's codebook as a ``.qdc`` ``CodeBook`` element, names pseudonymised."""
    pseudonyms = Pseudonyms.load(project.root)
    book = project.codebook
    root = etree.Element(f"{{{qx.CODEBOOK_NS}}}CodeBook", nsmap={None: qx.CODEBOOK_NS})
    root.set("origin", "miam_qual")
    if not len(book):
        raise ExportError(
            "Le livre de codes est vide : il n'y a rien à exporter (un fichier .qdc contient au "
            "moins un code)."
        )
    add_codes(root, book, qx.CODEBOOK_NS, lambda text: pseudonyms.apply(text or ""))
    return root


def export_qdc(project: Project, path: Path | str) -> Path:
    """Write the project's codebook as a REFI-QDA ``.qdc`` file through the privacy gate;
    returns its path.

    Raises ``ExportError`` for a name without ``.qdc``, an empty codebook, a destination inside
    ``prive/``, or when the file read back still holds a real name (nothing is written then)."""
    path = Path(path)
    if path.suffix.lower() != ".qdc":
        raise ExportError(
            f"« {path.name} » : un livre de codes REFI-QDA doit avoir l'extension .qdc."
        )
    xml = etree.tostring(
        build_codebook_xml(project), xml_declaration=True, encoding="utf-8", pretty_print=True
    )
    with ExportGate(project.root, path, what="livre de codes REFI-QDA", single_file=True) as gate:
        gate.target.write_bytes(xml)
    return gate.files[0]
