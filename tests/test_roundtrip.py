"""Hypothesis round trips through a project: bytes → import → same normalised text and offsets."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from miam_qual import Project
from miam_qual.text import normalise_text

FRENCH = "abcdefghijklmnopqrstuvwxyzàâäçéèêëîïôöùûüÿœæÀÉÈÇŒ’«» …€-'0123456789"
EMOJI = "😀🥕🍎👩‍🍳"
pieces = st.lists(
    st.one_of(
        st.text(alphabet=FRENCH, min_size=1, max_size=12),
        st.sampled_from(
            [
                "\r\n",
                "\n",
                EMOJI[0],
                EMOJI[1],
                EMOJI[3],
                "e\u0301",
                "\u00a0",
                "Enquêtrice : ",
                "Habitante 3 : ",
            ]
        ),
    ),
    min_size=1,
    max_size=40,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(parts=pieces, bom=st.booleans(), data=st.data())
def test_import_and_code_round_trip(tmp_path_factory, parts, bom, data):
    original = "".join(parts)
    if not original.strip():
        original += "x"
    root = tmp_path_factory.mktemp("rt")
    source = root / "texte.txt"
    source.write_bytes(("\ufeff" if bom else "").encode() + original.encode("utf-8"))
    project = Project.create(
        root / "p", codebook=Path(__file__).parent / "data" / "codebooks" / "valide.yml"
    )
    try:
        project.import_files([source])
        text = project.text("texte.txt")
        expected = unicodedata.normalize("NFC", original.replace("\r\n", "\n").replace("\r", "\n"))
        assert text == expected == normalise_text(original)
        start = data.draw(st.integers(0, len(text) - 1))
        end = data.draw(st.integers(start + 1, len(text)))
        project.add_coder("camille")
        project.code("texte.txt", start, end, "prix", coder="camille")
        row = project.codings().iloc[0]
        assert (row["start"], row["end"], row["text"]) == (start, end, text[start:end])
        for unit in project.units("texte.txt").itertuples():
            assert 0 <= unit.start < unit.end <= len(text)
    finally:
        project.close()
