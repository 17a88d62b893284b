"""Real names → pseudonyms: a private mapping file, consistent replacement, leak detection.

The mapping lives in ``<project>/prive/pseudonymes.yml``. That folder is private by convention:
no export ever reads from it or writes into it, and it must never be shared. Its shape::

    # Fichier privé : ne jamais l'exporter ni le partager.
    remplacements:
      Josiane Lefebvre: Martine L.
      Josiane: Martine
      rue Jean Jaurès: une rue de la cité
    noms_locaux: [Carrefour Market, école Curie]   # names to watch for (review only)

Replacement matches whole words, ignores case and accents (``HELENE`` and ``Hélène`` both match
``Hélène``), treats ``'``/``’`` and ``-``/space alike, and tries the longest name first so that
``Josiane Lefebvre`` wins over ``Josiane``. A fully upper-case match gets an upper-case pseudonym.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pandas as pd
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from ..errors import ConfigError, ExportError
from ..fileio import atomic_write_text
from ..text import fold

PRIVATE_DIR = "prive"
PSEUDONYM_FILE = "pseudonymes.yml"
HEADER = (
    "# Fichier privé : correspondance entre noms réels et pseudonymes.\n"
    "# Ne jamais l'exporter, l'envoyer ni le copier hors du projet.\n"
)

_LETTERS = "aàâäáãåbcçdeéèêëfghiîïíìjklmnñoôöóòõpqrstuùûüúvwxyÿýzæœ"


def _variants() -> dict[str, str]:
    groups: dict[str, set[str]] = {}
    for letter in _LETTERS:
        groups.setdefault(fold(letter), set()).update({letter, letter.upper()})
    return {base: "".join(sorted(chars)) for base, chars in groups.items()}


_VARIANTS = _variants()


def name_pattern(name: str) -> str:
    """A regex source matching ``name`` as whole words, case- and accent-insensitively."""
    parts = []
    for char in unicodedata.normalize("NFC", name.strip()):
        base = fold(char)
        if char in "'’":
            parts.append("['’]")
        elif char in "- \u00a0":
            parts.append(r"[\-\s\u00a0]+")
        elif base in _VARIANTS:
            parts.append(f"[{re.escape(_VARIANTS[base])}]")
        else:
            parts.append(re.escape(char))
    return r"(?<![\w])" + "".join(parts) + r"(?![\w])"


class Pseudonyms:
    """The project's private name mapping. ``Pseudonyms.load(project_root)`` to read it."""

    def __init__(
        self,
        path: Path,
        mapping: dict[str, str] | None = None,
        local_names: list[str] | None = None,
    ):
        self.path = Path(path)
        self.mapping: dict[str, str] = dict(mapping or {})
        self.local_names: list[str] = list(local_names or [])
        self._compiled: tuple[re.Pattern[str], list[str]] | None = None

    # -- file ---------------------------------------------------------------------------------
    @classmethod
    def load(cls, root: Path | str) -> Pseudonyms:
        """Read ``<root>/prive/pseudonymes.yml`` (an empty mapping when absent)."""
        path = Path(root) / PRIVATE_DIR / PSEUDONYM_FILE
        if not path.exists():
            return cls(path)
        try:
            data = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
        except YAMLError as err:
            raise ConfigError(f"« {path} » illisible : {err}") from err
        mapping = data.get("remplacements") or {}
        if not isinstance(data, dict) or not isinstance(mapping, dict):
            raise ConfigError(
                f"« {path} » : « remplacements » doit associer un nom réel à un pseudonyme."
            )
        pseudonyms = cls(path, {str(k): str(v) for k, v in mapping.items()},
                         [str(n) for n in data.get("noms_locaux") or []])  # fmt: skip
        pseudonyms._check()
        return pseudonyms

    def save(self) -> None:
        """Write the mapping back (atomically), with its warning header."""
        self._check()
        yaml = YAML()
        yaml.default_flow_style = False
        import io

        buffer = io.StringIO()
        yaml.dump(
            {"remplacements": dict(self.mapping), "noms_locaux": list(self.local_names)}, buffer
        )
        atomic_write_text(self.path, HEADER + buffer.getvalue())

    def add(self, real: str, pseudonym: str, *, save: bool = True) -> None:
        """Map a real name (or place) to its pseudonym; refuses a pseudonym that is itself a real
        name of the mapping, so that a replacement can never reveal one."""
        real, pseudonym = real.strip(), pseudonym.strip()
        if not real or not pseudonym:
            raise ConfigError("Un nom réel et un pseudonyme non vides sont nécessaires.")
        previous = dict(self.mapping)
        self.mapping[real] = pseudonym
        try:
            self._check()
        except ConfigError:
            self.mapping = previous
            raise
        self._compiled = None
        if save:
            self.save()

    def _check(self) -> None:
        problems = []
        for real, pseudonym in self.mapping.items():
            if self.leaks(pseudonym, compiled=False):
                problems.append(
                    f"le pseudonyme « {pseudonym} » (pour « {real} ») contient un nom réel"
                )
        if problems:
            raise ConfigError(
                f"« {self.path} » : " + " ; ".join(problems) + ". Choisissez un autre pseudonyme."
            )

    # -- replacing ----------------------------------------------------------------------------
    def _regex(self) -> tuple[re.Pattern[str], list[str]]:
        """One alternation, longest names first; group ``i + 1`` matches ``names[i]``."""
        if self._compiled is None:
            names = sorted(self.mapping, key=lambda n: (-len(n), n))
            source = "|".join(f"({name_pattern(n)})" for n in names) or r"(?!x)x"
            self._compiled = (re.compile(source), names)
        return self._compiled

    def apply(self, text: str | None) -> str:
        """``text`` with every real name of the mapping replaced by its pseudonym."""
        if not text or not self.mapping:
            return text or ""
        pattern, names = self._regex()

        def replace(match: re.Match[str]) -> str:
            pseudonym = self.mapping[names[match.lastindex - 1]]
            found = match.group(0)
            return pseudonym.upper() if found.isupper() and len(found) > 1 else pseudonym

        return pattern.sub(replace, unicodedata.normalize("NFC", text))

    def leaks(self, text: str, *, compiled: bool = True) -> list[str]:
        """Real names of the mapping found in ``text`` (as written in the mapping), sorted."""
        if not text or not self.mapping:
            return []
        text = unicodedata.normalize("NFC", text)
        if not compiled:
            return sorted(n for n in self.mapping if re.search(name_pattern(n), text))
        pattern, names = self._regex()
        return sorted({names[m.lastindex - 1] for m in pattern.finditer(text)})

    # -- reviewing ----------------------------------------------------------------------------
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
        source, replacement`` where ``replacement`` is empty when nothing covers the name yet.
        """
        rows = []
        watch = [(n, "liste des noms locaux") for n in self.local_names]
        watch += [(n, "registre des participants") for n in register or []]
        watch += [(n, "correspondance privée") for n in self.mapping]
        for quote_id, text in zip(texts["quote_id"], texts["text"], strict=True):
            for name, source in watch:
                if re.search(name_pattern(name), text or ""):
                    rows.append((quote_id, name, source))
        if entities is not None and len(entities):
            ids = list(texts["quote_id"])
            for entity in entities.itertuples():
                kind = "personne (spaCy)" if entity.label == "PER" else "lieu (spaCy)"
                rows.append((ids[entity.row], entity.text, kind))
        frame = pd.DataFrame(rows, columns=["quote_id", "name", "source"]).drop_duplicates(
            ["quote_id", "name"]
        )
        frame["replacement"] = [self.apply(n) if self.leaks(n) else "" for n in frame["name"]]
        return frame.reset_index(drop=True)

    def guard(self, texts: dict[str, str]) -> None:
        """Raise ``ExportError`` naming the place when any text still holds a real name."""
        found = {where: self.leaks(text) for where, text in texts.items()}
        found = {where: names for where, names in found.items() if names}
        if found:
            details = " ; ".join(
                f"{where} : {len(names)} nom(s) réel(s)" for where, names in found.items()
            )
            raise ExportError(
                f"Export arrêté : des noms réels subsistent ({details}). "
                f"Complétez {PRIVATE_DIR}/{PSEUDONYM_FILE} puis relancez l'export."
            )


def names_to_review(project, *, nlp=None, status: str | list[str] | None = None) -> pd.DataFrame:
    """Names and places to review in the quotes' display texts (before pseudonymisation).

    Combines the private mapping, the project's ``noms_locaux``, the participant register and the
    PER/LOC entities of ``nlp`` (default: ``fr_core_news_sm`` via ``miam_qual.nlp.load_nlp``).
    Returns ``quote_id, name, source, replacement`` (``replacement`` empty: not covered yet).
    """
    from ..nlp import named_entities, stop_words
    from .quotes import Quotes

    quotes = Quotes(project).list(status=status)
    pseudonyms = Pseudonyms.load(project.root)
    texts = pd.DataFrame({"quote_id": quotes["quote_id"], "text": quotes["display"]})
    entities = named_entities(list(texts["text"]), nlp=nlp) if len(texts) else None
    if entities is not None and len(entities):  # spoken fillers (« Ben ») are not names
        fillers = stop_words()
        entities = entities[~entities["text"].map(lambda e: e.casefold() in fillers)]
    register = list(project.participants()["participant"])
    return pseudonyms.candidates(texts, register=register, entities=entities)
