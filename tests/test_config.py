"""projet.yml: shapes refused with their lines, the review settings, attribute value limits."""

from __future__ import annotations

import re

import pytest

from miam_qual import AttributeValueError, ConfigError, Project
from miam_qual.config import (
    DEFAULT_CONFIG,
    MAX_VALUE_CHARS,
    AttributeSpec,
    ReviewSettings,
    load_config,
    parse_config,
    write_config,
)

VALID = """\
nom: Enquête
attributs:
  - nom: vague
    type: choix
    valeurs: [2023, 02024, bilan]
  - nom: type_source
    type: choix
    valeurs: [entretien, atelier]
  - nom: role
    portee: participant
revue:
  filtres: [type_source, vague, role]
  groupe: type_source
  vague: vague
"""


def write(tmp_path, text: str):
    path = tmp_path / "projet.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_review_settings_are_read_and_written_back(tmp_path):
    config = load_config(write(tmp_path, VALID))
    assert config.review == ReviewSettings(("type_source", "vague", "role"), "type_source", "vague")
    # choices keep what was written: 02024 is not YAML 1.1's octal 1044
    assert config.attributes["vague"].choices == ("2023", "02024", "bilan")
    again = tmp_path / "copie.yml"
    write_config(config, again)
    assert load_config(again) == config


def test_without_a_review_section_miam_defaults_apply_to_declared_attributes(tmp_path):
    config = load_config(write(tmp_path, VALID.split("revue:")[0]))
    assert config.review == ReviewSettings(("type_source", "vague"), "type_source", "vague")
    only_site = "nom: P\nattributs:\n  - nom: site\n"
    assert load_config(write(tmp_path, only_site)).review == ReviewSettings()


def test_default_config_carries_miam_review_and_a_new_project_writes_it(tmp_path):
    assert DEFAULT_CONFIG["revue"] == {
        "filtres": ["type_source", "vague"], "groupe": "type_source", "vague": "vague",
    }  # fmt: skip
    project = Project.create(tmp_path / "p")
    try:
        assert project.config.review == ReviewSettings(
            ("type_source", "vague"), "type_source", "vague"
        )
        written = load_config(tmp_path / "p" / "projet.yml")
        assert written.review == project.config.review
    finally:
        project.close()


def test_review_naming_an_undeclared_attribute_is_refused_with_its_line(tmp_path):
    text = VALID.replace("filtres: [type_source, vague, role]", "filtres: [type_source, vage]")
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    assert (
        "ligne 12 : « revue » › « filtres » nomme l'attribut « vage », qui n'est pas déclaré"
        in str(caught.value)
    )


def test_wrong_shapes_are_config_errors_with_lines_never_crashes(tmp_path):
    text = """\
nom: [Enquête]
atributs: []
attributs:
  - nom: vague
    type: choix
    valeurs: [a, [b, c]]
  - juste un texte
usages_consentement: {analyse: oui}
revue: [type_source]
"""
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    message = str(caught.value)
    assert message.startswith("« projet.yml » contient des erreurs :")
    for expected in (
        "ligne 1 : « nom » doit être un texte, pas une liste.",
        "ligne 2 : clé inconnue « atributs »",
        "ligne 4, attribut n° 1 : « valeurs » : l'élément n° 2 doit être un texte, pas une liste.",
        "ligne 7, attribut n° 2 : il faut au moins une clé « nom ».",
        "ligne 8 : « usages_consentement » doit être un texte, pas un dictionnaire",
        "ligne 9 : « revue » doit être un dictionnaire (filtres, groupe, vague), pas une liste.",
    ):
        assert expected in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- nom: vague\n", "le fichier doit contenir un dictionnaire (nom, attributs…), pas une liste"),
        ("42\n", "pas un nombre (42)"),
        ("nom: P\nattributs: vague\n", "ligne 2 : « attributs » doit être une liste, pas un texte"),
    ],
)  # fmt: skip
def test_the_root_of_the_wrong_shape_is_refused(tmp_path, text, expected):
    with pytest.raises(ConfigError, match=re.escape(expected)):
        load_config(write(tmp_path, text))


def test_parse_config_accepts_plain_dicts_without_lines():
    with pytest.raises(ConfigError, match="racine du fichier : clé inconnue « attribut »"):
        parse_config({"nom": "P", "attribut": []})


def test_a_long_attribute_value_is_refused():
    spec = AttributeSpec("participant", "Participant", "document", "texte")
    assert spec.coerce("x" * MAX_VALUE_CHARS) == "x" * MAX_VALUE_CHARS
    with pytest.raises(AttributeValueError, match=r"notes\.md : valeur de 10 001 caractères"):
        spec.coerce("x" * (MAX_VALUE_CHARS + 1), where="notes.md")


def test_a_list_is_not_an_attribute_value():
    spec = AttributeSpec("site", "Site", "document", "choix", ("Haisnes",))
    with pytest.raises(AttributeValueError, match="attend une seule valeur, pas une liste"):
        spec.coerce(["Haisnes", "Hulluch"], where="notes.md")


def test_review_panel_filters_come_from_the_configuration(tmp_path):
    from miam_qual.reports import review_panel

    config = {
        "nom": "Autre enquête",
        "attributs": [
            {"nom": "site", "libelle": "Lieu", "type": "choix", "valeurs": ["A", "B"]},
            {"nom": "vague", "type": "texte"},
        ],
        "revue": {"filtres": ["site"], "groupe": "site"},
    }
    project = Project.create(tmp_path / "p", config=config)
    try:
        path = tmp_path / "note.txt"
        path.write_text("Une note prise sur le site A.\n", "utf-8")
        project.import_files([path], by="test", site="A")
        project.add_coder("karim")
        project.add_code("espace", "Espace")
        project.add_code("lieu", "Lieu", parent="espace")
        project.code("note.txt", 0, 10, ["lieu"], coder="karim")
        panel = review_panel(project)
        assert list(panel.columns) == ["theme", "site", "coder"]
        assert panel.labels["site"] == "Lieu"
        assert panel.choices("source_type") == [("(tous)", None), ("A", "A")]  # the group role
        assert len(panel.select(site="B").codings()) == 0
        assert len(panel.select(source_type="A").codings()) == 1
        with pytest.raises(TypeError, match="unknown filter 'wave'"):
            panel.select(wave="bilan")  # « vague » is declared but not a review attribute here
    finally:
        project.close()
