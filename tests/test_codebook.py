"""The codebook YAML: validation with line numbers, tree queries, and a faithful round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from miam_qual import CodebookError, UnknownCode, load_codebook
from miam_qual.codebook import code_guid, parse_codebook

BOOKS = Path(__file__).parent / "data" / "codebooks"


def test_valid_codebook_loads_as_a_tree():
    book = load_codebook(BOOKS / "valide.yml")
    assert list(book.codes) == [
        "acces",
        "prix",
        "proximite",
        "transport",
        "lien_social",
        "convivialite",
    ]
    assert [t.id for t in book.themes()] == ["acces", "lien_social"]
    assert book.get("transport").parent == "proximite"
    assert book.theme_of("transport") == "acces"
    assert book.descendants("acces") == ["acces", "prix", "proximite", "transport"]
    assert book.get("prix").keywords == ("cher", "prix", "budget")
    assert book.get("acces").codable is False and book.get("prix").codable is True
    assert book.get("prix").exclusion.startswith("La qualité sans référence")


def test_every_problem_is_reported_at_once_with_its_line():
    with pytest.raises(CodebookError) as caught:
        load_codebook(BOOKS / "casse.yml")
    problems = caught.value.problems
    text = str(caught.value)
    assert "« casse.yml »" in text
    assert "ligne 10 : id « prix » en double (déjà utilisé ligne 7)" in problems
    assert (
        "ligne 10 : couleur « vert » invalide pour « prix » (forme attendue : #RRVVBB)" in problems
    )
    assert "ligne 13 : parent inconnu « inexistant » pour le code « orphelin »" in problems
    assert any(
        p.startswith("ligne 17 : cycle dans la hiérarchie : boucle_a → boucle_b → boucle_a")
        for p in problems
    )
    assert len(problems) == 5


def test_yaml_syntax_error_names_file_and_line():
    with pytest.raises(CodebookError, match=r"« syntaxe\.yml » ligne \d+ : YAML illisible"):
        load_codebook(BOOKS / "syntaxe.yml")


def test_unknown_code_suggests_close_ids():
    book = load_codebook(BOOKS / "valide.yml")
    with pytest.raises(UnknownCode, match="vouliez-vous dire : prix"):
        book.get("pirx")


def test_yaml_round_trip_keeps_every_field():
    book = load_codebook(BOOKS / "valide.yml")
    again = parse_codebook(book.to_yaml())
    assert [(c.id, c.label, c.parent, c.definition, c.inclusion, c.exclusion, c.example, c.color,
             c.keywords, c.codable) for c in again] == [
        (c.id, c.label, c.parent, c.definition, c.inclusion, c.exclusion, c.example, c.color,
         c.keywords, c.codable) for c in book
    ]  # fmt: skip


def test_guids_are_stable_and_refi_shaped():
    book = load_codebook(BOOKS / "valide.yml")
    assert (
        book.get("prix").guid
        == code_guid("prix")
        == load_codebook(BOOKS / "valide.yml").get("prix").guid
    )
    assert len(book.get("prix").guid.split("-")) == 5


def test_dataframe_columns_and_paths():
    frame = load_codebook(BOOKS / "valide.yml").to_dataframe()
    row = frame.set_index("code_id").loc["transport"]
    assert (
        row["path"]
        == "Accès à une alimentation de qualité › Proximité des commerces › Transport et bus"
    )
    assert row["theme_id"] == "acces" and row["depth"] == 2


def test_find_is_accent_insensitive():
    book = load_codebook(BOOKS / "valide.yml")
    assert [c.id for c in book.find("convivialite")] == ["convivialite"]
    assert [c.id for c in book.find("PROXIMITÉ")] == ["proximite"]
