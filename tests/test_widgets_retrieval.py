"""The retrieval view (notebook 03): a code's segments with their context, filters, paging, and
the jump back to the passage in the coding panel, on real project copies."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
import pytest
from notebook_guard import fingerprint

from miam_qual import Project
from miam_qual.widgets import CodingPanel, CodingSession, RetrievalPanel, SegmentRetrieval
from miam_qual.widgets.retrieval import context


@pytest.fixture(autouse=True)
def private_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIAM_CONFIG_DIR", str(tmp_path / "config"))


def test_go_to_opens_the_document_and_selects_the_exact_span(demo_project: Project) -> None:
    session = CodingSession(demo_project, "stagiaire")
    row = demo_project.codings("prix", coder="karim").iloc[-1]
    assert row["document_id"] != session.document_id or len(session.documents) == 1
    span = session.go_to(row["document"], int(row["start"]), int(row["end"]), coder="karim")
    assert span == (row["start"], row["end"])
    assert session.document_id == row["document_id"] and session.selection == span
    assert session.selected_text == row["text"] and session.show_others
    assert row["document"] in session.status and session.status_level == "info"
    # a span outside the text is refused and the selection kept
    assert session.go_to(row["document_id"], 0, len(session.text) + 1) is None
    assert session.status_level == "erreur" and session.selection == span
    assert session.go_to("absent.txt", 0, 3) is None
    assert session.status_level == "erreur" and session.document_id == row["document_id"]


def all_pages(retrieval: SegmentRetrieval) -> pd.DataFrame:
    pages = []
    for page in range(retrieval.page_count):
        assert retrieval.set_page(page) == page
        pages.append(retrieval.segments())
    return pd.concat(pages, ignore_index=True)


def test_a_theme_lists_exactly_its_codes_codings_with_exact_slices(demo_project: Project) -> None:
    before = fingerprint(demo_project.root)
    book = demo_project.codebook
    everything = demo_project.codings()
    family = {"acces", *(c.id for c in book.children("acces"))}
    family |= {g.id for c in list(family) for g in book.children(c)}
    expected = everything[everything["code_id"].isin(family)]
    assert len(expected) > 25 and expected["code_id"].nunique() > 2
    retrieval = SegmentRetrieval(demo_project, page_size=10)
    found = retrieval.retrieve("acces")
    assert found is not None and retrieval.status_level == "info"
    assert f"{len(expected)} passage(s)" in retrieval.status and "sous-codes" in retrieval.status
    assert retrieval.page_count == -(-len(expected) // 10)
    segments = all_pages(retrieval)
    assert sorted(segments["coding_id"]) == sorted(expected["coding_id"])
    assert segments["coding_id"].is_unique
    for row in segments.itertuples():
        text = demo_project.text(row.document_id)
        assert row.text == text[row.start : row.end]
        words_before = text[: row.start].split()[-retrieval.words :]
        assert row.before.removeprefix("… ").split() == words_before
        words_after = text[row.end :].split()[: retrieval.words]
        assert row.after.removesuffix(" …").split() == words_after
    # a code alone: its own codings only
    prix = SegmentRetrieval(demo_project).retrieve("prix")
    assert prix is not None and set(prix["code_id"]) == {"prix"}
    assert len(prix) == (everything["code_id"] == "prix").sum()
    assert fingerprint(demo_project.root) == before  # reading writes nothing


def test_context_cut_marks_and_document_edges() -> None:
    text = "un deux trois quatre cinq six sept huit neuf dix"
    start = text.index("cinq")
    assert context(text, start, start + 4, words=2) == ("… trois quatre", "six sept …")
    assert context(text, 0, 2, words=3) == ("", "deux trois quatre …")
    assert context(text, text.index("dix"), len(text), words=1) == ("… neuf", "")


def test_filters_by_coder_and_attributes(demo_project: Project) -> None:
    everything = demo_project.codings("acces")
    retrieval = SegmentRetrieval(demo_project, page_size=500)
    karim = retrieval.retrieve("acces", coder="karim", site="Fosse 13")
    expected = everything[(everything["coder"] == "karim") & (everything["site"] == "Fosse 13")]
    assert karim is not None and 0 < len(karim) < len(everything)
    assert sorted(karim["coding_id"]) == sorted(expected["coding_id"])
    assert "par « karim »" in retrieval.status and "Site = Fosse 13" in retrieval.status
    bilan = retrieval.retrieve("acces", vague=["bilan", "mi-parcours"], site="")  # "" = all
    assert bilan is not None and retrieval.filters == {"vague": ["bilan", "mi-parcours"]}
    assert set(bilan["vague"]) <= {"bilan", "mi-parcours"}
    assert sorted(bilan["coding_id"]) == sorted(
        everything[everything["vague"].isin(["bilan", "mi-parcours"])]["coding_id"]
    )
    # refusals keep the last answer and say why in French
    for call in (
        lambda: retrieval.retrieve("acces", sitee="Fosse 13"),
        lambda: retrieval.retrieve("acces", coder="zoé"),
        lambda: retrieval.retrieve("inconnu"),
    ):
        assert call() is None and retrieval.status_level == "erreur"
        assert list(retrieval.found["coding_id"]) == list(bilan["coding_id"])
    assert retrieval.retrieve("acces", sitee="x") is None
    assert "Vouliez-vous dire : site" in retrieval.status
    choices = retrieval.filter_choices()
    assert choices["site"] == ("Site", ["cité Saint-Élie", "Fosse 13", "Hulluch centre", "Haisnes"])
    assert choices["adherent_groupement"][1] == ["oui", "non"] and "date" not in choices


def test_pages_and_a_french_table_without_markers(demo_project: Project) -> None:
    demo_project.set_memo("coding", demo_project.codings("prix").iloc[0]["coding_id"],
                          "Relire avec la référente.", author="zoé")  # fmt: skip
    retrieval = SegmentRetrieval(demo_project, page_size=7)
    found = retrieval.retrieve("prix")
    assert found is not None and retrieval.page_count > 2
    assert retrieval.previous_page() is None and retrieval.status_level == "erreur"
    assert retrieval.next_page() == 1 and len(retrieval.segments()) == 7
    assert retrieval.set_page(retrieval.page_count) is None and retrieval.page == 1
    retrieval.set_page(retrieval.page_count - 1)
    assert len(retrieval.segments()) == len(found) - 7 * (retrieval.page_count - 1)
    assert retrieval.next_page() is None and "dernière" in retrieval.status
    retrieval.set_page(0)
    table = retrieval.table()
    assert list(table.columns) == [
        "Document", "Locuteur·rice", "Avant", "Passage codé", "Après", "Code", "Codeur·se", "Mémo",
    ]  # fmt: skip
    assert "Relire avec la référente." in set(table["Mémo"])
    cells = [str(v) for v in table.to_numpy().ravel()]
    assert not [c for c in cells if c in {"nan", "None", "NaN", "<NA>"} or c.startswith(("[", "{"))]
    assert (table["Locuteur·rice"] == "").any()  # passages outside turns: an empty cell
    empty = SegmentRetrieval(demo_project)
    assert list(empty.table().iloc[:, 0]) == ["Aucun passage."]


def test_jump_shows_the_passage_in_the_coding_panel(demo_project: Project) -> None:
    before = fingerprint(demo_project.root)
    panel = CodingPanel(demo_project, "camille")
    first_document = panel.doc["id"]
    retrieval = SegmentRetrieval(demo_project, panel)
    found = retrieval.retrieve("prix", coder="karim")
    assert found is not None
    row = found[found["document_id"] != first_document].iloc[0]
    assert retrieval.jump(row["coding_id"]) == (row["start"], row["end"])
    assert panel.doc["id"] == row["document_id"]  # pushed to the browser
    assert panel.selection == [row["start"], row["end"]] and panel.show_others
    assert panel.session.selected_text == row["text"]
    assert retrieval.status_level == "info" and row["document"] in retrieval.status
    assert retrieval.jump("pas-un-codage") is None and retrieval.status_level == "erreur"
    # with a session, and without anything to show passages in
    session = CodingSession(demo_project, "camille")
    alone = SegmentRetrieval(demo_project, session)
    alone.retrieve("prix")
    assert alone.jump(row["coding_id"]) == (row["start"], row["end"])
    assert session.document_id == row["document_id"]
    nowhere = SegmentRetrieval(demo_project)
    nowhere.retrieve("prix")
    assert nowhere.jump(row["coding_id"]) is None and "panneau" in nowhere.status
    assert fingerprint(demo_project.root) == before


def test_retrieval_panel_view(demo_project: Project) -> None:
    coding = CodingPanel(demo_project, "camille")
    view = RetrievalPanel(demo_project, coding, page_size=5)
    assert view.rows.children == () and view.search() is None
    assert "Choisissez" in view.status.value
    view.code.value = "acces"
    view.coder.value = "karim"
    view.filters["site"].value = "Fosse 13"
    found = view.search()
    assert found is not None and len(view.rows.children) == min(5, len(found))
    assert f"{len(found)} passage(s)" in view.page_label.value
    assert view.previous_button.disabled
    text, button = view.rows.children[0].children
    first = view.retrieval.segments().iloc[0]
    assert html.escape(first["text"]) in text.value
    button.click()
    assert coding.selection == [first["start"], first["end"]]
    assert coding.doc["id"] == first["document_id"]
    if len(found) > 5:
        view.next_button.click()
        assert view.retrieval.page == 1 and "Page 2" in view.page_label.value
    unlinked = RetrievalPanel(demo_project)
    unlinked.code.value = "prix"
    unlinked.search()
    assert all(row.children[1].disabled for row in unlinked.rows.children)


def test_retrieval_panel_follows_codes_added_elsewhere(demo_project: Project) -> None:
    view = RetrievalPanel(demo_project)
    demo_project.add_code("a_relire", "À relire", parent="prix", by="camille")
    view.code.value = "prix"
    view.search()
    assert ("\u2003\u2003› À relire", "a_relire") in view.code.options and view.code.value == "prix"
    view.code.value = "a_relire"
    assert view.search() is not None and view.rows.children == ()
    assert "Aucun passage codé « À relire »" in view.status.value


def test_a_trainee_does_not_retrieve_the_reference_before_declaring_done(
    demo_project: Project,
) -> None:
    """The demo's reference set (karim's témoignage 1): a new trainee's retrieval leaves out
    karim's codings there — they are the answers — until the trainee declares the set done."""
    from miam_qual.training import mark_done

    demo_project.add_coder("nouvelle")
    reference = demo_project.codings("prix", coder="karim", document="temoignage_01.vtt")
    assert len(reference)
    trainee = SegmentRetrieval(demo_project, CodingSession(demo_project, "nouvelle"))
    found = trainee.retrieve("prix", coder="karim")
    assert found is not None and not set(reference["coding_id"]) & set(found["coding_id"])
    assert len(found) == len(demo_project.codings("prix", coder="karim")) - len(reference)
    supervisor = SegmentRetrieval(demo_project, CodingSession(demo_project, "karim"))
    assert set(reference["coding_id"]) <= set(supervisor.retrieve("prix")["coding_id"])
    demo_project.code("temoignage_01.vtt", 0, 5, "prix", coder="nouvelle")
    mark_done(demo_project, "Formation — témoignage 1", "nouvelle")
    assert set(reference["coding_id"]) <= set(trainee.retrieve("prix")["coding_id"])
