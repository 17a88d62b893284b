"""Quotes: linked to their span, light edits only, status workflow with history, attribution."""

from __future__ import annotations

import pandas as pd
import pytest
from test_publication_support import fill

from miam_qual import Project, QuoteError
from miam_qual.publication import (
    QuoteBoard,
    edit_quote,
    list_quotes,
    propose_quote,
    quote_history,
    set_quote_status,
)

EXCERPT = "la supérette du coin, c'est hors de prix pour nous, alors on compte chaque euro"


@pytest.fixture
def filled(project):
    return project, fill(project)


def test_a_quote_keeps_its_exact_span_timecodes_and_participant(filled):
    project, codings = filled
    quote = propose_quote(project, codings[EXCERPT], targets=["radio", "exposition"], by="léa")
    row = list_quotes(project).set_index("quote_id").loc[quote]
    text = project.text("temoignage_pub_01.vtt")
    assert text[row["start"] : row["end"]] == row["original"] == EXCERPT
    assert row["display"] == EXCERPT
    assert row["document"] == "temoignage_pub_01.vtt"
    assert (
        row["begin_ms"] == project.span_times("temoignage_pub_01.vtt", row["start"], row["end"])[0]
    )
    assert 5120 <= row["begin_ms"] < row["end_ms"] <= 12480
    assert row["participant"] == "Habitante A"
    assert row["theme_id"] == "acces" and row["status"] == "proposée"
    assert row["targets"] == ["exposition", "radio"]
    assert row["attribution"] == "Habitante, 50-59 ans, cité Saint-Élie"
    assert propose_quote(project, codings[EXCERPT], by="léa") == quote  # same span: same quote


def test_a_span_without_coding_can_be_quoted_and_the_speaker_sets_the_participant(filled):
    project, _ = filled
    text = project.text("atelier_pub_03.txt")
    start = text.index("Maintenant je fais la soupe")
    quote = propose_quote(project, document="atelier_pub_03.txt", start=start, end=len(text.rstrip()),
                                    theme="cuisine_maison", by="léa")  # fmt: skip
    row = list_quotes(project).set_index("quote_id").loc[quote]
    assert row["participant"] == "Habitante C"
    assert row["theme_id"] == "pratiques"
    assert pd.isna(row["begin_ms"]) and pd.isna(row["duration_s"])  # a text without timecodes


def test_light_edits_are_kept_beside_the_original_and_logged(filled):
    project, codings = filled
    quote = propose_quote(project, codings[EXCERPT], by="léa")
    edit_quote(
        project,
        quote,
        text="La supérette du coin, c'est hors de prix [...] on compte chaque euro.",
        by="karim",
    )
    row = list_quotes(project).iloc[0]
    assert row["display"] == "La supérette du coin, c'est hors de prix […] on compte chaque euro."
    assert row["original"] == EXCERPT
    history = quote_history(project, quote)
    assert list(history["action"]) == ["proposition", "texte"]
    assert history.iloc[1]["who"] == "karim" and history.iloc[1]["old"] == EXCERPT


def test_rewriting_a_quote_is_refused_and_changes_nothing(filled):
    project, codings = filled
    quote = propose_quote(project, codings[EXCERPT], by="léa")
    with pytest.raises(QuoteError, match="s'éloigne trop"):
        edit_quote(
            project,
            quote,
            text="Les prix sont scandaleux et la mairie ne fait rien du tout.",
            by="karim",
        )
    assert list_quotes(project).iloc[0]["display"] == EXCERPT
    assert len(quote_history(project, quote)) == 1


def test_status_workflow_with_history_and_refused_jumps(filled):
    project, codings = filled
    quote = propose_quote(project, codings[EXCERPT], by="léa")
    with pytest.raises(QuoteError, match="impossible"):
        set_quote_status(project, quote, "publiée", by="léa")
    for status in ("retenue", "validée par la personne", "publiée"):
        set_quote_status(project, quote, status, by="léa")
    assert list_quotes(project).iloc[0]["status"] == "publiée"
    steps = quote_history(project, quote)
    assert list(steps["new"]) == ["proposée", "retenue", "validée", "publiée"]
    assert steps["at"].notna().all() and set(steps["who"]) == {"léa"}
    set_quote_status(project, quote, "écartée", by="karim")
    assert list_quotes(project, status="écartée")["quote_id"].tolist() == [quote]
    with pytest.raises(QuoteError, match="Statut inconnu"):
        set_quote_status(project, quote, "oubliée")


def test_editing_a_validated_quote_sends_it_back_to_retenue(filled):
    project, codings = filled
    quote = propose_quote(project, codings[EXCERPT], by="léa")
    set_quote_status(project, quote, "retenue")
    set_quote_status(project, quote, "validée")
    edit_quote(
        project, quote, text="La supérette du coin, c'est hors de prix pour nous […]", by="léa"
    )
    assert list_quotes(project).iloc[0]["status"] == "retenue"
    assert quote_history(project, quote).iloc[-1]["new"] == "retenue"


def test_targets_theme_and_filters(filled):
    project, codings = filled
    first = propose_quote(project, codings[EXCERPT], targets="radio", by="léa")
    second = propose_quote(
        project, list(codings.values())[3], targets=["réseaux sociaux"], by="léa"
    )
    edit_quote(project, first, targets=["exposition", "rapport"], theme="lien_social", by="léa")
    assert list_quotes(project, target="radio").empty
    assert list_quotes(project, target="exposition")["quote_id"].tolist() == [first]
    assert set(list_quotes(project, theme="lien_social")["quote_id"]) == {first, second}
    with pytest.raises(QuoteError, match="Cible inconnue"):
        edit_quote(project, first, targets=["télévision"])


def test_attribution_template_is_configurable(filled):
    project, codings = filled
    (project.root / "publication.yml").write_text(
        'attribution: "{role} de {site}, {tranche_age}"\n', encoding="utf-8"
    )
    reopened = Project.open(project.root)
    try:
        propose_quote(reopened, codings[EXCERPT], by="léa")
        assert (
            list_quotes(reopened).iloc[0]["attribution"]
            == "Habitante de cité Saint-Élie, 50-59 ans"
        )
    finally:
        reopened.close()


def test_quotes_survive_reopening_the_project(filled):
    project, codings = filled
    quote = propose_quote(project, codings[EXCERPT], by="léa")
    project.close()
    reopened = Project.open(project.root)
    try:
        assert reopened.store.schema_version() >= 2
        assert list_quotes(reopened)["quote_id"].tolist() == [quote]
    finally:
        reopened.close()


def test_widget_logic_without_a_browser(filled):
    project, _ = filled
    board = QuoteBoard(project, by="léa")
    board.show_theme("acces")
    excerpts = board.excerpts()
    assert len(excerpts) == 2 and set(excerpts["code_id"]) == {"prix"}
    quote = board.shortlist(excerpts.iloc[0]["coding_id"])
    board.load(quote)
    assert "✓ exposition" in board.consent.value and "✓ radio" in board.consent.value
    board.save(text=board.editor.value.replace("pour nous, ", "[…] "), targets=["exposition"])
    board.set_status("retenue")
    board.set_status("validée")
    row = list_quotes(project).set_index("quote_id").loc[quote]
    assert (
        row["status"] == "validée" and row["targets"] == ["exposition"] and "[…]" in row["display"]
    )
    assert "validée" in board.message.value
