"""Quotes: linked to their span, light edits only, status workflow with history, attribution."""

from __future__ import annotations

import pandas as pd
import pytest
from test_publication_support import fill

from miam_qual import Project
from miam_qual.publication import QuoteError, Quotes
from miam_qual.publication.widget import QuoteBoard

EXCERPT = "la supérette du coin, c'est hors de prix pour nous, alors on compte chaque euro"


@pytest.fixture
def filled(project):
    return project, fill(project)


def test_a_quote_keeps_its_exact_span_timecodes_and_participant(filled):
    project, codings = filled
    quotes = Quotes(project)
    quote = quotes.propose(codings[EXCERPT], targets=["radio", "exposition"], by="léa")
    row = quotes.list().set_index("quote_id").loc[quote]
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
    assert quotes.propose(codings[EXCERPT], by="léa") == quote  # same span: same quote


def test_a_span_without_coding_can_be_quoted_and_the_speaker_sets_the_participant(filled):
    project, _ = filled
    text = project.text("atelier_pub_03.txt")
    start = text.index("Maintenant je fais la soupe")
    quote = Quotes(project).propose(document="atelier_pub_03.txt", start=start, end=len(text.rstrip()),
                                    theme="cuisine_maison", by="léa")  # fmt: skip
    row = Quotes(project).list().set_index("quote_id").loc[quote]
    assert row["participant"] == "Habitante C"
    assert row["theme_id"] == "pratiques"
    assert pd.isna(row["begin_ms"]) and pd.isna(row["duration_s"])  # a text without timecodes


def test_light_edits_are_kept_beside_the_original_and_logged(filled):
    project, codings = filled
    quotes = Quotes(project)
    quote = quotes.propose(codings[EXCERPT], by="léa")
    quotes.edit(
        quote,
        text="La supérette du coin, c'est hors de prix [...] on compte chaque euro.",
        by="karim",
    )
    row = quotes.list().iloc[0]
    assert row["display"] == "La supérette du coin, c'est hors de prix […] on compte chaque euro."
    assert row["original"] == EXCERPT
    history = quotes.history(quote)
    assert list(history["action"]) == ["proposition", "texte"]
    assert history.iloc[1]["who"] == "karim" and history.iloc[1]["old"] == EXCERPT


def test_rewriting_a_quote_is_refused_and_changes_nothing(filled):
    project, codings = filled
    quotes = Quotes(project)
    quote = quotes.propose(codings[EXCERPT], by="léa")
    with pytest.raises(QuoteError, match="s'éloigne trop"):
        quotes.edit(
            quote, text="Les prix sont scandaleux et la mairie ne fait rien du tout.", by="karim"
        )
    assert quotes.list().iloc[0]["display"] == EXCERPT
    assert len(quotes.history(quote)) == 1


def test_status_workflow_with_history_and_refused_jumps(filled):
    project, codings = filled
    quotes = Quotes(project)
    quote = quotes.propose(codings[EXCERPT], by="léa")
    with pytest.raises(QuoteError, match="impossible"):
        quotes.set_status(quote, "publiée", by="léa")
    for status in ("retenue", "validée par la personne", "publiée"):
        quotes.set_status(quote, status, by="léa")
    assert quotes.list().iloc[0]["status"] == "publiée"
    steps = quotes.history(quote)
    assert list(steps["new"]) == ["proposée", "retenue", "validée", "publiée"]
    assert steps["at"].notna().all() and set(steps["who"]) == {"léa"}
    quotes.set_status(quote, "écartée", by="karim")
    assert quotes.list(status="écartée")["quote_id"].tolist() == [quote]
    with pytest.raises(QuoteError, match="Statut inconnu"):
        quotes.set_status(quote, "oubliée")


def test_editing_a_validated_quote_sends_it_back_to_retenue(filled):
    project, codings = filled
    quotes = Quotes(project)
    quote = quotes.propose(codings[EXCERPT], by="léa")
    quotes.set_status(quote, "retenue")
    quotes.set_status(quote, "validée")
    quotes.edit(quote, text="La supérette du coin, c'est hors de prix pour nous […]", by="léa")
    assert quotes.list().iloc[0]["status"] == "retenue"
    assert quotes.history(quote).iloc[-1]["new"] == "retenue"


def test_targets_theme_and_filters(filled):
    project, codings = filled
    quotes = Quotes(project)
    first = quotes.propose(codings[EXCERPT], targets="radio", by="léa")
    second = quotes.propose(list(codings.values())[3], targets=["réseaux sociaux"], by="léa")
    quotes.edit(first, targets=["exposition", "rapport"], theme="lien_social", by="léa")
    assert quotes.list(target="radio").empty
    assert quotes.list(target="exposition")["quote_id"].tolist() == [first]
    assert set(quotes.list(theme="lien_social")["quote_id"]) == {first, second}
    with pytest.raises(QuoteError, match="Cible inconnue"):
        quotes.edit(first, targets=["télévision"])


def test_attribution_template_is_configurable(filled):
    project, codings = filled
    (project.root / "publication.yml").write_text(
        'attribution: "{role} de {site}, {tranche_age}"\n', encoding="utf-8"
    )
    reopened = Project.open(project.root)
    try:
        quotes = Quotes(reopened)
        quotes.propose(codings[EXCERPT], by="léa")
        assert quotes.list().iloc[0]["attribution"] == "Habitante de cité Saint-Élie, 50-59 ans"
    finally:
        reopened.close()


def test_quotes_survive_reopening_the_project(filled):
    project, codings = filled
    quote = Quotes(project).propose(codings[EXCERPT], by="léa")
    project.close()
    reopened = Project.open(project.root)
    try:
        assert reopened.store.schema_version() >= 2
        assert Quotes(reopened).list()["quote_id"].tolist() == [quote]
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
    row = Quotes(project).list().set_index("quote_id").loc[quote]
    assert (
        row["status"] == "validée" and row["targets"] == ["exposition"] and "[…]" in row["display"]
    )
    assert "validée" in board.message.value
