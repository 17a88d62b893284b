"""Publication settings: an optional ``publication.yml`` at the project root.

Every key is optional (French keys, since users edit the file)::

    attribution: "{role}, {tranche_age}, {site}"   # parts whose value is empty are dropped
    duree_max_radio_s: 45          # longer radio quotes are flagged in the script and cue sheet
    longueur_max_panneau: 280      # longer quotes are refused for exhibition panels and cards
    marge_audio_ms: 250            # silence kept before and after each clip
    calage_pause_ms: 400           # how far a clip's cut may move to land in a pause (0: never)
    ecart_enregistrement_ms: 2000  # recording duration vs last timecode: tolerated difference
    couleurs:                      # theme colours (default: the codebook's)
      acces: "#2E7D32"
    structure: "MIAM — VRAC Hauts-de-France · OuiChange"   # footer of panels and cards
    cible_sonie: ebu               # loudness of the radio episode: ebu (−23 LUFS) or podcast (−16)
    silence_entre_extraits_ms: 1500   # episode: silence between two quotes
    silence_entre_themes_ms: 3000     # episode: silence between two themes
    generique: generique.mp3       # episode: jingle of medias/ at the start and the end
    tapis: tapis.wav               # episode: bed of medias/ under everything, lowered under voices
    niveau_tapis_db: -20           # episode: the bed's gain (dB, 0 or less)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..yamlio import describe, line_of, load_yaml, text_of

SETTINGS_FILE = "publication.yml"
DEFAULT_ATTRIBUTION = "{role}, {tranche_age}, {site}"
_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


@dataclass
class PublicationSettings:
    """Parsed ``publication.yml`` (defaults when the file is absent)."""

    attribution: str = DEFAULT_ATTRIBUTION
    max_radio_seconds: float = 45.0
    max_panel_chars: int = 280
    padding_ms: int = 250
    snap_ms: int = 400
    recording_tolerance_ms: int = 2000
    colors: dict[str, str] = field(default_factory=dict)
    credit: str = "MIAM — VRAC Hauts-de-France · OuiChange · cité Saint-Élie – Fosse 13"
    loudness_target: str = "ebu"
    gap_ms: int = 1500
    theme_gap_ms: int = 3000
    jingle: str = ""
    bed: str = ""
    bed_level_db: float = -20.0


#: French key → (attribute, kind, smallest value for numbers).
KEYS: dict[str, tuple[str, type, float | None]] = {
    "attribution": ("attribution", str, None),
    "duree_max_radio_s": ("max_radio_seconds", float, 1),
    "longueur_max_panneau": ("max_panel_chars", int, 1),
    "marge_audio_ms": ("padding_ms", int, 0),
    "calage_pause_ms": ("snap_ms", int, 0),
    "ecart_enregistrement_ms": ("recording_tolerance_ms", int, 0),
    "couleurs": ("colors", dict, None),
    "structure": ("credit", str, None),
    "cible_sonie": ("loudness_target", str, None),
    "silence_entre_extraits_ms": ("gap_ms", int, 0),
    "silence_entre_themes_ms": ("theme_gap_ms", int, 0),
    "generique": ("jingle", str, None),
    "tapis": ("bed", str, None),
    "niveau_tapis_db": ("bed_level_db", float, None),
}
#: Keys whose value is one of a few words, or a number with a largest value.
CHOICES = {"cible_sonie": ("ebu", "podcast")}
LARGEST = {"niveau_tapis_db": 0.0}


def load_settings(root: Path) -> PublicationSettings:
    """Read ``<root>/publication.yml`` through :func:`miam_qual.yamlio.load_yaml`.

    Raises ``ConfigError`` naming the file, the line and the key for an unknown key, a value of
    the wrong type (``duree_max_radio_s: vrai``, ``couleurs: [vert]``), a number out of range or
    a colour that is not ``#RRVVBB``; and for unreadable YAML or a crossed size/alias limit.
    """
    path = Path(root) / SETTINGS_FILE
    settings = PublicationSettings()
    if not path.exists():
        return settings
    data = load_yaml(path, source=path.name, error=ConfigError, expect_mapping=True)
    for key in data:
        where = f"« {path.name} » : ligne {line_of(data, key)}"
        if key not in KEYS:
            raise ConfigError(
                f"{where} : réglage inconnu « {key} » (réglages possibles : {', '.join(KEYS)})."
            )
        attribute, kind, smallest = KEYS[key]
        value = _value(data, key, kind, smallest, where=where)
        if key in CHOICES and value not in CHOICES[key]:
            raise ConfigError(
                f"{where} : « {key} » doit valoir {' ou '.join(CHOICES[key])}, pas « {value} »."
            )
        if key in LARGEST and value > LARGEST[key]:
            raise ConfigError(
                f"{where} : « {key} » doit valoir au plus {LARGEST[key]:g} (lu : {value})."
            )
        setattr(settings, attribute, value)
    return settings


def _value(data: Any, key: str, kind: type, smallest: float | None, *, where: str) -> Any:
    value = data[key]
    if kind is str:
        return text_of(data, key, where=where, error=ConfigError)
    if kind is dict:
        if not isinstance(value, dict):
            raise ConfigError(
                f'{where} : « {key} » doit être un dictionnaire « thème: "#RRVVBB" », pas '
                f"{describe(value)}."
            )
        colors = {}
        for theme in value:
            place = f"« {SETTINGS_FILE} » : ligne {line_of(value, theme)}"
            color = text_of(value, theme, where=place, error=ConfigError).strip()
            if not color:
                raise ConfigError(
                    f"{place} : couleur absente pour « {theme} » ; un # hors guillemets commence "
                    'un commentaire : écrivez la couleur entre guillemets ("#2E7D32").'
                )
            if not _COLOR.fullmatch(color):
                raise ConfigError(
                    f"{place} : couleur « {color} » invalide pour « {theme} » (forme attendue : "
                    '"#RRVVBB" entre guillemets).'
                )
            colors[str(theme)] = color
        return colors
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if kind is int and isinstance(value, float) and value.is_integer():
        value = int(value)
    if not is_number or (kind is int and not isinstance(value, int)):
        expected = "un nombre entier" if kind is int else "un nombre"
        raise ConfigError(f"{where} : « {key} » doit être {expected}, pas {describe(value)}.")
    if smallest is not None and value < smallest:
        raise ConfigError(f"{where} : « {key} » doit valoir au moins {smallest} (lu : {value}).")
    return kind(value)
