"""Coding: spans checked against documents, overlaps, memos, queries, and codebook changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from miam_qual import (
    CodebookError,
    CodingError,
    OffsetOutOfRange,
    Project,
    UnknownAttribute,
    UnknownCode,
    UnknownCoder,
    analysis,
)
from miam_qual.codebook import load_codebook

DATA = Path(__file__).parent / "data"
DOC = "entretien_cantine.txt"


@pytest.fixture
def coded(tmp_path: Path) -> Project:
    project = Project.create(tmp_path / "p", codebook=DATA / "codebooks" / "valide.yml")
    project.add_coder("camille")
    project.add_coder("karim")
    project.import_participants(DATA / "core" / "participants.csv")
    project.import_files(
        [DATA / "core" / DOC], participant="Responsable cantine", vague="mi-parcours"
    )
    yield project
    project.close()


def span(project: Project, words: str) -> tuple[int, int]:
    start = project.text(DOC).index(words)
    return start, start + len(words)


def test_code_keeps_a_copy_of_the_text_and_its_context(coded: Project):
    start, end = span(coded, "les enfants ne mangeaient pas les légumes")
    coding = coded.code(DOC, start, end, "prix", coder="camille", memo="à revoir")
    row = coded.codings().set_index("coding_id").loc[coding]
    assert (row["start"], row["end"], row["text"]) == (
        start,
        end,
        "les enfants ne mangeaient pas les légumes",
    )
    assert (row["code_id"], row["theme_id"], row["coder"], row["memo"]) == (
        "prix",
        "acces",
        "camille",
        "à revoir",
    )
    assert (row["speaker"], row["speaker_role"]) == ("Responsable cantine", "participant")
    assert (row["vague"], row["tranche_age"]) == ("mi-parcours", "40-49 ans")


def test_overlaps_several_codes_and_coders(coded: Project):
    a = span(coded, "Ils goûtent plus volontiers")
    b = span(coded, "goûtent plus volontiers. C’est pas gagné")
    ids = coded.code(DOC, *a, ["prix", "convivialite"], coder="camille")
    coded.code(DOC, *b, "prix", coder="karim")
    assert len(ids) == 2
    frame = coded.codings()
    assert len(frame) == 3 and frame["selection_id"].nunique() == 2
    assert coded.code(DOC, *a, "prix", coder="camille") == ids[0]  # same coding, not written twice
    assert len(coded.codings()) == 3
    assert list(coded.codings(coder="karim")["text"]) == [
        "goûtent plus volontiers. C’est pas gagné"
    ]


def test_refusals_write_nothing(coded: Project):
    length = len(coded.text(DOC))
    with pytest.raises(
        OffsetOutOfRange, match=rf"« {DOC} » : passage \[10, {length + 1}\) hors du texte"
    ):
        coded.code(DOC, 10, length + 1, "prix", coder="camille")
    with pytest.raises(OffsetOutOfRange):
        coded.code(DOC, 12, 12, "prix", coder="camille")
    with pytest.raises(OffsetOutOfRange):
        coded.code(DOC, -1, 5, "prix", coder="camille")
    with pytest.raises(UnknownCode, match="Code inconnu « pri »"):
        coded.code(DOC, 0, 5, "pri", coder="camille")
    with pytest.raises(CodingError, match="est un thème"):
        coded.code(DOC, 0, 5, "acces", coder="camille")
    with pytest.raises(
        UnknownCoder, match="Codeur inconnu « zoé » \\(codeurs enregistrés : camille, karim\\)"
    ):
        coded.code(DOC, 0, 5, "prix", coder="zoé")
    with pytest.raises(UnknownCode):  # a list with one bad code writes none of them
        coded.code(DOC, 0, 5, ["prix", "inconnu"], coder="camille")
    assert coded.codings().empty


def test_uncode_removes_only_that_coding(coded: Project):
    ids = coded.code(DOC, 0, 10, ["prix", "convivialite"], coder="camille")
    coded.uncode(ids[0])
    assert list(coded.codings()["code_id"]) == ["convivialite"]
    with pytest.raises(CodingError, match="Codage inconnu"):
        coded.uncode(ids[0])
    coded.uncode(ids[1])
    assert coded.store.one("SELECT COUNT(*) AS n FROM selections")["n"] == 0


def test_queries_by_theme_coder_and_attribute(coded: Project):
    coded.code(DOC, 0, 10, "transport", coder="camille")
    coded.code(DOC, 20, 30, "convivialite", coder="karim")
    assert list(coded.codings("acces")["code_id"]) == ["transport"]
    assert coded.codings("acces", descendants=False).empty
    assert list(coded.codings(["proximite", "lien_social"])["code_id"]) == [
        "transport",
        "convivialite",
    ]
    assert len(coded.codings(vague="mi-parcours")) == 2 and coded.codings(vague="bilan").empty
    assert len(coded.codings(tranche_age=["40-49 ans", "50-59 ans"])) == 2


def test_misspelt_filters_raise_instead_of_returning_nothing(coded: Project):
    coded.code(DOC, 0, 10, "transport", coder="camille")
    for call in (
        lambda: coded.documents(vauge="bilan"),
        lambda: coded.codings(vauge="bilan"),
        lambda: coded.codings("acces", vauge=["bilan"]),
        lambda: analysis.retrieve(coded, "acces", vauge="bilan"),
        lambda: analysis.retrieve(coded, "acces", codings=coded.codings(), vauge="bilan"),
    ):
        with pytest.raises(UnknownAttribute, match="Filtre inconnu « vauge ».*vague"):
            call()
    # a declared attribute that no document carries yet is a true "nothing", not a typo
    assert "organisation_partenaire" not in coded.documents().columns
    assert coded.documents(organisation_partenaire="Cantine").empty
    assert coded.codings(organisation_partenaire="Cantine").empty
    # any column filters too
    assert len(coded.codings(code_id="transport")) == 1 and coded.codings(code_id="prix").empty
    assert len(coded.documents(kind=["text", "transcript"])) == 1


def test_memos_on_documents_codes_and_codings(coded: Project):
    coding = coded.code(DOC, 0, 10, "prix", coder="camille")
    coded.set_memo("document", DOC, "Entretien riche sur la cantine.", author="camille")
    coded.set_memo("code", "prix", "Distinguer prix perçu et prix réel.", author="karim")
    coded.set_memo("coding", coding, "Ironique ?", author="karim")
    memos = coded.memos().set_index("target_kind")
    assert memos.loc["document", "target"] == DOC and memos.loc["code", "target"] == "prix"
    assert coded.codings().iloc[0]["memo"] == "Ironique ?"
    coded.set_memo("code", "prix", "", author="karim")
    assert "code" not in set(coded.memos()["target_kind"])


def test_rename_and_move_keep_codings_and_are_logged(coded: Project):
    coded.code(DOC, 0, 10, "transport", coder="camille")
    coded.update_code(
        "transport", label="Transports en commun", definition="Bus, covoiturage.", by="karim"
    )
    coded.move_code("transport", "lien_social", by="karim")
    row = coded.codings().iloc[0]
    assert (row["code"], row["theme_id"]) == ("Transports en commun", "lien_social")
    on_disk = load_codebook(coded.codebook_path)
    assert on_disk.get("transport").parent == "lien_social"
    assert on_disk.get("transport").label == "Transports en commun"
    log = coded.codebook_history()
    last = log.iloc[-2:]
    assert list(last["action"]) == ["modification", "déplacement"] and set(last["who"]) == {"karim"}
    assert last.iloc[0]["details"]["libellé"] == {
        "avant": "Transport et bus",
        "après": "Transports en commun",
    }


def test_delete_is_refused_while_codings_exist_then_merge(coded: Project):
    coded.code(DOC, 0, 10, "prix", coder="camille")
    coded.code(DOC, 0, 10, "convivialite", coder="camille")
    coded.code(DOC, 30, 40, "prix", coder="karim")
    with pytest.raises(CodebookError, match="porte 2 codage\\(s\\).*merge_codes"):
        coded.delete_code("prix")
    assert coded.merge_codes("prix", "convivialite", by="karim") == 1  # the duplicate span merged
    assert "prix" not in load_codebook(coded.codebook_path)
    assert sorted(coded.codings()["code_id"]) == ["convivialite", "convivialite"]
    assert coded.codebook_history().iloc[-1]["action"] == "fusion"
    coded.add_code("vide", "Code vide", parent="acces", by="karim")
    coded.delete_code("vide", by="karim")
    assert "vide" not in coded.codebook


def test_hand_edits_of_the_yaml_are_synced_and_logged(coded: Project):
    path = coded.codebook_path
    path.write_text(
        path.read_text(encoding="utf-8").replace("Convivialité", "Moments conviviaux"),
        encoding="utf-8",
    )
    coded.close()
    reopened = Project.open(coded.root)
    assert reopened.codebook.get("convivialite").label == "Moments conviviaux"
    assert reopened.codebook_history().iloc[-1]["who"] == "livre de codes modifié hors de miam_qual"
    reopened.close()


def test_removing_a_used_code_from_the_yaml_is_refused(coded: Project):
    coded.code(DOC, 0, 10, "convivialite", coder="camille")
    book = coded.codebook.without("convivialite")
    book.save(coded.codebook_path)
    coded.close()
    with pytest.raises(CodebookError, match="ne contient plus « convivialite » \\(1 codages\\)"):
        Project.open(coded.root)


def test_validate_reports_drifted_selections(coded: Project):
    coded.code(DOC, 0, 10, "prix", coder="camille")
    assert coded.validate() == []
    coded.store.db.execute("UPDATE selections SET text = 'autre chose'")
    assert "le texte codé a changé" in coded.validate()[0]


def test_two_projects_open_on_the_same_folder_see_each_others_codebook(coded: Project):
    other = Project.open(coded.root)
    try:
        other.add_code("jardins", "Jardins partagés", parent="acces", by="karim")
        coding = coded.code(DOC, 0, 10, "jardins", coder="camille")  # no reopen needed
        assert other.coding(coding)["code_id"] == "jardins"
        other.merge_codes("jardins", "prix", by="karim")
        assert "jardins" not in coded.codebook
        assert list(coded.codings()["code_id"]) == ["prix"]
    finally:
        other.close()


def test_reopening_after_api_changes_logs_nothing_more(coded: Project):
    coded.add_code("jardins", "Jardins partagés", parent="acces", by="karim")
    coded.move_code("transport", "lien_social", by="karim")
    entries = len(coded.codebook_history())
    coded.close()
    reopened = Project.open(coded.root)
    assert len(reopened.codebook_history()) == entries
    reopened.close()


def test_hand_edit_of_criteria_is_logged_field_by_field(coded: Project):
    path = coded.codebook_path
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("Mentions du prix, du budget, de la fin de mois.", "Mentions du prix."),
        encoding="utf-8",
    )
    assert coded.codebook.get("prix").inclusion == "Mentions du prix."
    last = coded.codebook_history().iloc[-1]
    assert last["action"] == "modification" and list(last["details"]) == ["inclusion"]


def test_each_coding_gets_the_turn_of_its_own_document(coded: Project, tmp_path: Path):
    other = tmp_path / "notes.txt"
    other.write_text(
        "Préambule sans locuteur.\nHabitante 9 : Je viens le samedi.\n", encoding="utf-8"
    )
    coded.import_files([other])
    text = coded.text(DOC)
    coded.code(
        DOC,
        text.index("Depuis huit ans"),
        text.index("Depuis huit ans") + 15,
        "prix",
        coder="camille",
    )
    coded.code("notes.txt", 0, 9, "prix", coder="camille")
    coded.code("notes.txt", 40, 47, "prix", coder="camille")
    coded.code(DOC, 0, 7, "prix", coder="camille")
    frame = coded.codings()
    speakers = (
        frame[["speaker", "speaker_role"]]
        .astype(object)
        .where(frame[["speaker", "speaker_role"]].notna(), None)
    )
    assert list(
        zip(
            frame["document"],
            frame["start"],
            speakers["speaker"],
            speakers["speaker_role"],
            strict=True,
        )
    ) == [
        (DOC, 0, "Enquêtrice", "interviewer"),
        (DOC, text.index("Depuis huit ans"), "Responsable cantine", "participant"),
        ("notes.txt", 0, None, None),
        ("notes.txt", 40, "Habitante 9", "participant"),
    ]
    assert frame.iloc[1]["role"] == "partenaire"  # the participant attribute no longer clashes


def test_drawn_codings_are_the_documents_codings_with_fewer_columns(coded: Project) -> None:
    for words, code, coder in [("huit ans", "prix", "camille"), ("huit ans", "transport", "karim")]:
        coded.code(DOC, *span(coded, words), code, coder=coder)
    coded.set_memo(
        "coding", coded.codings(coder="karim")["coding_id"].item(), "Ironique ?", author="karim"
    )
    full = coded.codings(document=DOC)
    drawn = coded.drawn_codings(DOC)
    assert list(drawn.columns) == ["coding_id", "start", "end", "text", "code_id", "coder", "memo"]
    same = ["coding_id", "start", "end", "text", "code_id", "coder"]
    assert drawn[same].to_dict("records") == full[same].to_dict("records")
    assert drawn[["code_id", "memo"]].values.tolist() == [
        ["prix", None],
        ["transport", "Ironique ?"],
    ]
    assert coded.drawn_codings(coded.document_id(DOC)).equals(drawn)


def test_coding_tally_counts_one_coders_codings_per_code_and_document(coded: Project) -> None:
    guid = coded.document_id(DOC)
    coded.code(DOC, *span(coded, "huit ans"), "prix", coder="camille")
    coded.code(DOC, *span(coded, "Les épinards"), "prix", coder="camille")
    coded.code(DOC, *span(coded, "Les épinards"), "transport", coder="camille")
    coded.code(DOC, *span(coded, "Les épinards"), "transport", coder="karim")
    tally = coded.coding_tally("camille")
    assert tally.to_dict("records") == [
        {"code_id": "prix", "document_id": guid, "codings": 2},
        {"code_id": "transport", "document_id": guid, "codings": 1},
    ]
    assert coded.coding_tally("personne").empty
    assert list(coded.coding_tally("personne").columns) == ["code_id", "document_id", "codings"]
