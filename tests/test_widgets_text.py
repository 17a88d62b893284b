"""Word snapping, sentences and block layout of the coding workbench (pure functions)."""

from __future__ import annotations

import pandas as pd
import pytest

from miam_qual.widgets import sentence_spans, snap_to_words
from miam_qual.widgets.layout import document_blocks, format_ms
from miam_qual.widgets.textspans import sentence_at, unit_body

TEXT = "Au marché, c'est moins cher. Mais l'épicerie 😀 est loin ! Aujourd’hui peut-être."


def snapped(start: int, end: int) -> tuple[int, int, str] | None:
    span = snap_to_words(TEXT, start, end)
    return None if span is None else (*span, TEXT[span[0] : span[1]])


@pytest.mark.parametrize(
    ("piece", "expected"),
    [
        ("arch", "marché"),  # inside one accented word
        ("arché, c", "marché, c'est"),  # both ends inside words, elided article
        ("'est", "c'est"),  # starts on the apostrophe of an elision
        ("picerie", "épicerie"),  # the elided article is a word of its own
        ("'épic", "l'épicerie"),
        ("ourd’h", "Aujourd’hui"),  # typographic apostrophe
        ("eut-ê", "peut-être"),  # hyphenated word
        ("her. Mai", "cher. Mais"),
    ],
)
def test_snap_widens_to_whole_words(piece: str, expected: str) -> None:
    start = TEXT.index(piece)
    assert snapped(start, start + len(piece)) == (
        TEXT.index(expected),
        TEXT.index(expected) + len(expected),
        expected,
    )


def test_snap_after_an_emoji_counts_code_points() -> None:
    emoji = TEXT.index("😀")
    assert len("😀") == 1  # one code point in Python, two UTF-16 units in the browser
    assert snapped(emoji, emoji + 1) == (emoji, emoji + 1, "😀")
    start = TEXT.index("est loin")
    assert start == emoji + 2
    assert snapped(start + 1, start + 6) == (start, start + 8, "est loin")


def test_snap_trims_blanks_and_refuses_blank_spans() -> None:
    start = TEXT.index(" moins ")
    assert snapped(start, start + 7) == (start + 1, start + 6, "moins")
    assert snap_to_words(TEXT, start, start + 1) is None
    assert snap_to_words("a\n\n b", 1, 4) is None
    assert snap_to_words(TEXT, 10, 4) == (3, 10)  # reversed span put in order, then snapped


def test_sentences_skip_speaker_labels_and_abbreviations() -> None:
    text = (
        "[00:01:02] Habitante 2 : C'est cher. M. Dupont le dit aussi ! Et « trop loin ? »\n"
        "Enquêtrice : Pourquoi…\n\nDernière ligne sans point"
    )
    found = [text[s:e] for s, e in sentence_spans(text)]
    assert found == [
        "C'est cher.",
        "M. Dupont le dit aussi !",
        "Et « trop loin ? »",
        "Pourquoi…",
        "Dernière ligne sans point",
    ]
    offset = text.index("Dupont")
    assert text[slice(*sentence_at(text, offset))] == "M. Dupont le dit aussi !"


def test_unit_body_drops_timecode_and_label() -> None:
    text = "[00:01:02] Habitante 2 : Au marché.\nsuite"
    start, end = unit_body(text, 0, len(text))
    assert text[start:end] == "Au marché.\nsuite"
    assert unit_body("Pas de locuteur ici.", 0, 20) == (0, 20)


def test_blocks_cover_turns_context_and_times() -> None:
    text = "Titre du document\n\nEnquêtrice : Bonjour.\n\nHabitante 1 : Bonjour 🙂 !"
    t1, t2 = text.index("Enquêtrice"), text.index("Habitante")
    units = pd.DataFrame(
        [
            ("paragraph", 0, 0, 17, None, None, None, None, None),
            ("paragraph", 1, t1, t2 - 2, None, None, None, None, None),
            ("turn", 0, t1, t2 - 2, "Enquêtrice", "interviewer", None, 61000, None),
            ("paragraph", 2, t2, len(text), None, None, None, None, None),
            ("turn", 1, t2, len(text), "Habitante 1", "participant", None, 3_725_000, None),
        ],
        columns=[
            "kind",
            "index",
            "start",
            "end",
            "speaker",
            "role",
            "question",
            "begin_ms",
            "end_ms",
        ],
    )
    blocks = document_blocks(text, units)
    assert [(b["kind"], b["role"], b["number"], b["time"]) for b in blocks] == [
        ("context", None, 1, None),
        ("turn", "interviewer", 2, "01:01"),
        ("turn", "participant", 3, "1:02:05"),
    ]
    assert text[blocks[2]["body"] : blocks[2]["end"]] == "Bonjour 🙂 !"
    assert format_ms(None) is None


def test_turns_on_consecutive_lines_are_numbered_one_by_one(project):
    """A transcript with one turn per line and no blank line is one paragraph: its turns are
    numbered 1, 2, 3… instead of all showing « §1 »."""
    path = project.root / "sans_lignes_vides.txt"
    path.write_text(
        "Enquêtrice : Bonjour.\nHabitante 1 : Bonjour !\nEnquêtrice : Le marché ?\n"
        "Habitante 1 : Trop loin.\n",
        encoding="utf-8",
    )
    project.import_files([path])
    blocks = document_blocks(
        project.text("sans_lignes_vides.txt"), project.units("sans_lignes_vides.txt")
    )
    assert [(b["kind"], b["number"]) for b in blocks] == [("turn", n) for n in (1, 2, 3, 4)]
