"""Pseudonymisation: consistent replacement, a private mapping, and no real name in any export."""

from __future__ import annotations

import pytest
import spacy
from test_publication_support import fill, validated

from miam_qual import ConfigError, ExportError, Project
from miam_qual.publication import (
    Pseudonyms,
    export_exhibition,
    export_radio,
    export_social_cards,
    export_spreadsheet,
    names_to_review,
)
from miam_qual.publication.outputs import exported_text
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


def test_no_real_name_leaves_the_project_in_any_export(project, tmp_path):
    codings = fill(project)
    validated(project, codings, ALL)
    # The « entraide » quote says « Josiane Lefebvre » and « rue Jean Jaurès » (see the mapping).
    reports = [
        export_radio(project, tmp_path / "radio"),
        export_exhibition(project, tmp_path / "expo", with_word_cloud=True),
        export_spreadsheet(project, tmp_path / "tableur"),
        export_social_cards(project, tmp_path / "cartes"),
    ]
    names = Pseudonyms.load(project.root)
    real = [fold(n) for n in names.mapping]
    seen_pseudonym = False
    checked = 0
    for report in reports:
        for path in report.files:
            text = exported_text(path)
            if not text:
                continue
            checked += 1
            assert names.leaks(text) == [], path
            assert not any(r in fold(text) for r in real), path
            seen_pseudonym |= "Martine L." in " ".join(text.split())
    suffixes = {p.suffix for r in reports for p in r.files}
    assert {".docx", ".md", ".csv", ".xlsx", ".pdf", ".txt"} <= suffixes
    assert checked >= 8 and seen_pseudonym  # the check read real text, and the pseudonym is there


def test_an_export_that_would_reveal_a_real_name_is_stopped_and_leaves_nothing(project, tmp_path):
    codings = fill(project)
    validated(project, codings, ALL)
    (project.root / "publication.yml").write_text(
        'structure: "Avec Josiane Lefebvre"\n', encoding="utf-8"
    )
    reopened = Project.open(project.root)
    try:
        with pytest.raises(ExportError, match="noms réels subsistent"):
            export_exhibition(reopened, tmp_path / "expo", png=False, with_word_cloud=False)
    finally:
        reopened.close()
    assert not (tmp_path / "expo" / "panneaux.pdf").exists()


def test_nothing_is_ever_exported_into_the_private_folder(project):
    codings = fill(project)
    validated(project, codings, ALL)
    with pytest.raises(ExportError, match="dossier privé"):
        export_spreadsheet(project, project.root / "prive" / "export")
    assert not (project.root / "prive" / "export").exists()
