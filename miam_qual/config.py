"""Project configuration: ``projet.yml`` at the root of a project folder.

It declares the attributes (case variables) that documents and participants carry, their types and
allowed values, and the uses a participant can consent to. The list is configuration, not code: a
team adds an attribute by editing the YAML. ``DEFAULT_CONFIG`` is MIAM's own set.

YAML shape (French keys, since users edit it)::

    nom: Évaluation MIAM
    attributs:
      - nom: vague
        libelle: Vague d'enquête
        portee: document          # document | participant
        type: choix               # texte | choix | date | entier | booleen
        valeurs: [état initial, mi-parcours, bilan]
    usages_consentement: [analyse, citation, radio, exposition, photo]
    revue:                        # optional: the review panel and the reports
      filtres: [type_source, vague]   # attributes offered as filters, in this order
      groupe: type_source             # attribute that sorts sources by kind (excerpts vary it)
      vague: vague                    # attribute holding the survey wave

Which attributes are the review filters, the "source type" grouping and the "wave" is
configuration too: generic code asks ``config.review`` instead of naming MIAM's attributes. A file
without ``revue`` gets MIAM's choice (``DEFAULT_REVIEW``) for the attributes it declares.

The file is read by :mod:`miam_qual.yamlio` (size, depth and alias limits, line numbers); unknown
keys, values of the wrong shape and undeclared attributes in ``revue`` are refused with their line.
An attribute value longer than ``MAX_VALUE_CHARS`` is refused: attributes describe a document in a
few words, long text belongs in the document or a memo.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from .errors import AttributeValueError, ConfigError
from .fileio import atomic_write_text
from .text import fold
from .yamlio import describe, line_of, load_yaml, text_of, texts_of

CONFIG_FILE = "projet.yml"
TYPES = ("texte", "choix", "date", "entier", "booleen")
SCOPES = ("document", "participant")
#: Longest attribute value accepted (characters). Attributes are a few words (a site, a date, a
#: pseudonym); 10,000 characters is a page and a half, far above any real one.
MAX_VALUE_CHARS = 10_000
TOP_KEYS = ("nom", "attributs", "usages_consentement", "revue")
ATTRIBUTE_KEYS = ("nom", "libelle", "portee", "type", "valeurs")
REVIEW_KEYS = ("filtres", "groupe", "vague")

#: Consent uses and their French labels.
CONSENT_USES = {
    "analyse": "analyse",
    "citation": "citation écrite",
    "radio": "voix à la radio",
    "exposition": "exposition",
    "photo": "photo",
}

DEFAULT_CONFIG: dict[str, Any] = {
    "nom": "Évaluation MIAM",
    "attributs": [
        {
            "nom": "type_source",
            "libelle": "Type de source",
            "portee": "document",
            "type": "choix",
            "valeurs": [
                "témoignage d'habitant",
                "questionnaire",
                "entretien partenaire",
                "observation",
                "atelier",
            ],
        },
        {"nom": "date", "libelle": "Date", "portee": "document", "type": "date"},
        {
            "nom": "vague",
            "libelle": "Vague d'enquête",
            "portee": "document",
            "type": "choix",
            "valeurs": ["état initial", "mi-parcours", "bilan"],
        },
        {
            "nom": "site",
            "libelle": "Site",
            "portee": "document",
            "type": "choix",
            "valeurs": ["cité Saint-Élie", "Fosse 13", "Hulluch centre", "Haisnes"],
        },
        {
            "nom": "participant",
            "libelle": "Participant (pseudonyme)",
            "portee": "document",
            "type": "texte",
        },
        {
            "nom": "activite",
            "libelle": "Activité",
            "portee": "document",
            "type": "choix",
            "valeurs": [
                "épicerie éphémère",
                "cantine",
                "école",
                "kermesse",
                "atelier cuisine",
                "visite de ferme",
                "stand de rue",
                "collectif d'habitants",
            ],
        },
        {
            "nom": "organisation_partenaire",
            "libelle": "Organisation partenaire",
            "portee": "document",
            "type": "texte",
        },
        {
            "nom": "adherent_groupement",
            "libelle": "Adhérent du groupement d'achat",
            "portee": "document",
            "type": "booleen",
        },
        {
            "nom": "role",
            "libelle": "Rôle",
            "portee": "participant",
            "type": "choix",
            "valeurs": ["habitant", "partenaire", "répondant"],
        },
        {
            "nom": "tranche_age",
            "libelle": "Tranche d'âge",
            "portee": "participant",
            "type": "choix",
            "valeurs": [
                "moins de 18 ans",
                "18-29 ans",
                "30-39 ans",
                "40-49 ans",
                "50-59 ans",
                "60-69 ans",
                "70 ans et plus",
            ],
        },
        {
            "nom": "genre",
            "libelle": "Genre",
            "portee": "participant",
            "type": "choix",
            "valeurs": ["femme", "homme", "autre", "non précisé"],
        },
    ],
    "usages_consentement": list(CONSENT_USES),
    "revue": {"filtres": ["type_source", "vague"], "groupe": "type_source", "vague": "vague"},
}


@dataclass(frozen=True)
class AttributeSpec:
    """One declared attribute: its name, French label, scope, type and allowed values."""

    name: str
    label: str
    scope: str
    type: str
    choices: tuple[str, ...] = ()

    def coerce(self, value: Any, *, where: str = "") -> str | None:
        """Return ``value`` as its canonical stored string, or ``None`` when empty.

        Raises ``AttributeValueError`` (French message naming ``where``) when it does not fit.
        """
        prefix = f"{where} : " if where else ""
        if value is None:
            return None
        if isinstance(value, dict | list | tuple | set):
            raise AttributeValueError(
                f"{prefix}l'attribut « {self.name} » attend une seule valeur, pas "
                f"{describe(value)}."
            )
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            value = value.isoformat()
        text = str(value).strip()
        if not text:
            return None
        if len(text) > MAX_VALUE_CHARS:
            raise AttributeValueError(
                f"{prefix}valeur de {_thousands(len(text))} caractères pour l'attribut "
                f"« {self.name} » : au plus {_thousands(MAX_VALUE_CHARS)}. Un attribut décrit le "
                "document en quelques mots ; mettez les textes longs dans le document ou dans un "
                "mémo."
            )
        if self.type == "texte":
            return text
        if self.type == "choix":
            folded = {fold(c): c for c in self.choices}
            if fold(text) in folded:
                return folded[fold(text)]
            raise AttributeValueError(
                f"{prefix}valeur « {text} » non prévue pour l'attribut « {self.name} » "
                f"(valeurs possibles : {', '.join(self.choices)}). "
                f"Corrigez la valeur ou ajoutez-la dans {CONFIG_FILE}."
            )
        if self.type == "date":
            return _parse_date(text, prefix=prefix, name=self.name)
        if self.type == "entier":
            if re.fullmatch(r"[+-]?\d+", text):
                return str(int(text))
            raise AttributeValueError(
                f"{prefix}« {text} » n'est pas un nombre entier (attribut « {self.name} »)."
            )
        if self.type == "booleen":
            if fold(text) in {"oui", "o", "vrai", "true", "1", "yes"}:
                return "oui"
            if fold(text) in {"non", "n", "faux", "false", "0", "no"}:
                return "non"
            raise AttributeValueError(
                f"{prefix}« {text} » n'est ni « oui » ni « non » (attribut « {self.name} »)."
            )
        raise AssertionError(self.type)  # prevented by ProjectConfig validation


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", " ")


def _parse_date(text: str, *, prefix: str, name: str) -> str:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    if re.fullmatch(r"\d{4}-\d{2}", text):  # a month is a legitimate precision for fieldwork
        return text
    raise AttributeValueError(
        f"{prefix}date « {text} » illisible pour l'attribut « {name} » "
        "(formats acceptés : AAAA-MM-JJ, JJ/MM/AAAA ou AAAA-MM)."
    )


@dataclass(frozen=True)
class ReviewSettings:
    """The ``revue`` section: which attributes the review panel and reports use.

    ``filters``: attributes offered as filters, in order; ``group``: the attribute that sorts
    sources by kind (``type_source`` for MIAM), ``None`` if there is none; ``wave``: the attribute
    holding the survey wave (``vague``), ``None`` if there is none.
    """

    filters: tuple[str, ...] = ()
    group: str | None = None
    wave: str | None = None

    def to_yaml_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"filtres": list(self.filters)}
        if self.group:
            data["groupe"] = self.group
        if self.wave:
            data["vague"] = self.wave
        return data


#: MIAM's review settings, used for a ``projet.yml`` without ``revue`` (for the attributes it
#: declares).
DEFAULT_REVIEW = ReviewSettings(
    filters=tuple(DEFAULT_CONFIG["revue"]["filtres"]),
    group=DEFAULT_CONFIG["revue"]["groupe"],
    wave=DEFAULT_CONFIG["revue"]["vague"],
)


@dataclass
class ProjectConfig:
    """The parsed ``projet.yml``: project name, attribute specs, consent uses, review settings."""

    name: str
    attributes: dict[str, AttributeSpec] = field(default_factory=dict)
    consent_uses: tuple[str, ...] = tuple(CONSENT_USES)
    review: ReviewSettings = field(default_factory=ReviewSettings)

    def spec(self, name: str, *, scope: str | None = None, where: str = "") -> AttributeSpec:
        """Return the spec of attribute ``name`` (matched case- and accent-insensitively)."""
        by_fold = {fold(n): s for n, s in self.attributes.items()}
        spec = by_fold.get(fold(name))
        if spec is None or (scope is not None and spec.scope != scope):
            known = [n for n, s in self.attributes.items() if scope in (None, s.scope)]
            prefix = f"{where} : " if where else ""
            raise AttributeValueError(
                f"{prefix}attribut inconnu « {name} » : déclarez-le dans {CONFIG_FILE} ou retirez-le "
                f"(attributs déclarés : {', '.join(known)})."
            )
        return spec

    def declares(self, name: str) -> bool:
        """Whether an attribute called ``name`` (case/accent-insensitive) is declared."""
        return any(fold(name) == fold(n) for n in self.attributes)

    def validate(self, values: dict[str, Any], *, scope: str, where: str = "") -> dict[str, str]:
        """Coerce a mapping of raw values; every problem is reported in one error."""
        clean: dict[str, str] = {}
        problems: list[str] = []
        for key, raw in values.items():
            try:
                spec = self.spec(key, scope=scope, where=where)
                value = spec.coerce(raw, where=where)
            except AttributeValueError as err:
                problems.append(str(err))
                continue
            if value is not None:
                clean[spec.name] = value
        if problems:
            raise AttributeValueError("\n".join(problems))
        return clean

    def to_yaml_data(self) -> dict[str, Any]:
        return {
            "nom": self.name,
            "attributs": [
                {
                    "nom": s.name,
                    "libelle": s.label,
                    "portee": s.scope,
                    "type": s.type,
                    **({"valeurs": list(s.choices)} if s.choices else {}),
                }
                for s in self.attributes.values()
            ],
            "usages_consentement": list(self.consent_uses),
            **({"revue": self.review.to_yaml_data()} if self.review != ReviewSettings() else {}),
        }


def parse_config(data: Any, *, source: str = CONFIG_FILE) -> ProjectConfig:
    """Build a ``ProjectConfig`` from YAML data (or a plain dict), reporting every problem at once.

    Raises ``ConfigError`` listing every problem, with its line when ``data`` came from
    :func:`load_config`: unknown keys, values of the wrong shape, bad names, types or scopes,
    ``choix`` without ``valeurs``, ``revue`` naming an undeclared attribute.
    """
    if not isinstance(data, dict):
        raise ConfigError(
            f"« {source} » : le fichier doit contenir un dictionnaire (nom, attributs…), pas "
            f"{describe(data)}."
        )
    check = _Checker()
    declared = data.get("attributs")
    check.unknown_keys(data, TOP_KEYS, None)
    if declared is not None and not isinstance(declared, list):
        check.problems.append(
            f"{check.place(data, 'attributs')} : « attributs » doit être une liste, pas "
            f"{describe(declared)}."
        )
        declared = []
    attributes: dict[str, AttributeSpec] = {}
    for i, item in enumerate(declared or [], start=1):
        line = line_of(declared, i - 1)
        where = f"ligne {line}, attribut n° {i}" if line else f"attribut n° {i}"
        if not isinstance(item, dict) or not item.get("nom"):
            check.problems.append(f"{where} : il faut au moins une clé « nom ».")
            continue
        check.unknown_keys(item, ATTRIBUTE_KEYS, where)
        name = check.text(item, "nom", where)
        kind = check.text(item, "type", where, "texte")
        scope = check.text(item, "portee", where, "document")
        choices = tuple(check.texts(item, "valeurs", where))
        problems = check.problems
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            problems.append(f"{where} : nom « {name} » invalide (minuscules, chiffres et _).")
        if name in attributes:
            problems.append(f"{where} : l'attribut « {name} » est déclaré deux fois.")
        if kind not in TYPES:
            problems.append(f"{where} ({name}) : type « {kind} » inconnu ({', '.join(TYPES)}).")
        if scope not in SCOPES:
            problems.append(
                f"{where} ({name}) : portée « {scope} » inconnue ({', '.join(SCOPES)})."
            )
        if kind == "choix" and not choices:
            problems.append(
                f"{where} ({name}) : un attribut « choix » doit lister ses « valeurs »."
            )
        label = check.text(item, "libelle", where) or name
        attributes[name] = AttributeSpec(name, label, scope, kind, choices)
    uses = check.texts(data, "usages_consentement", check.place(data, "usages_consentement"))
    review = _parse_review(data, attributes, check)
    name = check.text(data, "nom", check.place(data, "nom")) or "Projet"
    if check.problems:
        raise ConfigError(f"« {source} » contient des erreurs :\n- " + "\n- ".join(check.problems))
    return ProjectConfig(name, attributes, tuple(uses) or tuple(CONSENT_USES), review)


class _Checker:
    """Collects the problems of one ``projet.yml`` instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    @staticmethod
    def place(container: Any, key: Any) -> str:
        line = line_of(container, key)
        return f"ligne {line}" if line else "racine du fichier"

    def text(self, container: Any, key: str, where: str, default: str = "") -> str:
        try:
            return text_of(container, key, where=where, default=default).strip()
        except ConfigError as err:
            self.problems.append(str(err))
            return default

    def texts(self, container: Any, key: str, where: str) -> list[str]:
        try:
            return [t.strip() for t in texts_of(container, key, where=where) if t.strip()]
        except ConfigError as err:
            self.problems.append(str(err))
            return []

    def unknown_keys(self, container: dict, allowed: tuple[str, ...], where: str | None) -> None:
        for key in container:
            if key not in allowed:
                self.problems.append(
                    f"{where or self.place(container, key)} : clé inconnue « {key} » "
                    f"(clés possibles : {', '.join(allowed)})."
                )


def _parse_review(
    data: dict, attributes: dict[str, AttributeSpec], check: _Checker
) -> ReviewSettings:
    """The ``revue`` section; absent, MIAM's defaults for the attributes the file declares."""
    section = data.get("revue")
    if section is None:
        return ReviewSettings(
            filters=tuple(a for a in DEFAULT_REVIEW.filters if a in attributes),
            group=DEFAULT_REVIEW.group if DEFAULT_REVIEW.group in attributes else None,
            wave=DEFAULT_REVIEW.wave if DEFAULT_REVIEW.wave in attributes else None,
        )
    if not isinstance(section, dict):
        check.problems.append(
            f"{check.place(data, 'revue')} : « revue » doit être un dictionnaire (filtres, "
            f"groupe, vague), pas {describe(section)}."
        )
        return ReviewSettings()
    check.unknown_keys(section, REVIEW_KEYS, None)
    filters = check.texts(section, "filtres", check.place(section, "filtres"))
    group = check.text(section, "groupe", check.place(section, "groupe")) or None
    wave = check.text(section, "vague", check.place(section, "vague")) or None
    for key, names in (("filtres", filters), ("groupe", [group]), ("vague", [wave])):
        for name in names:
            if name is not None and name not in attributes:
                check.problems.append(
                    f"{check.place(section, key)} : « revue » › « {key} » nomme l'attribut "
                    f"« {name} », qui n'est pas déclaré dans « attributs » (attributs déclarés : "
                    f"{', '.join(attributes) or 'aucun'})."
                )
    if len(set(filters)) != len(filters):
        check.problems.append(
            f"{check.place(section, 'filtres')} : « revue » › « filtres » cite un attribut "
            "deux fois."
        )
    return ReviewSettings(tuple(filters), group, wave)


def load_config(path: Path) -> ProjectConfig:
    """Read ``projet.yml`` through :func:`miam_qual.yamlio.load_yaml`; raises ``ConfigError``
    with the file name and line on unreadable or bad YAML, limits crossed, or invalid content."""
    path = Path(path)
    return parse_config(load_yaml(path, source=path.name, error=ConfigError), source=path.name)


def write_config(config: ProjectConfig, path: Path) -> None:
    """Write ``config`` as readable YAML (atomically)."""
    yaml = YAML()
    yaml.allow_unicode = True
    yaml.default_flow_style = False
    yaml.width = 100
    buffer = io.StringIO()
    buffer.write("# Configuration du projet : attributs des documents et des participants.\n")
    yaml.dump(config.to_yaml_data(), buffer)
    atomic_write_text(path, buffer.getvalue())
