"""The review loop panel (notebook 04): ``ReviewLoop`` (logic) and ``ReviewLoopPanel``
(ipywidgets view) on real projects; every write is read back from the store, and nothing is
written before a button is pressed."""

from __future__ import annotations

from pathlib import Path

import pytest
from notebook_guard import fingerprint

from miam_qual import Project
from miam_qual.widgets import ReviewLoop, ReviewLoopPanel

CORE = Path(__file__).parent / "data" / "core"
DOC = "entretien_cantine.txt"


@pytest.fixture(autouse=True)
def private_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIAM_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("MIAM_CODEUR", raising=False)


@pytest.fixture
def coded(project: Project) -> Project:
    project.add_coder("zoé")
    project.import_files([CORE / DOC, CORE / "temoignage_cp1252.txt"])
    for words, code in (("Depuis huit ans", "prix"), ("Ils goûtent plus volontiers", "qualite")):
        start = project.text(DOC).index(words)
        project.code(DOC, start, start + len(words), code, coder="camille")
    return project


def codings(project: Project) -> dict[str, str]:
    frame = project.codings()
    return dict(zip(frame["text"], frame["coding_id"], strict=True))


def shown_cells(frame) -> list[str]:
    return [str(v) for v in frame.to_numpy().ravel()]


def readable(frame) -> bool:
    cells = shown_cells(frame)
    return not [c for c in cells if c in {"nan", "None", "NaN", "NaT"} or c.startswith(("[", "{"))]


def test_a_supervisor_contests_and_the_coder_answers_and_settles(coded: Project):
    ids = codings(coded)
    boss = ReviewLoop(coded, author="zoé")
    assert boss.set_target_kind("codage") == "codage"
    assert boss.set_document(DOC) == coded.document_id(DOC)
    labels = dict((t, label) for label, t in boss.target_choices())
    assert labels[ids["Depuis huit ans"]] == "Prix et budget — « Depuis huit ans » (camille)"
    assert boss.choose(ids["Depuis huit ans"])
    assert boss.contest("Ce passage parle d'ancienneté, pas de prix.")
    assert "Codage contesté" in boss.status and boss.status_level == "info"
    assert boss.choose(ids["Ils goûtent plus volontiers"]) and boss.approve()
    labels = dict((t, label) for label, t in boss.target_choices())
    assert labels[ids["Depuis huit ans"]].endswith(" ⚠")
    assert labels[ids["Ils goûtent plus volontiers"]].endswith(" ✔")
    # the coder's side
    intern = ReviewLoop(coded, author="camille")
    intern.set_filter("coder", "camille")
    [(label, thread)] = intern.item_choices()
    assert label.startswith("⚠ Contestation — Prix et budget — « Depuis huit ans »")
    assert intern.select(thread) == thread
    [opening] = intern.conversation()
    assert opening["author"] == "zoé" and opening["text"].startswith("Ce passage")
    assert intern.reply("Vu, je le déplace vers l'ancienneté.")
    assert [m["author"] for m in intern.conversation()] == ["zoé", "camille"]
    assert intern.settle() and intern.thread is None
    assert intern.item_choices() == []
    assert coded.threads(ids["Depuis huit ans"])["status"].tolist() == ["réglé"]
    assert coded.review_state(DOC) == {
        ids["Depuis huit ans"]: "réglé",
        ids["Ils goûtent plus volontiers"]: "approuvé",
    }
    assert readable(intern.list_table()) and intern.list_table().iloc[0, 0] == (
        "Rien à revoir pour l'instant."
    )


def test_refusals_are_french_sentences_and_write_nothing(coded: Project):
    before = fingerprint(coded.root)
    loop = ReviewLoop(coded)  # nobody named yet
    loop.choose(codings(coded)["Depuis huit ans"])
    assert not loop.contest("Pourquoi ?") and "Votre nom" in loop.status
    assert loop.set_author("inconnue") is None and "Codeur inconnu « inconnue »" in loop.status
    assert loop.set_author("zoé") == "zoé"
    assert not loop.contest("   ") and "Rien n'a été écrit" in loop.status
    assert not loop.reply("Réponse") and loop.status_level == "erreur"
    assert not loop.settle()
    loop.set_target_kind("code")
    loop.choose("prix")
    assert not loop.approve() and "on approuve ou conteste un codage" in loop.status
    assert loop.choose("pas-un-code") is None
    assert loop.set_target_kind("autre") is None
    assert loop.set_document("absent.txt") is None
    assert loop.select("pas-un-fil") is None
    assert fingerprint(coded.root) == before


def test_comments_on_codes_and_theme_summaries(coded: Project):
    loop = ReviewLoop(coded, author="zoé")
    loop.set_target_kind("synthèse")
    themes = [t for _label, t in loop.target_choices()]
    assert "acces" in themes and "prix" not in themes
    loop.choose("acces")
    assert loop.comment("La synthèse oublie les prix.")
    loop.set_target_kind("code")
    loop.choose("prix")
    assert loop.comment("Définition à préciser.")
    assert loop.target_threads()["text"].tolist() == ["Définition à préciser."]
    loop.set_filter("about", "synthèse")
    [(label, _thread)] = loop.item_choices()
    assert label.endswith("— synthèse — zoé")
    loop.set_filter("about", None)
    assert len(loop.items()) == 2
    table = loop.list_table()
    assert list(table.columns)[:3] == ["Type", "Sur", "Document"] and readable(table)


def test_the_history_shows_every_change_latest_first(coded: Project):
    ids = codings(coded)
    coded.move_coding(ids["Depuis huit ans"], "proximite", by="zoé")
    coded.uncode(ids["Ils goûtent plus volontiers"])
    loop = ReviewLoop(coded, author="zoé")
    history = loop.history()
    assert history["action"].tolist() == ["retiré", "déplacé", "ajouté", "ajouté"]
    assert loop.history(code="prix")["action"].tolist() == ["déplacé", "ajouté"]
    table = loop.history_table(coder="camille")
    assert list(table.columns) == [
        "Le", "Par", "Action", "Document", "Texte", "Code", "Code précédent", "Codeur·se", "Détail"
    ]  # fmt: skip
    assert readable(table) and len(table) == 4
    assert loop.history(coder="personne").empty and loop.status_level == "erreur"


def test_the_panel_writes_only_on_its_buttons(coded: Project):
    ids = codings(coded)
    before = fingerprint(coded.root)
    panel = ReviewLoopPanel(coded, author="zoé")
    assert [panel.tabs.get_title(i) for i in range(3)] == [
        "À revoir", "Commenter", "Historique"
    ]  # fmt: skip
    panel.document.value = coded.document_id(DOC)
    panel.targets.value = ids["Depuis huit ans"]
    panel.comment_text.value = "Pas du prix, plutôt l'ancienneté."
    panel.target_kind.value = "code"
    panel.target_kind.value = "codage"
    panel.targets.value = ids["Depuis huit ans"]
    assert fingerprint(coded.root) == before  # choosing and typing write nothing
    assert not panel.approve_button.disabled
    panel.contest_button.click()
    assert panel.comment_text.value == "" and "Codage contesté" in panel.status.value
    [thread] = coded.to_review()["thread_id"]
    assert "Pas du prix" in panel.target_view.value
    # the coder answers and settles from the first tab
    panel.author.value = "camille"
    panel.filter_coder.value = "camille"
    assert [t for _l, t in panel.items.options] == [thread]
    panel.items.value = thread
    assert "Depuis huit ans" in panel.thread_view.value and "zoé" in panel.thread_view.value
    panel.reply_text.value = "D'accord <b>merci</b>"
    panel.reply_button.click()
    assert coded.replies(thread)["text"].tolist() == ["D'accord <b>merci</b>"]
    assert "&lt;b&gt;merci" in panel.thread_view.value  # shown as typed, never as HTML
    panel.settle_button.click()
    assert coded.to_review().empty and panel.items.options == ()
    assert panel.reply_button.disabled and "réglé" in panel.status.value
    # the history tab follows its filters
    assert panel.history.value.count("<td>ajouté</td>") == 2  # the two codings added
    panel.history_coder.value = "zoé"
    assert "Aucun changement de codage" in panel.history.value


def test_a_refused_write_keeps_the_typed_text(coded: Project):
    panel = ReviewLoopPanel(coded, author="zoé")
    panel.target_kind.value = "code"
    panel.targets.value = "prix"
    panel.comment_text.value = "x" * 50_001
    panel.comment_button.click()
    assert panel.comment_text.value == "x" * 50_001
    assert "trop long" in panel.status.value and "b71c1c" in panel.status.value
    assert coded.threads().empty
