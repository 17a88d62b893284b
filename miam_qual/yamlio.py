"""Reading YAML that people write by hand: fast, bounded, with line numbers and French messages.

Every YAML file miam_qual reads goes through :func:`load_yaml`: the codebook, ``projet.yml``,
``publication.yml``, Markdown front matter and the demo material. It parses with PyYAML's C
parser (libyaml) when available and builds the data in one pass over its events (the demo codebook
reads in 4 ms, against 120 ms with ruamel's round-trip loader), and returns plain data: :class:`YamlMap` and :class:`YamlList` are ``dict`` and ``list`` that also
remember the line of each key or item (:func:`line_of`) and how a non-text scalar was written
(:meth:`YamlMap.written`), so messages can cite lines and text fields keep ``01`` or ``non`` as
typed instead of YAML 1.1's ``1`` or ``False``.

Hostile or absurd input is refused before it costs much time or memory:

- files above ``max_bytes`` are refused before they are read;
- nesting deeper than ``max_depth`` is refused (the data is built with an explicit stack, so
  nothing recurses on the input's depth);
- aliases (``*nom``) are allowed, since they are legitimate YAML, but each one counts as the size
  of what it repeats: once the document, aliases expanded, holds more than ``max_nodes`` values,
  or uses more than ``max_aliases`` aliases, it is refused. Counting alias *events* alone is not
  enough (nine aliases per level over ten levels expand to 9¹⁰ values), counting what they expand
  to is, and costs nothing: an alias bomb is refused in milliseconds. A recursive alias, a second
  document, a complex key and any tag beyond YAML's plain types (``!!python/…``, ``!!binary``,
  ``!!set``) are refused outright;
- a key written twice in the same mapping is refused (YAML would silently keep the last one);
- a date or number YAML cannot build (``2024-02-30``, 5,000 digits) stays the text as written.

Each refusal raises the caller's error class (``error=``: ``ConfigError``, ``CodebookError``,
``UnreadableFile``…) with a French message naming the file and the line.

The shape helpers (:func:`expect`, :func:`text_of`, :func:`texts_of`, :func:`parse_bool`) turn
"a list where a mapping is expected" into the same kind of named error instead of an
``AttributeError`` or ``TypeError`` further down.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from yaml.constructor import SafeConstructor
from yaml.error import MarkedYAMLError, YAMLError
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from .errors import ConfigError, MiamError

try:  # PyYAML built with libyaml (the wheels are): parse in C
    from yaml.cyaml import CParser as _Parser
except ImportError:  # pragma: no cover - pure-Python fallback, same results, slower
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser):  # type: ignore[no-redef]
        def __init__(self, stream: str):
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)


__all__ = [
    "MAX_BYTES",
    "MAX_ALIASES",
    "MAX_DEPTH",
    "MAX_NODES",
    "YamlMap",
    "YamlList",
    "load_yaml",
    "line_of",
    "expect",
    "text_of",
    "texts_of",
    "parse_bool",
    "describe",
]

#: Defaults fit the small files people edit by hand (``projet.yml``, ``publication.yml``, front
#: matter, pseudonyms): 2 MB and 100,000 values are far above any real one and keep the worst
#: refusal under a second. The codebook passes larger limits (see ``codebook.py``).
MAX_BYTES = 2_000_000
#: At most this many aliases (``*nom``) in one file.
MAX_ALIASES = 1_000
#: Mappings and lists nested deeper than this are refused (a codebook ten codes deep uses 22).
MAX_DEPTH = 64
#: At most this many values (keys, scalars, lists, mappings), an alias counted as the values it
#: repeats. Reading costs about 3 to 7 µs per value, so this also bounds the time of a refusal.
MAX_NODES = 100_000

_TRUE = frozenset({"oui", "vrai", "true"})
_FALSE = frozenset({"non", "faux", "false"})


class YamlMap(dict):
    """A YAML mapping: a plain ``dict`` that also knows where each key was written."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.line: int | None = None
        self.key_lines: dict[Any, int] = {}
        self.raw: dict[Any, str] = {}

    def line_of(self, key: Any) -> int | None:
        """1-based line of ``key`` in the file, or ``None`` if unknown."""
        return self.key_lines.get(key, self.line)

    def written(self, key: Any) -> str | None:
        """The value of ``key`` exactly as written when YAML read it as a non-text scalar
        (number, boolean, date, null); ``None`` otherwise."""
        return self.raw.get(key)


class YamlList(list):
    """A YAML sequence: a plain ``list`` that also knows where each item was written."""

    def __init__(self, *args: Any):
        super().__init__(*args)
        self.line: int | None = None
        self.item_lines: list[int] = []
        self.raw: dict[int, str] = {}

    def line_of(self, index: int) -> int | None:
        try:
            return self.item_lines[index]
        except IndexError:
            return self.line

    def written(self, index: int) -> str | None:
        return self.raw.get(index)


def line_of(container: Any, key: Any = None) -> int | None:
    """1-based line of ``container[key]`` (or of ``container`` itself when ``key`` is ``None``),
    ``None`` for data that did not come from :func:`load_yaml`."""
    if not isinstance(container, YamlMap | YamlList):
        return None
    return container.line if key is None else container.line_of(key)


def _written(container: Any, key: Any) -> str | None:
    return container.written(key) if isinstance(container, YamlMap | YamlList) else None


# --- loading ----------------------------------------------------------------------------------


class _Refused(Exception):
    """A limit was crossed or a construct is not accepted; carries the 0-based line."""

    def __init__(self, line: int | None, reason: str):
        super().__init__(reason)
        self.line = line
        self.reason = reason


_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]{0,17})")  # no octal, no _, fits in 64 bits
_YAML_TRUE = frozenset({"yes", "true", "on"})
_MERGE = "tag:yaml.org,2002:merge"
_COLLECTION_TAGS = {None, "!", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}
#: Scalar types a hand-written file may hold (YAML 1.1 core types, no binary, no Python objects).
_SCALAR_TAGS = {
    tag: SafeConstructor.yaml_constructors[tag]
    for tag in (
        "tag:yaml.org,2002:null",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:timestamp",
    )
}
_IMPLICIT = Resolver.yaml_implicit_resolvers
_SCALAR_MAKER = SafeConstructor()
_NO_KEY = object()
_MERGE_KEY = object()


class _Frame:
    """An open mapping or sequence while the events are read."""

    __slots__ = ("container", "anchor", "start", "key", "key_line", "merges")

    def __init__(self, container: YamlMap | YamlList, anchor: str | None, start: int):
        self.container = container
        self.anchor = anchor
        self.start = start  # values counted before this collection opened
        self.key: Any = _NO_KEY
        self.key_line = 0
        self.merges: list[tuple[Any, int]] = []


def _scalar(event: ScalarEvent, *, in_key: bool) -> tuple[Any, str | None]:
    """The Python value of a scalar event and, when it is not text, how it was written."""
    value, tag = event.value, event.tag
    if tag is None or tag == "!":
        if not event.implicit[0]:
            return value, None  # quoted: always text
        tag = _STR
        for candidate, pattern in _IMPLICIT.get(value[:1], ()):
            if pattern.match(value):
                tag = candidate
                break
    if tag == _STR:
        return value, None
    if tag == _MERGE:
        return (_MERGE_KEY, None) if in_key else (value, None)
    if tag == _INT and _DECIMAL.fullmatch(value):  # the common case, without building a node
        return int(value), value
    if tag == _BOOL:
        return value.lower() in _YAML_TRUE, value
    if tag == _NULL:
        return None, value
    make = _SCALAR_TAGS.get(tag)
    if make is None:
        raise _Refused(event.start_mark.line, f"étiquette YAML « {tag} » non acceptée")
    node = ScalarNode(tag, value, event.start_mark, event.end_mark)
    try:
        return make(_SCALAR_MAKER, node), value
    except ValueError:  # 2024-02-30, a 5,000-digit number: keep the text as written
        return value, None


def _build(parser: Any, *, line_offset: int, max_depth: int, max_aliases: int, max_nodes: int):
    """Build plain data from the parser's events with an explicit stack (no recursion), counting
    depth, aliases and values (an alias counts as the values it repeats)."""
    stack: list[_Frame] = []
    anchors: dict[str, tuple[Any, int | None, str | None]] = {}  # value, size, as written
    nodes = aliases = documents = 0
    root: Any = None

    def add(value: Any, line: int, written: str | None) -> None:
        nonlocal root
        if not stack:
            root = value
            return
        frame = stack[-1]
        container = frame.container
        shown = line + 1 + line_offset
        if isinstance(container, YamlList):
            if written is not None:
                container.raw[len(container)] = written
            container.append(value)
            container.item_lines.append(shown)
        elif frame.key is _NO_KEY:
            if isinstance(value, YamlMap | YamlList):
                raise _Refused(line, "une clé ne peut pas être une liste ou un dictionnaire")
            frame.key, frame.key_line = value, shown
        else:
            key, frame.key = frame.key, _NO_KEY
            if key is _MERGE_KEY:
                frame.merges.append((value, line))
                return
            if key in container.key_lines:
                raise _Refused(
                    frame_line_of(frame),
                    f"clé « {key} » écrite deux fois dans le même bloc (déjà ligne "
                    f"{container.key_lines[key]}) : gardez-en une seule",
                )
            container[key] = value
            container.key_lines[key] = frame.key_line
            if written is not None:
                container.raw[key] = written

    def frame_line_of(frame: _Frame) -> int:
        return frame.key_line - 1 - line_offset

    def count(size: int, line: int) -> None:
        nonlocal nodes
        nodes += size
        if nodes > max_nodes:
            limit = f"{max_nodes:,}".replace(",", " ")
            raise _Refused(
                line,
                f"plus de {limit} valeurs une fois les alias développés (fichier démesuré ou "
                "« bombe » d'alias)",
            )

    while True:
        event = parser.get_event()
        kind = type(event)
        line = event.start_mark.line
        if kind is ScalarEvent:
            count(1, line)
            in_key = bool(stack) and type(stack[-1].container) is YamlMap
            in_key = in_key and stack[-1].key is _NO_KEY
            value, written = _scalar(event, in_key=in_key)
            if event.anchor is not None:
                anchors[event.anchor] = (value, 1, written)
            add(value, line, written)
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if event.tag not in _COLLECTION_TAGS:
                raise _Refused(line, f"étiquette YAML « {event.tag} » non acceptée")
            count(1, line)
            if len(stack) >= max_depth:
                raise _Refused(
                    line,
                    f"imbrication trop profonde (plus de {max_depth} niveaux de listes et de "
                    "dictionnaires)",
                )
            container = YamlMap() if kind is MappingStartEvent else YamlList()
            container.line = line + 1 + line_offset
            if event.anchor is not None:
                anchors[event.anchor] = (container, None, None)
            stack.append(_Frame(container, event.anchor, nodes - 1))
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            frame = stack.pop()
            container = frame.container
            for source, merge_line in frame.merges:
                assert isinstance(container, YamlMap)  # only a mapping takes « << »
                for merged in source if isinstance(source, YamlList) else [source]:
                    if not isinstance(merged, YamlMap):
                        raise _Refused(
                            merge_line, "« << » doit fusionner un dictionnaire (<<: *nom)"
                        )
                    for key, value in merged.items():
                        if key not in container:
                            container[key] = value
                            container.key_lines[key] = merge_line + 1 + line_offset
            if frame.anchor is not None:
                anchors[frame.anchor] = (container, nodes - frame.start, None)
            assert container.line is not None  # set when the collection opened
            add(container, container.line - 1 - line_offset, None)
        elif kind is AliasEvent:
            if event.anchor not in anchors:
                raise _Refused(line, f"alias « *{event.anchor} » sans ancre « &{event.anchor} »")
            value, size, written = anchors[event.anchor]
            if size is None:
                raise _Refused(
                    line,
                    f"l'alias « *{event.anchor} » se répète à l'intérieur de sa propre ancre "
                    "(structure infinie)",
                )
            aliases += 1
            if aliases > max_aliases:
                raise _Refused(line, f"plus de {max_aliases} alias (*nom) dans le fichier")
            count(size, line)
            add(value, line, written)
        elif kind is DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _Refused(
                    line,
                    "un seul document attendu (retirez la ligne « --- » qui en ouvre un autre)",
                )
        elif kind is StreamEndEvent:
            return root


def load_yaml(
    text_or_path: str | Path,
    *,
    source: str,
    error: type[MiamError] = ConfigError,
    expect_mapping: bool = False,
    first_line: int = 1,
    label: str = "YAML",
    max_bytes: int = MAX_BYTES,
    max_aliases: int = MAX_ALIASES,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
) -> Any:
    """Parse one YAML document (a ``Path`` is read as UTF-8, a ``str`` is the YAML itself).

    Returns plain data (``YamlMap``/``YamlList`` for mappings and sequences, ``None`` for an empty
    document). ``source`` names the file in messages; ``first_line`` is the file line where the
    text starts (2 for a front matter after ``---``); ``label`` names the YAML in messages
    (« en-tête YAML illisible »). With ``expect_mapping`` an empty document
    gives an empty ``YamlMap`` and anything but a mapping is refused.

    Raises ``error`` (a ``MiamError`` subclass) naming ``source`` and the line when the file
    cannot be read, is not UTF-8, is not YAML, or crosses a limit (see the module docstring).
    """
    name = f"« {source} »"
    if isinstance(text_or_path, Path):
        text = _read(text_or_path, name=name, error=error, max_bytes=max_bytes)
    else:
        text = text_or_path
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > max_bytes:
            raise error(_too_big(name, size, max_bytes))
    parser = _Parser(text)
    try:
        data = _build(
            parser,
            line_offset=first_line - 1,
            max_depth=max_depth,
            max_aliases=max_aliases,
            max_nodes=max_nodes,
        )
    except _Refused as refusal:
        line = "" if refusal.line is None else f"ligne {refusal.line + first_line} : "
        raise error(f"{name} : {line}{refusal.reason}. Ce fichier a été refusé.") from None
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = f"ligne {mark.line + first_line} : " if mark is not None else ""
        problem = err.problem or err.context or "syntaxe incorrecte"
        raise error(
            f"{name} : {line}{label} illisible ({problem}). Vérifiez l'indentation, les deux-points "
            "et les guillemets à cet endroit."
        ) from None
    except YAMLError as err:
        raise error(f"{name} : {label} illisible ({err}).") from None
    finally:
        parser.dispose()
    if expect_mapping:
        if data is None:
            data = YamlMap()
            data.line = first_line
        expect(data, dict, where=f"{name} : ligne {first_line}", what="le fichier", error=error)
    return data


def _read(path: Path, *, name: str, error: type[MiamError], max_bytes: int) -> str:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise error(_too_big(name, size, max_bytes))
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)  # the file may grow between stat and read
    except OSError as err:
        raise error(f"{name} : lecture impossible ({err.strerror or err}).") from None
    if len(data) > max_bytes:
        raise error(_too_big(name, len(data), max_bytes))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise error(
            f"{name} : ligne {line} : le fichier doit être en UTF-8 (octet {err.start} illisible). "
            "Enregistrez-le en UTF-8 depuis votre éditeur."
        ) from None


def _too_big(name: str, size: int, limit: int) -> str:
    return (
        f"{name} : fichier trop volumineux ({_megabytes(size)} ; au plus {_megabytes(limit)}). "
        "Vérifiez qu'il s'agit du bon fichier."
    )


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} Mo".replace(".", ",")


# --- shapes -----------------------------------------------------------------------------------

_KINDS: dict[type, str] = {
    dict: "un dictionnaire (clé: valeur)",
    list: "une liste",
    str: "un texte",
}


def describe(value: Any) -> str:
    """A French description of what a YAML value is, for messages."""
    if value is None:
        return "une valeur vide"
    if isinstance(value, bool):
        return f"un booléen ({'vrai' if value else 'faux'})"
    if isinstance(value, int | float):
        return f"un nombre ({value})"
    if isinstance(value, dt.date):
        return f"une date ({value.isoformat()})"
    if isinstance(value, dict):
        return "un dictionnaire (clé: valeur)"
    if isinstance(value, list | tuple | set):
        return "une liste"
    if isinstance(value, str):
        return "un texte"
    return f"une valeur de type {type(value).__name__}"


def expect(
    value: Any, kind: type, *, where: str, what: str, error: type[MiamError] = ConfigError
) -> Any:
    """Return ``value`` if it is a ``kind`` (``dict``, ``list`` or ``str``), else raise ``error``:
    « {where} : {what} doit être une liste, pas un texte. »"""
    if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
        return value
    raise error(
        f"{where} : {what} doit être {_KINDS.get(kind, kind.__name__)}, pas {describe(value)}."
    )


def text_of(
    container: Any,
    key: Any,
    *,
    where: str,
    error: type[MiamError] = ConfigError,
    default: str = "",
) -> str:
    """``container[key]`` as text: a string as is; a number, boolean or date as it was written
    (``01`` stays ``01``, ``non`` stays ``non``); ``default`` when absent or empty. A list or a
    mapping raises ``error`` (« {where} : « key » doit être un texte, pas une liste. »)."""
    try:
        value = container[key]
    except (KeyError, IndexError):
        return default
    if value is None:
        return default
    if isinstance(value, str):
        return value
    written = _written(container, key)
    if written is not None:
        return written
    if isinstance(value, int | float | dt.date) and not isinstance(value, bool):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    raise error(f"{where} : « {key} » doit être un texte, pas {describe(value)}.")


def texts_of(
    container: Any, key: Any, *, where: str, error: type[MiamError] = ConfigError
) -> list[str]:
    """``container[key]`` as a list of texts (a single text gives a one-item list; absent or empty
    gives ``[]``). An item that is a list or a mapping raises ``error`` naming its line."""
    try:
        value = container[key]
    except (KeyError, IndexError):
        return []
    if value is None:
        return []
    if not isinstance(value, list):
        return [text_of(container, key, where=where, error=error)]
    texts = []
    for index, item in enumerate(value):
        if isinstance(item, dict | list | tuple | set):
            raise error(
                f"{where} : « {key} » : l'élément n° {index + 1} doit être un texte, pas "
                f"{describe(item)}."
            )
        texts.append(text_of(value, index, where=where, error=error))
    return texts


def parse_bool(value: Any, *, where: str, error: type[MiamError] = ConfigError) -> bool:
    """A YAML boolean: YAML's own ``true``/``false`` or the text ``oui``/``non``, ``vrai``/``faux``,
    ``true``/``false`` (any case). Anything else raises ``error`` naming ``where``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        folded = value.strip().casefold()
        if folded in _TRUE:
            return True
        if folded in _FALSE:
            return False
    shown = value if isinstance(value, str) else describe(value)
    raise error(
        f"{where} : « {shown} » n'est pas un booléen : écrivez oui ou non (ou vrai/faux, "
        "true/false)."
    )
