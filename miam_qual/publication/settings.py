"""Publication settings: an optional ``publication.yml`` at the project root.

Every key is optional (French keys, since users edit the file)::

    attribution: "{role}, {tranche_age}, {site}"   # parts whose value is empty are dropped
    duree_max_radio_s: 45          # longer radio quotes are flagged in the script and cue sheet
    longueur_max_panneau: 280      # longer quotes are refused for exhibition panels and cards
    marge_audio_ms: 250            # silence kept before and after each clip
    couleurs:                      # theme colours (default: the codebook's)
      acces: "#2E7D32"
    structure: "MIAM — VRAC Hauts-de-France · OuiChange"   # footer of panels and cards
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from ..errors import ConfigError

SETTINGS_FILE = "publication.yml"
DEFAULT_ATTRIBUTION = "{role}, {tranche_age}, {site}"


@dataclass
class PublicationSettings:
    """Parsed ``publication.yml`` (defaults when the file is absent)."""

    attribution: str = DEFAULT_ATTRIBUTION
    max_radio_seconds: float = 45.0
    max_panel_chars: int = 280
    padding_ms: int = 250
    colors: dict[str, str] = field(default_factory=dict)
    credit: str = "MIAM — VRAC Hauts-de-France · OuiChange · cité Saint-Élie – Fosse 13"


KEYS = {
    "attribution": ("attribution", str),
    "duree_max_radio_s": ("max_radio_seconds", float),
    "longueur_max_panneau": ("max_panel_chars", int),
    "marge_audio_ms": ("padding_ms", int),
    "couleurs": ("colors", dict),
    "structure": ("credit", str),
}


def load_settings(root: Path) -> PublicationSettings:
    """Read ``<root>/publication.yml``; raises ``ConfigError`` naming the key on a bad value."""
    path = Path(root) / SETTINGS_FILE
    settings = PublicationSettings()
    if not path.exists():
        return settings
    try:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
    except YAMLError as err:
        raise ConfigError(f"« {path.name} » illisible : {err}") from err
    if not isinstance(data, dict):
        raise ConfigError(f"« {path.name} » doit contenir un dictionnaire de réglages.")
    for key, value in data.items():
        if key not in KEYS:
            raise ConfigError(
                f"« {path.name} » : réglage inconnu « {key} » (réglages possibles : {', '.join(KEYS)})."
            )
        attribute, kind = KEYS[key]
        try:
            coerced = kind(value)
        except (TypeError, ValueError) as err:
            raise ConfigError(
                f"« {path.name} » : valeur « {value} » invalide pour « {key} »."
            ) from err
        setattr(settings, attribute, coerced)
    return settings
