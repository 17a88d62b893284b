"""Real names → pseudonyms: a private mapping file, consistent replacement, leak detection.

The mapping lives in ``<project>/prive/pseudonymes.yml``. That folder is private by convention:
no export ever reads from it or writes into it, and it must never be shared. Its shape::

    # Fichier privé : ne jamais l'exporter ni le partager.
    remplacements:
      Josiane Lefebvre: Martine L.          # simple form: real name → pseudonym
      Ayşe Yıldız:                          # detailed form
        pseudonyme: Leyla Kaya
        autres_formes: [Ayse, Aïcha]        # nicknames, other spellings
      Rose Petit:
        pseudonyme: Lina Mercier
        parties_courantes: [Rose, Petit]    # parts too common to be matched alone
      rue Jean Jaurès:
        pseudonyme: une rue de la cité
        type: lieu                          # a place: matched whole, never by parts
    noms_locaux: [Carrefour Market, école Curie]   # names to watch for (review only)

Each entry covers the full name and each of its parts (``Monsieur Yıldız`` → ``Monsieur Kaya``),
however it is written; :mod:`miam_qual.privacy.names` states the matching rules, how parts are
replaced and what happens when two entries share a part. An entry in the simple form whose first
word names a kind of place (rue, place, cité, école…) is a place; ``type`` overrides the guess.
A pseudonym that itself contains a real name of the mapping (or a part of one) is refused, so
that a replacement can never reveal one.

Every refusal is a ``ConfigError`` whose French message names the file and, where it can, the
line: a file that is not a mapping, an unknown key (``remplacement:`` for ``remplacements:``),
a number or a list where a name is expected, a name written twice, an unknown ``type``, a common
part that is not a part of its name, one name with two pseudonyms.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
from ruamel.yaml import YAML

from ..errors import ConfigError, ExportError
from ..fileio import atomic_write_text, private_folder
from ..yamlio import describe, line_of, load_yaml
from .names import KINDS, NameEntry, NameHit, NameMatcher, guess_kind, mask

__all__ = ["PRIVATE_DIR", "PSEUDONYM_FILE", "LeakError", "Pseudonyms", "names_to_review"]

PRIVATE_DIR = "prive"
PSEUDONYM_FILE = "pseudonymes.yml"
HEADER = (
    "# Fichier privé : correspondance entre noms réels et pseudonymes.\n"
    "# Ne jamais l'exporter, l'envoyer ni le copier hors du projet.\n"
)
_TOP_KEYS = ("remplacements", "noms_locaux")
_ENTRY_KEYS = ("pseudonyme", "autres_formes", "parties_courantes", "type")


class _Reader:
    """Turns the parsed YAML into entries, or a French ``ConfigError`` naming file and line."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, message: str, container: object = None, key: object = None) -> ConfigError:
        line = line_of(container, key) if container is not None else None
        where = f", ligne {line}" if line is not None else ""
        return ConfigError(f"« {self.path} »{where} : {message}")

    def text(self, value: object, what: str, container: object, key: object) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{what} doit être un texte, pas {describe(value)}.", container, key)
        return value.strip()

    def texts(self, container: dict, key: str, what: str) -> tuple[str, ...]:
        value = container.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return (self.text(value, what, container, key),)
        if not isinstance(value, list):
            raise self.fail(
                f"{what} doit être une liste de textes, pas {describe(value)}.", container, key
            )
        return tuple(self.text(item, what, value, index) for index, item in enumerate(value))

    def document(self, data: object) -> tuple[list[NameEntry], list[str]]:
        if not isinstance(data, dict):
            raise self.fail(
                "le fichier doit commencer par « remplacements: » suivi des noms réels et de "
                f"leurs pseudonymes, pas {describe(data)}.",
                data,
            )
        unknown = [k for k in data if k not in _TOP_KEYS]
        if unknown:
            raise self.fail(
                f"clé « {unknown[0]} » inconnue (attendu : {', '.join(_TOP_KEYS)}).",
                data,
                unknown[0],
            )
        mapping = data.get("remplacements")
        if mapping is None:
            mapping = {}
        if not isinstance(mapping, dict):
            raise self.fail(
                "« remplacements » doit associer chaque nom réel à un pseudonyme "
                f"(« Nom Réel: Pseudonyme »), pas {describe(mapping)}.",
                data,
                "remplacements",
            )
        entries = [self.entry(real, value, mapping) for real, value in mapping.items()]
        return entries, list(self.texts(data, "noms_locaux", "« noms_locaux »"))

    def entry(self, real: object, value: object, mapping: dict) -> NameEntry:
        name = self.text(real, "Un nom réel", mapping, real)
        if not isinstance(value, dict):
            pseudonym = self.text(value, f"Le pseudonyme de « {name} »", mapping, real)
            return NameEntry(name, pseudonym, kind=guess_kind(name))
        unknown = [k for k in value if k not in _ENTRY_KEYS]
        if unknown:
            raise self.fail(
                f"« {name} » : clé « {unknown[0]} » inconnue (attendu : {', '.join(_ENTRY_KEYS)}).",
                value,
                unknown[0],
            )
        kind = value.get("type", guess_kind(name))
        if kind not in KINDS:
            raise self.fail(
                f"« {name} » : type « {kind} » inconnu (attendu : personne ou lieu).", value, "type"
            )
        pseudonym = self.text(
            value.get("pseudonyme"), f"Le pseudonyme de « {name} »", value, "pseudonyme"
        )
        other_forms = self.texts(value, "autres_formes", f"« autres_formes » de « {name} »")
        common = self.texts(value, "parties_courantes", f"« parties_courantes » de « {name} »")
        return NameEntry(name, pseudonym, other_forms, common, kind)


class Pseudonyms:
    """The project's private name mapping. ``Pseudonyms.load(project_root)`` to read it.

    ``mapping`` (real → pseudonym) gives the simple form; ``entries`` (``NameEntry`` items) the
    detailed one (other forms, common parts, places). Raises ``ConfigError`` when the entries
    contradict each other (see :mod:`miam_qual.privacy.names`) or a pseudonym holds a real name.
    """

    def __init__(
        self,
        path: Path,
        mapping: dict[str, str] | None = None,
        local_names: list[str] | None = None,
        *,
        entries: list[NameEntry] | None = None,
    ):
        self.path = Path(path)
        self._entries: dict[str, NameEntry] = {}
        for real, pseudonym in (mapping or {}).items():
            self._entries[real.strip()] = NameEntry(
                real.strip(), pseudonym.strip(), kind=guess_kind(real)
            )
        for entry in entries or []:
            self._entries[entry.real] = entry
        self.local_names: list[str] = list(local_names or [])
        self._matcher: NameMatcher | None = None
        self._watch: NameMatcher | None = None
        self._check()

    @property
    def mapping(self) -> dict[str, str]:
        """Real name → pseudonym, in file order (a copy)."""
        return {real: entry.pseudonym for real, entry in self._entries.items()}

    @property
    def entries(self) -> list[NameEntry]:
        return list(self._entries.values())

    @property
    def matcher(self) -> NameMatcher:
        if self._matcher is None:
            try:
                self._matcher = NameMatcher(self._entries.values())
            except ConfigError as err:
                raise ConfigError(f"« {self.path} » : {err}") from err
        return self._matcher

    @property
    def warnings(self) -> list[str]:
        """French warnings about the mapping (parts shared by several names)."""
        return [f"« {self.path} » : {w}" for w in self.matcher.warnings]

    # -- file ---------------------------------------------------------------------------------
    @classmethod
    def load(cls, root: Path | str) -> Pseudonyms:
        """Read ``<root>/prive/pseudonymes.yml`` (an empty mapping when absent).

        Raises ``ConfigError`` (French, naming the file and line) for unreadable YAML, a file of
        the wrong shape, contradictory entries or a pseudonym holding a real name."""
        path = Path(root) / PRIVATE_DIR / PSEUDONYM_FILE
        if not path.exists():
            return cls(path)
        _restrict(path)
        data = load_yaml(path, source=str(path), error=ConfigError, expect_mapping=False)
        if data is None:
            return cls(path)
        entries, local = _Reader(path).document(data)
        return cls(path, local_names=local, entries=entries)

    def save(self) -> None:
        """Write the mapping back (atomically), with its warning header; entries without
        details keep the simple form."""
        self._check()
        mapping: dict[str, object] = {}
        for entry in self._entries.values():
            if not (
                entry.other_forms or entry.common_parts or entry.kind != guess_kind(entry.real)
            ):
                mapping[entry.real] = entry.pseudonym
                continue
            detail: dict[str, object] = {"pseudonyme": entry.pseudonym}
            if entry.other_forms:
                detail["autres_formes"] = list(entry.other_forms)
            if entry.common_parts:
                detail["parties_courantes"] = list(entry.common_parts)
            if entry.kind != guess_kind(entry.real):
                detail["type"] = entry.kind
            mapping[entry.real] = detail
        yaml = YAML()
        yaml.default_flow_style = False
        buffer = io.StringIO()
        yaml.dump({"remplacements": mapping, "noms_locaux": list(self.local_names)}, buffer)
        private_folder(self.path.parent)  # prive/: 0700, the mapping itself 0600
        atomic_write_text(self.path, HEADER + buffer.getvalue(), mode=0o600)

    def add(
        self,
        real: str,
        pseudonym: str,
        *,
        other_forms: tuple[str, ...] = (),
        common_parts: tuple[str, ...] = (),
        kind: str | None = None,
        save: bool = True,
    ) -> None:
        """Map a real name (or place) to its pseudonym; ``kind`` (``personne`` or ``lieu``) is
        guessed from the first word when not given (``rue …``, ``école …``: a place). Refuses
        (``ConfigError``, mapping unchanged) a pseudonym holding a real name of the mapping and
        contradictory entries."""
        kind = kind or guess_kind(real)
        entry = NameEntry(real.strip(), pseudonym.strip(), other_forms, common_parts, kind)
        previous = dict(self._entries)
        self._entries[entry.real] = entry
        self._matcher = None
        try:
            self._check()
        except ConfigError:
            self._entries = previous
            self._matcher = None
            raise
        if save:
            self.save()

    def _check(self) -> None:
        matcher = self.matcher
        problems = []
        for entry in self._entries.values():
            replacements = {entry.pseudonym} | matcher.replacements(entry)
            for replacement in sorted(replacements):
                if matcher.leaks(replacement):
                    problems.append(
                        f"le pseudonyme « {replacement} » (pour « {entry.real} ») contient un nom réel"
                    )
        if problems:
            raise ConfigError(
                f"« {self.path} » : " + " ; ".join(problems) + ". Choisissez un autre pseudonyme."
            )

    # -- replacing ----------------------------------------------------------------------------
    def apply(self, text: str | None) -> str:
        """``text`` with every real name of the mapping (any form, any part) replaced."""
        if not text:
            return text or ""
        return self.matcher.replace(text)

    def find(self, text: str | None) -> list[NameHit]:
        """Every real name in ``text``, with offsets into ``text`` and its replacement."""
        return self.matcher.find(text or "")

    def leaks(self, text: str | None) -> list[str]:
        """Real names of the mapping found in ``text`` (as written in the mapping), sorted."""
        return [entry.real for entry in self.matcher.leaks(text or "")]

    # -- reviewing ----------------------------------------------------------------------------
    def _watch_matcher(self, register: list[str]) -> tuple[NameMatcher, dict[str, str]]:
        """A matcher for the watched names (whole names only) and each name's source."""
        sources = {n.strip(): "liste des noms locaux" for n in self.local_names if n.strip()}
        for name in register:
            if name and name.strip():
                sources.setdefault(name.strip(), "registre des participants")
        entries = [NameEntry(name, "à revoir", kind="lieu") for name in sources]
        return NameMatcher(entries), sources

    def candidates(
        self,
        texts: pd.DataFrame,
        *,
        register: list[str] | None = None,
        entities: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """Names and places to review in ``texts`` (columns ``quote_id, text``).

        Sources: the mapping (already handled), the project's ``noms_locaux``, the participant
        register (``register``: pseudonyms), and named entities (``entities``: the frame of
        ``miam_qual.nlp.named_entities`` with ``row, text, label``). Returns ``quote_id, name,
        source, replacement`` where ``replacement`` is empty when nothing covers the name yet: a
        name any form of the mapping covers always gets its replacement. A part shared by several
        names with different pseudonyms (replaced by « X ») has the source « partie de plusieurs
        noms »: an explicit entry settles it.
        """
        watch, sources = self._watch_matcher(list(register or []))
        rows = []
        for quote_id, text in zip(texts["quote_id"], texts["text"], strict=True):
            for hit in self.find(text):
                source = "partie de plusieurs noms" if hit.shared else "correspondance privée"
                rows.append((quote_id, text[hit.start : hit.end], source))
            for hit in watch.find(text or ""):
                rows.append((quote_id, hit.entry.real, sources[hit.entry.real]))
        if entities is not None and len(entities):
            ids = list(texts["quote_id"])
            for entity in entities.itertuples():
                kind = "personne (spaCy)" if entity.label == "PER" else "lieu (spaCy)"
                rows.append((ids[entity.row], entity.text, kind))
        frame = pd.DataFrame(rows, columns=["quote_id", "name", "source"]).drop_duplicates(
            ["quote_id", "name"]
        )
        frame["replacement"] = [self.apply(n) if self.find(n) else "" for n in frame["name"]]
        return frame.reset_index(drop=True)

    def guard(
        self, texts: dict[str, str] | Iterable[tuple[str, str]], *, what: str | None = None
    ) -> None:
        """Raise ``LeakError`` when any text (or the name of its place) still holds a real name.

        ``texts``: ``{place: text}`` or ``(place, text)`` pairs. The French message names each
        place (its own real names masked) and the masked names (``A… B…``), never a real name."""
        pairs = texts.items() if isinstance(texts, dict) else texts
        found: dict[str, set[str]] = {}
        for where, text in pairs:
            hits = self.find(where) + self.find(text or "")
            if hits:
                found.setdefault(self.masked(where), set()).update(
                    mask(e.real) for hit in hits for e in hit.entries
                )
        if found:
            details = " ; ".join(
                f"« {where} » : {', '.join(sorted(names))}" for where, names in found.items()
            )
            export = f"Export « {what} » arrêté" if what else "Export arrêté"
            raise LeakError(
                f"{export}, rien n'a été écrit : des noms réels subsistent ({details}). "
                f"Ajoutez les formes manquantes dans {PRIVATE_DIR}/{PSEUDONYM_FILE} ou resserrez "
                "les passages, puis relancez l'export."
            )

    def masked(self, text: str) -> str:
        """``text`` with every real name in it masked (``A… B…``): how messages name a place."""
        out, done = [], 0
        for hit in self.find(text):
            out += [text[done : hit.start], mask(text[hit.start : hit.end])]
            done = hit.end
        return "".join([*out, text[done:]])


class LeakError(ExportError):
    """Raised when an export still holds a real name after pseudonymisation: nothing is written."""


def _restrict(path: Path) -> None:
    """Keep ``prive/`` (0700) and the mapping (0600) to their owner, even when made by hand."""
    import os
    import stat

    for target, wanted in ((path.parent, 0o700), (path, 0o600)):
        try:
            if stat.S_IMODE(target.stat().st_mode) & 0o077:
                os.chmod(target, wanted)
        except OSError:  # not ours to change (a shared read-only copy): reading still works
            pass


def names_to_review(project, *, nlp=None, status: str | list[str] | None = None) -> pd.DataFrame:
    """Names and places to review in the quotes' display texts (before pseudonymisation).

    Combines the private mapping, the project's ``noms_locaux``, the participant register and the
    PER/LOC entities of ``nlp`` (default: ``fr_core_news_sm`` via ``miam_qual.nlp.load_nlp``).
    Returns ``quote_id, name, source, replacement`` (``replacement`` empty: not covered yet).
    """
    from ..nlp import named_entities, stop_words
    from ..publication.quotes import list_quotes

    quotes = list_quotes(project, status=status)
    pseudonyms = Pseudonyms.load(project.root)
    texts = pd.DataFrame({"quote_id": quotes["quote_id"], "text": quotes["display"]})
    entities = named_entities(list(texts["text"]), nlp=nlp) if len(texts) else None
    if entities is not None and len(entities):  # spoken fillers (« Ben ») are not names
        fillers = stop_words()
        entities = entities[~entities["text"].map(lambda e: e.casefold() in fillers)]
    register = list(project.participants()["participant"])
    return pseudonyms.candidates(texts, register=register, entities=entities)
