"""The codebook YAML: validation with line numbers, tree queries, and a faithful round trip."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from miam_qual import CodebookError, UnknownCode, load_codebook
from miam_qual.codebook import MAX_CODEBOOK_BYTES, code_guid, parse_codebook

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
    with pytest.raises(CodebookError, match=r"« syntaxe\.yml » : ligne 5 : YAML illisible"):
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


# --- values of the wrong shape, booleans, hostile YAML ---------------------------------------

BOOK = """\
nom: Essai
themes:
  - id: acces
    libelle: Accès
    codes:
      - id: prix
        libelle: Prix
        codable: {codable}
"""


@pytest.mark.parametrize(
    ("written", "expected"),
    [("non", False), ("Non", False), ("faux", False), ("false", False), ("oui", True),
     ("VRAI", True), ("true", True), ("no", False), ("'non'", False)],
)  # fmt: skip
def test_codable_reads_french_and_yaml_booleans(written, expected):
    book = parse_codebook(BOOK.format(codable=written))
    assert book.get("prix").codable is expected


@pytest.mark.parametrize("written", ["peut-être", "1", "0", "[oui]", "'o'"])
def test_codable_refuses_anything_else_with_its_line(written):
    with pytest.raises(CodebookError) as caught:
        parse_codebook(BOOK.format(codable=written), source="livre.yml")
    assert len(caught.value.problems) == 1
    problem = caught.value.problems[0]
    assert problem.startswith("ligne 8 : « codable » : ")
    assert "n'est pas un booléen : écrivez oui ou non" in problem


def test_values_of_the_wrong_shape_are_problems_with_lines_not_crashes():
    text = """\
nom: Essai
themes:
  - id: acces
    libelle: [Accès, Alimentation]
    couleur: {vert: "#00FF00"}
    codes:
      - id: prix
        libelle: Prix
        mots_cles: [cher, [budget, euros]]
      - plain text item
      - id: proximite
        libelle: Proximité
        codes: pas une liste
"""
    with pytest.raises(CodebookError) as caught:
        parse_codebook(text, source="livre.yml")
    problems = caught.value.problems
    assert problems[:5] == [
        "ligne 4 : « libelle » doit être un texte, pas une liste",
        "ligne 5 : « couleur » doit être un texte, pas un dictionnaire (clé: valeur)",
        "ligne 9 : « mots_cles » : l'élément n° 2 doit être un texte, pas une liste",
        "ligne 10 : chaque code doit être un dictionnaire (id, libelle…)",
        "ligne 13 : « codes » doit être une liste",
    ]


def test_the_root_of_the_wrong_shape_is_refused():
    for text in ("- id: acces\n", "themes: acces\n", "", "42\n"):
        with pytest.raises(CodebookError, match="il faut une clé « themes » contenant une liste"):
            parse_codebook(text, source="livre.yml")


def test_texts_keep_what_was_written_not_yaml_1_1_conversions():
    text = """\
nom: 2024
themes:
  - id: acces
    libelle: non
    definition: 1.10
    codes:
      - id: prix
        libelle: 0755
        mots_cles: [01, yes, 2024-03-01]
"""
    book = parse_codebook(text)
    assert book.name == "2024"
    assert book.get("acces").label == "non"  # YAML 1.1 would read False
    assert book.get("acces").definition == "1.10"  # not 1.1
    assert book.get("prix").label == "0755"  # not the octal 493
    assert book.get("prix").keywords == ("01", "yes", "2024-03-01")


def test_a_key_written_twice_is_refused_with_both_lines():
    text = "nom: Essai\nthemes:\n  - id: acces\n    libelle: Accès\n    libelle: Autre\n"
    with pytest.raises(
        CodebookError, match=r"« livre.yml » : ligne 5 : clé « libelle » écrite deux fois .*ligne 4"
    ):
        parse_codebook(text, source="livre.yml")


def test_hand_written_aliases_still_work():
    text = """\
nom: Essai
themes:
  - id: acces
    libelle: Accès
    couleur: &vert "#2E7D32"
    codes:
      - id: prix
        libelle: Prix
        couleur: *vert
"""
    assert parse_codebook(text).get("prix").color == "#2E7D32"


def test_alias_bomb_codebook_is_refused_at_once(tmp_path):
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    path = tmp_path / "livre_de_codes.yml"
    path.write_text("nom: Bombe\n" + "\n".join(lines) + "\nthemes: *a9\n", encoding="utf-8")
    assert path.stat().st_size < 1200
    started = time.perf_counter()
    with pytest.raises(CodebookError, match=r"« livre_de_codes.yml » : ligne \d+ : plus de"):
        load_codebook(path)
    assert time.perf_counter() - started < 1.0


def test_oversized_codebook_is_refused_before_reading(tmp_path):
    path = tmp_path / "enorme.yml"
    with path.open("wb") as handle:
        handle.truncate(MAX_CODEBOOK_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(CodebookError, match=r"« enorme.yml » : fichier trop volumineux"):
        load_codebook(path)


def test_codebook_not_in_utf8_names_the_line(tmp_path):
    path = tmp_path / "latin1.yml"
    path.write_bytes("nom: Essai\nthemes:\n  - id: acces\n    libelle: Accès\n".encode("latin-1"))
    with pytest.raises(
        CodebookError, match=r"« latin1.yml » : ligne 4 : le fichier doit être en UTF-8"
    ):
        load_codebook(path)
