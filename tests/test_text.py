"""Decoding and normalisation (miam_qual.text)."""

from __future__ import annotations

import codecs

import pytest

from miam_qual.errors import EncodingError, UnreadableFile
from miam_qual.text import decode_bytes, normalise_text, slug

FRENCH = "Ça coûte « 5 € » l’œuf… déjà !"


def test_normalise_strips_bom_and_line_endings_and_composes():
    decomposed = "\ufeffe\u0301te\u0301\r\nligne 2\rligne 3\n"
    assert normalise_text(decomposed) == "été\nligne 2\nligne 3\n"


def test_normalise_keeps_nbsp_tabs_and_trailing_spaces():
    s = "Enquêtrice\u00a0:\tbonjour  \n\u202f»  "
    assert normalise_text(s) == s


def test_normalise_only_strips_a_leading_bom():
    assert normalise_text("a\ufeffb") == "a\ufeffb"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (FRENCH.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + FRENCH.encode("utf-8"), "utf-8-sig"),
        (FRENCH.encode("utf-16"), "utf-16"),
        (codecs.BOM_UTF16_BE + FRENCH.encode("utf-16-be"), "utf-16"),
        (FRENCH.encode("cp1252"), "cp1252"),
    ],
)
def test_decode_supported_encodings(data, encoding):
    assert decode_bytes(data, filename="t.txt") == (FRENCH, encoding)


def test_decode_latin1_when_no_cp1252_specific_bytes():
    text = "À côté, très cher, l'été."
    assert decode_bytes(text.encode("latin-1"), filename="t.txt") == (text, "latin-1")


def test_decode_cp1252_word_save_as_text():
    text = "Il m’a dit « c’est fini »… 10 € pour un œuf – incroyable."
    assert decode_bytes(text.encode("cp1252"), filename="t.txt") == (text, "cp1252")


def test_decode_mixed_utf8_and_stray_byte_names_offset():
    data = "épicerie ".encode() + b"\x92" + b" fin"
    with pytest.raises(EncodingError) as err:
        decode_bytes(data, filename="melange.txt")
    message = str(err.value)
    assert message.startswith("« melange.txt » : octet 10 (0x92) indécodable")
    assert "UTF-8" in message


def test_decode_cp1252_undefined_byte_names_offset():
    data = b"caf\xe9 " + b"x" * 1226 + b"\x9d fin"
    with pytest.raises(EncodingError) as err:
        decode_bytes(data, filename="temoignage.txt")
    assert str(err.value).startswith(
        "« temoignage.txt » : octet 1231 (0x9D) indécodable — le fichier n'est ni en UTF-8 ni en "
        "Windows-1252. Réenregistrez-le en UTF-8"
    )


@pytest.mark.parametrize("data", [b"", b"   \r\n\t ", codecs.BOM_UTF8, codecs.BOM_UTF8 + b"\n"])
def test_decode_empty_is_unreadable(data):
    with pytest.raises(UnreadableFile, match="^« vide.txt » : "):
        decode_bytes(data, filename="vide.txt")


def test_decode_nul_bytes_is_binary():
    with pytest.raises(UnreadableFile, match=r"« image.txt » : octet 3 nul — fichier binaire \?"):
        decode_bytes(b"GIF\x00\x01", filename="image.txt")


def test_decode_truncated_utf16_is_encoding_error():
    with pytest.raises(EncodingError, match="^« u.txt » : octet"):
        decode_bytes(codecs.BOM_UTF16_LE + "aé".encode("utf-16-le") + b"\x00", filename="u.txt")


def test_decode_plausible_cp1252_pairs_are_not_taken_for_utf8():
    # "à\xa0«" is E0 A0 AB in cp1252: a valid UTF-8 sequence (U+082B) that no French text holds.
    text = "Il a dit\u00a0: «\u00a0non\u00a0» — voilà\u00a0« ça »."
    assert decode_bytes(text.encode("cp1252"), filename="t.txt") == (text, "cp1252")


@pytest.mark.parametrize(
    ("text", "prefix", "expected"),
    [
        ("Prix trop élevés !", "code", "prix_trop_eleves"),
        ("Cœur du quartier", "code", "coeur_du_quartier"),
        ("L'épicerie éphémère", "theme", "l_epicerie_ephemere"),
        ("2024 : bilan", "code", "code_2024_bilan"),
        ("« … »", "theme", "theme"),
        ("ﬁlière courte", "code", "filiere_courte"),
    ],
)
def test_slug(text, prefix, expected):
    assert slug(text, prefix=prefix) == expected


def test_slug_is_cut_without_a_trailing_underscore():
    name = slug("Accès aux produits frais et de saison pour tous les habitants")
    assert len(name) <= 40 and not name.endswith("_")
    from miam_qual.widgets import codes_menu

    assert codes_menu.slug is slug  # code ids and panel file names are named alike


def test_excerpt_is_one_line_cut_with_an_ellipsis() -> None:
    from miam_qual.text import excerpt

    assert excerpt("Le  prix\ndu pain", 60) == "Le prix du pain"
    assert excerpt("Le prix du pain a augmenté", 10) == "Le prix d…"
    assert len(excerpt("x" * 100, 10)) == 10
    assert excerpt(None) == "" and excerpt(float("nan")) == ""
