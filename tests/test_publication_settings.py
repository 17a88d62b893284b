"""publication.yml: read through yamlio, every value checked for its type, lines in messages."""

from __future__ import annotations

import pytest

from miam_qual import ConfigError
from miam_qual.publication.settings import PublicationSettings, load_settings


def write(tmp_path, text: str) -> None:
    (tmp_path / "publication.yml").write_text(text, encoding="utf-8")


def test_absent_or_empty_file_gives_defaults(tmp_path):
    assert load_settings(tmp_path) == PublicationSettings()
    write(tmp_path, "# rien encore\n")
    assert load_settings(tmp_path) == PublicationSettings()


def test_values_are_read(tmp_path):
    write(
        tmp_path,
        'attribution: "{role}, {site}"\nduree_max_radio_s: 30\nlongueur_max_panneau: 200\n'
        'marge_audio_ms: 0\ncouleurs:\n  acces: "#2E7D32"\nstructure: 2024\n',
    )
    settings = load_settings(tmp_path)
    assert settings.attribution == "{role}, {site}"
    assert (settings.max_radio_seconds, settings.max_panel_chars, settings.padding_ms) == (
        30.0, 200, 0,
    )  # fmt: skip
    assert settings.colors == {"acces": "#2E7D32"}
    assert settings.credit == "2024"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("duree_max_radio_s: vrai\n", "ligne 1 : « duree_max_radio_s » doit être un nombre, pas un texte"),
        ("duree_max_radio_s: true\n", "ligne 1 : « duree_max_radio_s » doit être un nombre, pas un booléen"),
        ("longueur_max_panneau: 12.5\n", "ligne 1 : « longueur_max_panneau » doit être un nombre entier"),
        ("marge_audio_ms: -5\n", "ligne 1 : « marge_audio_ms » doit valoir au moins 0"),
        ("a: 1\ncouleurs: [vert]\n", "réglage inconnu « a »"),
        ("couleurs: [vert]\n", "ligne 1 : « couleurs » doit être un dictionnaire"),
        ("couleurs:\n  acces: #2E7D32\n", "ligne 2 : couleur absente pour « acces »"),
        ("couleurs:\n  acces: [1]\n", "ligne 2 : « acces » doit être un texte, pas une liste"),
        ("attribution: [role, site]\n", "ligne 1 : « attribution » doit être un texte, pas une liste"),
        ("- attribution\n", "ligne 1 : le fichier doit être un dictionnaire (clé: valeur), pas une liste"),
    ],
)  # fmt: skip
def test_wrong_values_are_refused_with_file_and_line(tmp_path, text, expected):
    write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    message = str(caught.value)
    assert message.startswith("« publication.yml » : ")
    assert expected in message


def test_alias_bomb_is_refused(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    write(tmp_path, "\n".join(lines) + "\n")
    with pytest.raises(ConfigError, match=r"« publication.yml » : ligne \d+ : plus de 100 000"):
        load_settings(tmp_path)
