"""Pseudonymisation: consistent replacement, a private mapping, and no real name in any export."""

from __future__ import annotations

import pandas as pd
import pytest
import spacy
from test_publication_support import fill, validated

from miam_qual import ConfigError, ExportError, Project
from miam_qual.privacy import Pseudonyms, names_to_review
from miam_qual.privacy.readback import readable_text
from miam_qual.publication import (
    export_exhibition,
    export_spreadsheet,
)
from miam_qual.text import fold

ALL = ["radio", "exposition", "rapport", "réseaux sociaux"]


def mapping(tmp_path, **extra) -> Pseudonyms:
    return Pseudonyms(tmp_path / "prive" / "pseudonymes.yml",
                      {"Josiane Lefebvre": "Martine L.", "Josiane": "Martine", "Hélène": "Sonia", **extra})  # fmt: skip


def test_replacement_is_whole_word_case_and_accent_aware_longest_first(tmp_path):
    names = mapping(tmp_path)
    text = "JOSIANE a vu Josiane Lefebvre et helene ; Josianette et Hélènes restent, josiane-lefebvre aussi."
    assert names.apply(text) == (
        "MARTINE a vu Martine L. et Sonia ; Josianette et Hélènes restent, Martine L. aussi."
    )
    assert names.leaks(names.apply(text)) == []
    assert names.leaks("chez hélène") == ["Hélène"]


def test_a_pseudonym_that_is_a_real_name_is_refused(tmp_path):
    names = mapping(tmp_path)
    with pytest.raises(ConfigError, match="contient un nom réel"):
        names.add("Sonia Martin", "Josiane", save=False)
    assert "Sonia Martin" not in names.mapping


def test_the_mapping_lives_in_the_private_folder_and_round_trips(project):
    names = Pseudonyms.load(project.root)
    assert names.mapping == {} and names.path == project.root / "prive" / "pseudonymes.yml"
    names.add("Rachid Benali", "Karim B.")
    names.add("rue Émile Zola", "une rue de la cité")
    text = names.path.read_text(encoding="utf-8")
    assert text.startswith("# Fichier privé") and "Ne jamais l'exporter" in text
    again = Pseudonyms.load(project.root)
    assert again.mapping == {"Rachid Benali": "Karim B.", "rue Émile Zola": "une rue de la cité"}
    assert again.apply("Il habite RUE EMILE ZOLA.") == "Il habite UNE RUE DE LA CITÉ."


def test_names_to_review_from_the_register_local_list_and_mapping(project):
    codings = fill(project)
    validated(project, codings, ["exposition"])
    found = names_to_review(project, nlp=spacy.blank("fr"))
    sources = set(zip(found["name"], found["source"], strict=True))
    assert ("Josiane Lefebvre", "correspondance privée") in sources
    assert ("supérette du coin", "liste des noms locaux") in sources
    covered = found.set_index("name")["replacement"]
    assert covered["Josiane Lefebvre"] == "Martine L." and covered["supérette du coin"] == ""


@pytest.mark.slow
def test_names_to_review_with_the_trained_pipeline(project):
    codings = fill(project, mapping=False)
    validated(project, codings, ["exposition"])
    found = names_to_review(project)
    people = found[found["source"] == "personne (spaCy)"]
    assert "Josiane Lefebvre" in set(people["name"])


def test_settings_text_is_pseudonymised_too(project, tmp_path):
    codings = fill(project)
    validated(project, codings, ALL)
    (project.root / "publication.yml").write_text(
        'structure: "Avec Josiane Lefebvre"\n', encoding="utf-8"
    )
    reopened = Project.open(project.root)
    try:
        report = export_exhibition(reopened, tmp_path / "expo", png=False, with_word_cloud=False)
    finally:
        reopened.close()
    text = " ".join(t for _p, t in readable_text(tmp_path / "expo" / "panneaux.pdf"))
    assert "Avec Martine L." in " ".join(text.split()) and "Josiane" not in text
    assert report.files


def test_nothing_is_ever_exported_into_the_private_folder(project):
    codings = fill(project)
    validated(project, codings, ALL)
    with pytest.raises(ExportError, match="dossier privé"):
        export_spreadsheet(project, project.root / "prive" / "export")
    assert not (project.root / "prive" / "export").exists()


# -- the detailed mapping file, its shape errors, masked messages ------------------------------

DETAILED = """\
remplacements:
  Ahmed Benali: Karim Bouzid
  Ayşe Yıldız:
    pseudonyme: Leyla Kaya
    autres_formes: [Ayse, Aïcha]
    parties_courantes: [Yıldız]
  rue Jean Jaurès: une rue de la cité
  Cité des Provinces:
    pseudonyme: la cité
    type: lieu
noms_locaux: [Carrefour Market]
"""


def write_mapping(root, text: str):
    (root / "prive").mkdir(exist_ok=True)
    path = root / "prive" / "pseudonymes.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_detailed_form_of_the_mapping_file(tmp_path):
    write_mapping(tmp_path, DETAILED)
    names = Pseudonyms.load(tmp_path)
    entries = {e.real: e for e in names.entries}
    assert entries["Ayşe Yıldız"].other_forms == ("Ayse", "Aïcha")
    assert entries["Ayşe Yıldız"].common_parts == ("Yıldız",)
    assert (
        entries["rue Jean Jaurès"].kind == "lieu" and entries["Cité des Provinces"].kind == "lieu"
    )
    assert names.apply("AÏCHA et Monsieur Benali, rue Jean-Jaurès") == (
        "LEYLA KAYA et Monsieur Bouzid, une rue de la cité"
    )
    assert names.apply("Yıldız seul, Jaurès seul") == "Yıldız seul, Jaurès seul"
    assert names.leaks("chez AYSE") == ["Ayşe Yıldız"]
    (hit,) = names.find("Bonjour Ahmed !")
    assert (hit.start, hit.end, hit.replacement, hit.entry.real) == (8, 13, "Karim", "Ahmed Benali")
    names.save()
    again = Pseudonyms.load(tmp_path)
    assert again.entries == names.entries and again.local_names == ["Carrefour Market"]


WRONG_SHAPES = [
    ("- Ahmed Benali\n- Karim B.\n", "pas une liste"),
    ("42\n", "pas un nombre"),
    ("remplacements:\n  - Ahmed Benali\n", "pas une liste"),
    ("remplacements:\n  Ahmed Benali: 12\n", "ligne 2 : Le pseudonyme de « Ahmed Benali » doit être un texte"),
    ("remplacements:\n  Ahmed Benali:\n", "doit être un texte, pas une valeur vide"),
    ("remplacements:\n  123: Karim\n", "ligne 2 : Un nom réel doit être un texte, pas un nombre"),
    ("remplacement:\n  Ahmed Benali: Karim B.\n", "clé « remplacement » inconnue"),
    ("remplacements:\n  Ahmed Benali:\n    pseudo: Karim B.\n", "ligne 3 : « Ahmed Benali » : clé « pseudo » inconnue"),
    ("remplacements:\n  Ahmed:\n    pseudonyme: Karim\n    type: rue\n", "ligne 4 : « Ahmed » : type « rue » inconnu"),
    ("remplacements:\n  Ahmed:\n    pseudonyme: Karim\n    autres_formes: {a: b}\n", "liste de textes"),
    ("remplacements:\n  Ahmed Benali:\n    pseudonyme: Karim B.\n    parties_courantes: [Rosa]\n", "« Rosa » n'est pas une partie"),
    ("remplacements:\n  Ahmed: Karim\n  Ahmed: Omar\n", "ligne 3"),
    ("remplacements:\n  Hélène: Sonia\n  HELENE: Lucie\n", "pseudonymes différents"),
    ("remplacements:\n  Ahmed Benali: Karim B.\n  Ahmed Saïdi: Benali S.\n", "contient un nom réel"),
    ("noms_locaux: 3\n", "liste de textes"),
    ("remplacements: [\n", "YAML illisible"),
]  # fmt: skip


@pytest.mark.parametrize(("content", "expected"), WRONG_SHAPES)
def test_a_mapping_file_of_the_wrong_shape_is_refused_naming_the_file(tmp_path, content, expected):
    path = write_mapping(tmp_path, content)
    with pytest.raises(ConfigError) as refused:
        Pseudonyms.load(tmp_path)
    message = str(refused.value)
    assert str(path) in message and expected in message, message


def test_a_pseudonym_holding_a_part_of_a_real_name_is_refused(tmp_path):
    names = Pseudonyms(tmp_path / "prive" / "pseudonymes.yml", {"Ahmed Benali": "Karim Bouzid"})
    with pytest.raises(ConfigError, match="contient un nom réel"):
        names.add("Yasmina Saïdi", "Nadia Benali", save=False)
    with pytest.raises(ConfigError, match="contient un nom réel"):
        names.add("Ahmed Benali", "Ahmed B.", save=False)
    assert names.mapping == {"Ahmed Benali": "Karim Bouzid"}
    names.add("Rose Petit", "Rose Lemaire", common_parts=("Rose",), save=False)  # common: allowed
    assert names.apply("Rose Petit, une rose") == "Rose Lemaire, une rose"


def test_guard_names_the_place_and_masks_the_name(tmp_path):
    names = Pseudonyms(tmp_path / "prive" / "pseudonymes.yml", {"Ahmed Benali": "Karim Bouzid"})
    names.guard({"cartes (HTML)": "Karim Bouzid a dit bonjour"})  # nothing left: no error
    with pytest.raises(ExportError) as stopped:
        names.guard({"cartes (HTML)": "avec BEN\u00adALI", "entretien_Ahmed_Benali.txt": "Bonjour"})
    message = str(stopped.value)
    assert "noms réels subsistent" in message and "« cartes (HTML) » : A… B…" in message
    assert "« entretien_A… B….txt » : A… B…" in message
    assert not any(word in fold(message) for word in ("ahmed", "benali"))


def test_names_to_review_gives_every_covered_form_its_replacement(tmp_path):
    write_mapping(tmp_path, DETAILED)
    names = Pseudonyms.load(tmp_path)
    texts = pd.DataFrame(
        {
            "quote_id": ["c1", "c2"],
            "text": ["Monsieur BENALI au Carrefour Market", "Aïcha et Gérard"],
        }
    )
    entities = pd.DataFrame(
        {"row": [0, 1, 1], "text": ["Benali", "Aïcha", "Gérard"], "label": ["PER"] * 3,
         "start": [9, 0, 10], "end": [15, 5, 16]}
    )  # fmt: skip
    found = names.candidates(texts, register=["Habitante 3"], entities=entities)
    covered = dict(zip(found["name"], found["replacement"], strict=True))
    assert covered["BENALI"] == "BOUZID" and covered["Benali"] == "Bouzid"
    assert covered["Aïcha"] == "Leyla Kaya" and covered["Gérard"] == ""
    assert covered["Carrefour Market"] == ""
    sources = set(zip(found["name"], found["source"], strict=True))
    assert ("Carrefour Market", "liste des noms locaux") in sources
    assert ("BENALI", "correspondance privée") in sources


def test_a_part_shared_by_two_people_is_reported_with_the_file(tmp_path):
    names = Pseudonyms(
        tmp_path / "prive" / "pseudonymes.yml",
        {"Ahmed Benali": "Karim Bouzid", "Ahmed Saïdi": "Yanis Rahmani"},
    )
    (warning,) = names.warnings
    assert "pseudonymes.yml" in warning and "« Ahmed »" in warning
    assert names.apply("Ahmed") == "X" and names.leaks("Ahmed") == ["Ahmed Benali", "Ahmed Saïdi"]
    texts = pd.DataFrame({"quote_id": ["c1"], "text": ["Ahmed et Monsieur Saïdi"]})
    found = names.candidates(texts)
    assert list(zip(found["name"], found["source"], found["replacement"], strict=True)) == [
        ("Ahmed", "partie de plusieurs noms", "X"),
        ("Saïdi", "correspondance privée", "Rahmani"),
    ]
