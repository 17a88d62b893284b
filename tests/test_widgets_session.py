"""CodingSession on real projects: every action is read back from the store with codings()."""

from __future__ import annotations

from pathlib import Path

import pytest

from miam_qual import Project
from miam_qual.widgets import CodingSession, prefs

TRANSCRIPT = (
    "Enquêtrice : Où faites-vous vos courses ?\n\n"
    "Habitante 2 : Au marché, c'est moins cher. Mais l'épicerie 😀 est loin ! Je prends le bus.\n\n"
    "Enquêtrice : Et vos voisins ?\n\n"
    "Habitante 2 : On s'entraide beaucoup, surtout pour les courses.\n"
)
QUESTIONNAIRE = (
    "id;site;Q1 Que mangez-vous le plus ?;Q2 Pourquoi ?\n"
    "R1;Haisnes;Des légumes du marché;Parce que c'est bon\n"
    "R2;Haisnes;Des pâtes;C'est pas cher\n"
)


@pytest.fixture(autouse=True)
def private_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "config"
    monkeypatch.setenv("MIAM_CONFIG_DIR", str(folder))
    return folder


@pytest.fixture
def coded(project: Project, tmp_path: Path) -> Project:
    (tmp_path / "entretien.txt").write_text(TRANSCRIPT, encoding="utf-8")
    (tmp_path / "questionnaire.csv").write_text(QUESTIONNAIRE, encoding="utf-8")
    project.import_files([tmp_path / "entretien.txt"])
    project.import_files([tmp_path / "questionnaire.csv"], type_source="questionnaire")
    return project


def span_of(session: CodingSession, words: str) -> tuple[int, int]:
    start = session.text.index(words)
    return start, start + len(words)


def test_select_apply_remove_read_back(coded: Project) -> None:
    session = CodingSession(coded, "camille")
    start, end = span_of(session, "moins cher")
    assert session.select(start + 2, end - 1) == (start, end)  # snapped to words
    ids = session.apply(["prix", "proximite"])
    rows = coded.codings(coder="camille")
    assert sorted(zip(rows["code_id"], rows["text"], rows["start"], rows["end"], strict=True)) == [
        ("prix", "moins cher", start, end),
        ("proximite", "moins cher", start, end),
    ]
    assert session.apply(["prix"]) == [ids[0]]  # the same code twice is not written twice
    assert len(coded.codings(coder="camille")) == 2
    assert session.remove(ids[1])
    assert list(coded.codings(coder="camille")["code_id"]) == ["prix"]
    assert coded.codings(coder="karim").empty


def test_text_after_emoji_is_coded_at_the_right_place(coded: Project) -> None:
    session = CodingSession(coded, "camille")
    start, end = span_of(session, "est loin")
    session.select(start, end)
    session.apply("proximite")
    assert coded.codings()["text"].tolist() == ["est loin"]


def test_whole_turn_sentence_and_answer(coded: Project) -> None:
    session = CodingSession(coded, "camille", document="entretien.txt")
    session.point(session.text.index("épicerie"))
    session.select_unit("sentence")
    assert session.selected_text == "Mais l'épicerie 😀 est loin !"
    session.select_unit("turn")
    assert (
        session.selected_text
        == "Au marché, c'est moins cher. Mais l'épicerie 😀 est loin ! Je prends le bus."
    )
    session.select_unit("turn", 3)
    assert session.selected_text == "On s'entraide beaucoup, surtout pour les courses."
    session.apply("entraide")
    assert coded.codings(coder="camille")["text"].tolist() == [session.selected_text]
    assert session.select_unit("answer") is None
    assert "Pas de réponse" in session.status
    session.open("questionnaire.csv#R2")
    session.select_unit("answer", 1)
    assert session.selected_text == "C'est pas cher"


def test_bad_selections_say_why_and_write_nothing(coded: Project) -> None:
    session = CodingSession(coded, "camille")
    length = len(session.text)
    assert session.select(5, 5) is None and "vide" in session.status
    assert session.select(-3, 10) is None and "hors du texte" in session.status
    assert session.select(10, length + 1) is None and str(length) in session.status
    blank = session.text.index("\n\n")
    assert session.select(blank, blank + 2) is None and "espaces" in session.status
    assert session.select("a", 3) is None and session.status_level == "erreur"
    assert session.apply("prix") is None and "Sélectionnez" in session.status
    session.select(*span_of(session, "Où faites"))
    assert session.apply([]) is None
    assert session.apply("acces") is None and "thème" in session.status  # not codable
    assert coded.codings().empty


def test_memo_undo_redo(coded: Project) -> None:
    session = CodingSession(coded, "camille")
    session.select(*span_of(session, "Je prends le bus"))
    (first,) = session.apply(["proximite"])
    assert session.set_memo(first, "Dépend du bus")
    assert coded.codings()["memo"].tolist() == ["Dépend du bus"]
    assert session.remove(first)
    assert coded.codings().empty
    assert session.undo()  # the removal: coding and memo come back (new GUID)
    assert coded.codings()[["text", "memo"]].values.tolist() == [
        ["Je prends le bus", "Dépend du bus"]
    ]
    assert session.undo()  # the memo
    assert coded.codings()["memo"].isna().all()
    assert session.undo()  # the coding
    assert coded.codings().empty
    assert not session.undo() and "Rien à annuler" in session.status
    assert session.redo() and session.redo()
    assert coded.codings()[["code_id", "memo"]].values.tolist() == [["proximite", "Dépend du bus"]]
    assert session.redo()
    assert coded.codings().empty
    assert not session.redo()
    session.undo()
    assert len(coded.codings()) == 1
    session.select(*span_of(session, "moins cher"))
    session.apply("prix")  # a new action clears what could be redone
    assert not session.history.can_redo


def test_in_vivo_code_is_created_logged_and_applied(coded: Project) -> None:
    session = CodingSession(coded, "camille")
    session.select(*span_of(session, "moins cher"))
    code = session.create_code(parent="prix", definition="Le marché paraît moins cher.")
    assert (code.id, code.label, code.parent) == ("moins_cher", "moins cher", "prix")
    again = Project.open(coded.root)  # the YAML file holds it
    assert again.codebook.get("moins_cher").definition == "Le marché paraît moins cher."
    again.close()
    history = coded.codebook_history()
    logged = history[history["code_id"] == "moins_cher"]
    assert logged[["who", "action"]].values.tolist()[0] == ["camille", "ajout"]
    assert coded.codings(coder="camille")[["code_id", "text"]].values.tolist() == [
        ["moins_cher", "moins cher"]
    ]
    assert (
        session.create_code("Prix", parent="inconnu") is None and "Code non créé" in session.status
    )
    assert session.create_code("moins cher", parent="prix", apply=False).id == "moins_cher_2"


def test_undoing_an_in_vivo_code_takes_it_out_of_the_codebook(coded: Project) -> None:
    session = CodingSession(coded, "camille")
    session.select(*span_of(session, "moins cher"))
    code = session.create_code(parent="prix", definition="Le marché paraît moins cher.")
    assert code is not None and code.id in coded.codebook
    assert session.undo() and "code in vivo « moins cher »" in session.status
    assert coded.codings(coder="camille").empty
    with Project.open(coded.root) as again:  # gone from the shared YAML file too
        assert "moins_cher" not in again.codebook
    assert "moins_cher" not in [c.id for c in session.find_codes("moins")]
    assert session.redo()
    with Project.open(coded.root) as again:
        back = again.codebook.get("moins_cher")
        assert (back.label, back.parent, back.color) == ("moins cher", "prix", code.color)
        assert back.definition == "Le marché paraît moins cher."
    assert coded.codings(coder="camille")["code_id"].tolist() == ["moins_cher"]
    # someone else coded with it meanwhile: undo removes my coding, the code stays, and says so
    start, end = span_of(session, "est loin")
    coded.code("entretien.txt", start, end, "moins_cher", coder="karim")
    assert not session.undo()
    assert "reste dans le livre de codes" in session.status and session.status_level == "erreur"
    assert "moins_cher" in coded.codebook
    assert coded.codings(coder="camille").empty


def test_filter_recent_and_shortcuts(coded: Project) -> None:
    session = CodingSession(coded, "camille")
    assert [c.id for c in session.find_codes("PROXIMITE")] == ["proximite"]
    assert "proximite" in [c.id for c in session.find_codes("proxi")]
    assert all(c.codable for c in session.find_codes(""))
    accented = [c for c in coded.codebook if c.codable and "é" in c.label.casefold()]
    word = next(w for w in accented[0].label.split() if "é" in w.casefold())
    unaccented = word.casefold().replace("é", "e")
    assert accented[0].id in [c.id for c in session.find_codes(unaccented)]
    assert len(session.shortcuts) == 9
    session.select(*span_of(session, "moins cher"))
    session.apply("entraide")
    session.select(*span_of(session, "est loin"))
    session.apply("entraide")
    session.apply("sante")
    assert [c.id for c in session.find_codes("")][:2] == ["sante", "entraide"]
    codable = [c.id for c in coded.codebook if c.codable]
    assert session.shortcuts == codable[:9]  # coding never renumbers the keys
    fresh = CodingSession(coded, "camille")
    assert fresh.shortcuts == codable[:9]
    assert fresh.pin_shortcut(1, "sante") and fresh.shortcuts[0] == "sante"
    assert fresh.shortcuts[1:] == [c for c in codable if c != "sante"][:8]
    assert CodingSession(coded, "camille").shortcuts[0] == "sante"  # kept on this machine
    assert fresh.pin_shortcut(10, "sante") is None and "de 1 à 9" in fresh.status
    assert fresh.pin_shortcut(2, "acces") is None and "pas un code" in fresh.status
    assert fresh.pin_shortcut(1, None) and fresh.shortcuts == codable[:9]


def test_coder_is_remembered_on_this_machine(coded: Project, private_config: Path) -> None:
    session = CodingSession(coded, "camille")
    assert session.set_coder("Léa") == "Léa"
    assert (private_config / "codeur.json").exists()
    assert prefs.saved_coder() == "Léa"
    assert CodingSession(coded).coder == "Léa"
    assert "Léa" in coded.coders()["coder"].tolist()
    assert session.set_coder("  ") is None


def test_opening_a_session_writes_nothing_until_the_first_coding(coded: Project) -> None:
    session = CodingSession(coded, "Inès")
    assert "Inès" not in coded.coders()["coder"].tolist()
    assert "Inès" in session.coders()  # offered in the panel all the same
    session.select(*span_of(session, "moins cher"))
    assert session.apply(["prix"])
    assert "Inès" in coded.coders()["coder"].tolist()
    assert coded.codings(coder="Inès")["code_id"].tolist() == ["prix"]


def test_other_coders_codings_are_shown_on_request_and_protected(coded: Project) -> None:
    karim = CodingSession(coded, "karim")
    karim.select(*span_of(karim, "moins cher"))
    (theirs,) = karim.apply(["prix"])
    session = CodingSession(coded, "camille")
    assert session.codings().empty
    session.show_others = True
    assert session.codings()[["coder", "mine"]].values.tolist() == [["karim", False]]
    assert not session.remove(theirs) and "karim" in session.status
    assert len(coded.codings()) == 1


def test_navigation_progress_and_occurrences(coded: Project) -> None:
    session = CodingSession(coded, "camille")
    assert session.progress() == (0, 3)
    assert session.previous_document() is None and "premier" in session.status
    session.select(*span_of(session, "moins cher"))
    session.apply("prix")
    assert session.progress() == (1, 3)
    session.next_uncoded()
    assert session.document == "questionnaire.csv#R1"
    session.select_unit("answer", 1)
    session.apply("prix")
    session.next_uncoded()
    assert session.document == "questionnaire.csv#R2"
    session.select_unit("answer", 0)
    session.apply("cuisine_maison")
    assert session.next_uncoded() is None and "Tous les documents" in session.status
    assert session.next_occurrence("prix") == ("entretien.txt", *span_of(session, "moins cher"))
    assert session.next_occurrence("prix")[0] == "questionnaire.csv#R1"
    assert session.selected_text == "Parce que c'est bon"
    assert session.next_occurrence("acces")[0] == "entretien.txt"  # a theme finds its codes
    assert session.next_occurrence("sante") is None


def test_questionnaire_grid(coded: Project) -> None:
    session = CodingSession(coded, "camille", document="questionnaire.csv#R1")
    assert session.select_cell("questionnaire.csv#R2", "Q2 Pourquoi ?") == span_of(
        session, "C'est pas cher"
    )
    session.apply("prix")
    grid = session.grid()
    assert grid["questions"] == ["Q1 Que mangez-vous le plus ?", "Q2 Pourquoi ?"]
    assert [r["document"] for r in grid["rows"]] == ["questionnaire.csv#R1", "questionnaire.csv#R2"]
    cell = grid["rows"][1]["cells"]["Q2 Pourquoi ?"]
    assert cell["text"] == "C'est pas cher"
    assert [c["code_id"] for c in cell["codings"]] == ["prix"]
    assert coded.codings(coder="camille")["document"].tolist() == ["questionnaire.csv#R2"]
    assert session.select_cell("questionnaire.csv#R2", "Q9") is None
    assert session.grid("entretien.txt") is None


def test_code_deleted_in_another_notebook(coded: Project) -> None:
    session = CodingSession(coded, "camille")
    other = Project.open(coded.root)  # a second notebook on the same project
    other.add_code("ephemere", "Code éphémère", parent="acces", by="karim")
    session.select(*span_of(session, "moins cher"))
    assert session.apply("ephemere")  # the session sees the new code
    session.undo()
    other.reload_codebook()
    other.delete_code("ephemere", by="karim")
    other.close()
    assert session.apply("ephemere") is None
    assert "n'existe plus" in session.status and "rechargé" in session.status
    assert "ephemere" not in session.project.codebook
    assert coded.codings().empty
    assert session.apply("prix") is not None


def test_two_sessions_never_write_twice(coded: Project) -> None:
    first = CodingSession(coded, "camille")
    second_project = Project.open(coded.root)
    second = CodingSession(second_project, "camille")
    for session in (first, second):
        session.select(*span_of(session, "moins cher"))
        session.apply("prix")
    assert len(coded.codings()) == 1
    (coding,) = coded.codings()["coding_id"]
    assert second.remove(coding)
    assert not first.remove(coding) and "déjà été retiré" in first.status
    assert not first.undo() or "en partie" in first.status  # its apply was removed elsewhere
    assert coded.codings().empty
    second_project.close()


def test_demo_project_session(demo_project: Project) -> None:
    session = CodingSession(demo_project, "camille")
    done, total = session.progress()
    assert total == len(demo_project.documents()) and 0 < done < total
    session.next_uncoded()
    assert session.document_id not in set(demo_project.codings(coder="camille")["document_id"])
    before = len(demo_project.codings())
    session.point(len(session.text) // 2)
    session.select_unit("sentence")
    session.apply(session.shortcuts[:2])
    assert len(demo_project.codings()) == before + 2
    quest = demo_project.documents(kind="questionnaire")["document"].iloc[0]
    session.open(quest)
    grid = session.grid()
    assert (
        len(grid["rows"]) == len(demo_project.documents(kind="questionnaire")) and grid["questions"]
    )


def test_the_coder_is_asked_for_once_never_taken_from_the_login(
    coded: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from notebook_guard import differences, fingerprint

    from miam_qual.widgets import CodebookEditor, MemoEditor

    monkeypatch.delenv("MIAM_CODEUR", raising=False)
    before = fingerprint(coded.root)
    session = CodingSession(coded, document="entretien.txt")
    assert session.coder == "" and "Indiquez d'abord votre nom" in session.status
    assert "" not in session.coders()
    session.select(*span_of(session, "Où faites-vous"))
    code = next(c.id for c in coded.codebook if c.codable)
    assert session.apply(code) is None and "Indiquez d'abord votre nom" in session.status
    assert session.create_code(parent=coded.codebook.get(code).parent) is None
    editor = CodebookEditor(coded)
    editor.select(code)
    assert editor.save(label="Autre libellé") is None and "Votre nom" in editor.status
    memo = MemoEditor(coded)
    assert memo.author == ""
    assert differences(before, fingerprint(coded.root)) == []  # nothing written, nobody signed

    assert session.set_coder("Léa") == "Léa"
    assert session.apply(code) and set(coded.codings()["coder"]) == {"Léa"}
    again = CodingSession(coded)  # asked once: the next panel on this machine knows the name
    assert again.coder == "Léa" and CodebookEditor(coded).by == "Léa"


def test_undo_goes_to_the_document_it_acts_on_and_says_what_it_undid(coded: Project) -> None:
    session = CodingSession(coded, "camille", document="entretien.txt")
    session.select(*span_of(session, "Je prends le bus"))
    (coding,) = session.apply(["proximite"])
    session.next_document()  # the intern moves on to a questionnaire answer
    assert session.document != "entretien.txt"
    assert session.undo()
    assert session.document == "entretien.txt"  # back where the coding was, not out of sight
    assert session.selected_text == "Je prends le bus"
    assert session.status == (
        "Annulé : codage Offre alimentaire de proximité dans « entretien.txt » "
        "(« Je prends le bus »)."
    )
    assert coded.codings().empty
    session.next_document()
    assert session.redo() and session.document == "entretien.txt"
    assert coded.codings()["text"].tolist() == ["Je prends le bus"]


def test_a_name_that_cannot_be_remembered_still_signs_and_says_so(
    coded: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The machine's settings folder cannot be written (here: a file stands where it should be):
    every panel keeps the name for its own work and says it was not remembered."""
    from miam_qual.widgets import CodebookEditor, MemoEditor, ReviewLoop

    blocked = tmp_path / "pas_un_dossier"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv("MIAM_CONFIG_DIR", str(blocked / "config"))
    session = CodingSession(coded, document="entretien.txt")
    assert session.set_coder("léa") == "léa" and session.coder == "léa"
    assert "nom non mémorisé sur cette machine" in session.status
    assert session.status_level == "erreur"
    memos = MemoEditor(coded)
    assert memos.set_author("léa") == "léa" and "nom non mémorisé" in memos.status
    book = CodebookEditor(coded)
    assert book.set_by("léa") == "léa" and "nom non mémorisé" in book.status
    review = ReviewLoop(coded)
    assert review.set_author("léa") == "léa" and "nom non mémorisé" in review.status
    assert not (blocked / "config").exists()


def test_a_click_rereads_nothing_and_any_write_is_seen_at_once(coded: Project) -> None:
    session = CodingSession(coded, "camille")
    session.show_others = True
    session.select(*span_of(session, "moins cher"))
    session.apply(["prix"])
    drawn, progress = session.codings(), session.progress()
    statements: list[str] = []
    coded.store.db.set_trace_callback(statements.append)
    session.point(3)
    assert session.codings().equals(drawn) and session.progress() == progress == (1, 3)
    coded.store.db.set_trace_callback(None)
    # nothing written since: the database is only asked whether it changed
    assert statements and all(s.startswith("PRAGMA data_version") for s in statements)
    # Another notebook (its own connection) codes the same document: the next read sees it.
    other = Project.open(coded.root)
    try:
        start, end = span_of(session, "moins cher")
        other.code(session.document, start, end, "transport", coder="karim")
    finally:
        other.close()
    fresh = session.codings()
    assert sorted(fresh["code_id"]) == ["prix", "transport"]
    assert session.progress() == (1, 3) and session.code_usage() == {"prix": 1}
    # The same kernel writes through the project outside the session: seen too.
    coded.uncode(fresh.loc[fresh["code_id"] == "transport", "coding_id"].item(), by="karim")
    assert session.codings()["code_id"].tolist() == ["prix"]
