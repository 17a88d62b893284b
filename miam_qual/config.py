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
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from .errors import AttributeValueError, ConfigError
from .fileio import atomic_write_text
from .text import fold

CONFIG_FILE = "projet.yml"
TYPES = ("texte", "choix", "date", "entier", "booleen")
SCOPES = ("document", "participant")

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
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            value = value.isoformat()
        text = str(value).strip()
        if not text:
            return None
        prefix = f"{where} : " if where else ""
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


@dataclass
class ProjectConfig:
    """The parsed ``projet.yml``: project name, attribute specs and consent uses."""

    name: str
    attributes: dict[str, AttributeSpec] = field(default_factory=dict)
    consent_uses: tuple[str, ...] = tuple(CONSENT_USES)

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
        }


def parse_config(data: Any, *, source: str = CONFIG_FILE) -> ProjectConfig:
    """Build a ``ProjectConfig`` from YAML data, reporting every problem at once."""
    if not isinstance(data, dict):
        raise ConfigError(
            f"« {source} » : le fichier doit contenir un dictionnaire (nom, attributs…)."
        )
    problems: list[str] = []
    attributes: dict[str, AttributeSpec] = {}
    for i, item in enumerate(data.get("attributs") or [], start=1):
        where = f"attribut n° {i}"
        if not isinstance(item, dict) or not item.get("nom"):
            problems.append(f"{where} : il faut au moins une clé « nom ».")
            continue
        name = str(item["nom"]).strip()
        kind = str(item.get("type", "texte")).strip()
        scope = str(item.get("portee", "document")).strip()
        choices = tuple(str(v) for v in item.get("valeurs") or ())
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
        attributes[name] = AttributeSpec(
            name, str(item.get("libelle") or name), scope, kind, choices
        )
    uses = tuple(str(u) for u in data.get("usages_consentement") or CONSENT_USES)
    if problems:
        raise ConfigError(f"« {source} » contient des erreurs :\n- " + "\n- ".join(problems))
    return ProjectConfig(str(data.get("nom") or "Projet"), attributes, uses)


def load_config(path: Path) -> ProjectConfig:
    """Read ``projet.yml``; raises ``ConfigError`` with the file name and line on bad YAML."""
    try:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f" ligne {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"« {path.name} »{line} : YAML illisible ({err}).") from err
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"« {path.name} » : lecture impossible ({err}).") from err
    return parse_config(data, source=path.name)


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
