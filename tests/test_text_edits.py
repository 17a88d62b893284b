"""Correcting a document's text after coding: codings, quotes, units and timecodes follow the
text; every version is kept; bad edits are refused and leave the project as it was."""

from __future__ import annotations

import random
import re
import shutil
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_faults import consistent, failing_commit, killed_at, snapshot
from test_publication_support import fill

from miam_qual import Project
from miam_qual.alignment import SpanMap, apply_edits, check_edits, diff_edits
from miam_qual.errors import IntegrityViolation, StaleVersion, TextEditError
from miam_qual.publication import list_quotes, propose_quote, quote_history, set_quote_status

REPO = Path(__file__).resolve().parents[1]
TIMED = REPO / "corpus" / "temoignage_07.txt"
INTERVIEW = """Enquêtrice : Bonjour, parlez-moi du marché.

Habitante 3 : Le pain est trop cher au marché, Jean Dupont le dit aussi.

Enquêtrice : Et la cantine ?

Habitante 3 : La cantine, c'est bien pour les enfants.
"""
DOC = "entretien.txt"


@pytest.fixture
def coded(project: Project, tmp_path: Path) -> Project:
    source = tmp_path / DOC
    source.write_text(INTERVIEW, encoding="utf-8")
    project.import_files([source])
    return project


def code_words(project: Project, words: str, code: str = "prix", coder: str = "camille") -> str:
    start = project.text(DOC).index(words)
    return project.code(DOC, start, start + len(words), code, coder=coder)


def row_of(project: Project, coding: str):
    return project.codings().set_index("coding_id").loc[coding]


def test_an_untouched_coding_keeps_its_exact_text_and_its_new_offsets_slice_it(coded: Project):
    pain = code_words(coded, "Le pain est trop cher")
    canteen = code_words(coded, "c'est bien pour les enfants", "qualite")
    text = coded.text(DOC)
    at = text.index("marché.")
    result = coded.edit_text(DOC, [(at, at + len("marché"), "marché du samedi")], by="léa")
    assert result == {"version": 2, "untouched": 2, "modified": 0, "orphaned": 0,
                      "quotes_reset": 0}  # fmt: skip
    new = coded.text(DOC)
    for coding, words in (
        (pain, "Le pain est trop cher"),
        (canteen, "c'est bien pour les enfants"),
    ):
        row = row_of(coded, coding)
        assert row["text"] == words == new[row["start"] : row["end"]]
    assert row_of(coded, pain)["speaker"] == "Habitante 3"
    assert coded.modified_codings().empty and coded.orphan_codings().empty
    assert coded.validate() == []


def test_a_coding_whose_words_changed_is_kept_marked_and_confirmed(coded: Project):
    pain = code_words(coded, "Le pain est trop cher")
    text = coded.text(DOC)
    at = text.index("pain")
    coded.edit_text(DOC, [(at, at + 4, "bain")], by="léa", reason="mot mal entendu")
    modified = coded.modified_codings(DOC)
    assert modified[["coding_id", "previous_text", "text", "version"]].values.tolist() == [
        [pain, "Le pain est trop cher", "Le bain est trop cher", 2]
    ]
    assert row_of(coded, pain)["text"] == "Le bain est trop cher"
    assert coded.validate() == []
    coded.confirm_coding(pain)
    assert coded.modified_codings().empty


def test_a_coding_whose_words_vanished_is_an_orphan_to_place_again_or_remove(coded: Project):
    cheap = code_words(coded, "trop cher")
    other = code_words(coded, "trop cher", "qualite", coder="karim")
    coded.set_memo("coding", cheap, "à revoir", author="camille")
    text = coded.text(DOC)
    at = text.index(" trop cher")
    coded.edit_text(DOC, [(at, at + len(" trop cher"), "")], by="léa")
    orphans = coded.orphan_codings()
    assert sorted(orphans["orphan_id"]) == sorted([cheap, other])
    assert set(orphans["text"]) == {"trop cher"} and set(orphans["version"]) == {1}
    assert coded.codings().empty  # not among the codings any more, but listed
    new = coded.text(DOC)
    start = new.index("Le pain est")
    assert coded.place_orphan(cheap, start, start + len("Le pain est")) == cheap
    row = row_of(coded, cheap)
    assert row["text"] == "Le pain est" and row["memo"] == "à revoir"
    coded.remove_orphan(other)
    assert coded.orphan_codings().empty
    assert coded.validate() == []


def test_versions_are_listed_kept_in_corpus_and_compared(coded: Project):
    original = (coded.corpus_dir / DOC).read_bytes()
    first = coded.text(DOC)
    coded.replace_text(DOC, first.replace("Et la cantine ?", "Et la cantine scolaire ?"), by="léa")
    coded.replace_text(
        DOC, coded.text(DOC).replace("enfants", "petits"), by="karim", reason="relecture"
    )
    versions = coded.text_versions(DOC)
    assert versions["version"].tolist() == [1, 2, 3]
    assert versions["who"].tolist()[1:] == ["léa", "karim"]
    assert versions["reason"].tolist()[2] == "relecture"
    assert (coded.corpus_dir / DOC).read_bytes() == original  # the source, byte for byte
    for file, version in zip(versions["file"][1:], (2, 3), strict=True):
        assert (coded.corpus_dir / file).read_text("utf-8") == coded.version_text(DOC, version)
    assert coded.version_text(DOC, 1) == first
    page = coded.compare_versions(DOC, 1, 3)
    assert "<del" in page and "<ins" in page and "scolaire" in page and "Version 1" in page
    assert coded.validate() == []
    reopened = Project.open(coded.root)
    assert reopened.text(DOC) == coded.text(DOC) and reopened.validate() == []
    reopened.close()


def test_turns_and_paragraphs_are_found_again_in_the_new_text(coded: Project):
    text = coded.text(DOC)
    at = text.index("Et la cantine ?")
    coded.edit_text(DOC, [(at, at, "Merci.\n\nHabitante 3 : De rien.\n\nEnquêtrice : ")], by="léa")
    turns = coded.units(DOC, "turn")
    assert turns["speaker"].tolist() == ["Enquêtrice", "Habitante 3"] * 3
    new = coded.text(DOC)
    for row in coded.units(DOC).itertuples():
        assert new[row.start : row.end].strip() == new[row.start : row.end]


def test_timecodes_follow_the_text(project: Project):
    project.import_files([TIMED])
    name = TIMED.name
    before = project.timecodes(name)
    text = project.text(name)
    words = "le café surtout"
    start = text.index(words)
    coding = project.code(name, start, start + len(words), "prix", coder="camille")
    time_before = project.span_times(name, start, start + len(words))
    at = text.index("Depuis un an")
    project.edit_text(name, [(at, at, "Oh, ")], by="léa")
    after = project.timecodes(name)
    assert after["begin_ms"].tolist() == before["begin_ms"].tolist()
    assert after["start"].is_monotonic_increasing
    row = project.codings().set_index("coding_id").loc[coding]
    assert row["text"] == words
    assert project.span_times(name, row["start"], row["end"]) == time_before


def test_a_validated_quote_whose_words_changed_goes_back_to_retenue(project: Project):
    codings = fill(project)
    excerpt = "la supérette du coin, c'est hors de prix pour nous, alors on compte chaque euro"
    quote = propose_quote(project, codings[excerpt], by="léa")
    set_quote_status(project, quote, "retenue")
    set_quote_status(project, quote, "validée")
    name = "temoignage_pub_01.vtt"
    at = project.text(name).index("chaque euro")
    project.edit_text(name, [(at, at + len("chaque"), "le moindre")], by="léa")
    row = list_quotes(project).set_index("quote_id").loc[quote]
    assert row["status"] == "retenue" and not row["drifted"]
    assert row["original"].endswith("le moindre euro")
    assert 5120 <= row["begin_ms"] < row["end_ms"] <= 12480
    assert quote_history(project, quote)["action"].tolist()[-2:] == ["texte source", "statut"]


def test_pseudonymise_at_the_source(coded: Project):
    (coded.root / "prive").mkdir(mode=0o700)
    (coded.root / "prive" / "pseudonymes.yml").write_text(
        "remplacements:\n  Jean Dupont: Marc\n", "utf-8"
    )
    result = coded.pseudonymise_source(DOC, by="léa")
    assert result["names"] == 1 and result["version"] == 2
    assert "Dupont" not in coded.text(DOC) and "Marc le dit aussi" in coded.text(DOC)
    assert coded.text_versions(DOC)["reason"].iloc[-1] == "pseudonymisation à la source"
    kept = coded.root / "prive" / "originaux" / "entretien.v1.txt"
    assert "Jean Dupont" in kept.read_text("utf-8")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    with pytest.raises(TextEditError, match="aucun nom"):
        coded.pseudonymise_source(DOC, by="léa")


@pytest.mark.parametrize(
    ("edits", "message"),
    [
        ([(0, 4, "")], "étiquette de locuteur « Enquêtrice : » en deux"),
        ([(3, 3, "\n")], "en deux"),
        ([(0, 0, "Oui. ")], "en deux"),
        ([(5, 10_000, "x")], "hors du texte"),
        ([(10, 5, "x")], "hors du texte ou inversée"),
        ([(20, 30, "a"), (25, 35, "b")], "se chevauchent"),
        ([(20, 20, "a"), (20, 20, "b")], "se chevauchent"),
        ([("1", 2, "a")], "entiers"),
    ],
)
def test_bad_edits_are_refused_and_leave_the_project_as_it_was(coded, edits, message):
    code_words(coded, "Le pain est trop cher")
    before = snapshot(coded)
    with pytest.raises(TextEditError, match=message) as refused:
        coded.edit_text(DOC, edits, by="léa")
    assert DOC in str(refused.value)
    assert snapshot(coded) == before


def test_a_renamed_speaker_label_is_not_a_cut(coded: Project):
    text = coded.text(DOC)
    at = text.index("Habitante 3")
    second = text.index("\n\nHabitante 3", at + 1)
    edits = [(at + 10, at + 11, "4"), (0, 0, "Début.\n\n"), (second, second + 11, "\n\nHabitant")]
    coded.edit_text(DOC, edits, by="léa")
    assert coded.units(DOC, "turn")["speaker"].tolist() == [
        "Enquêtrice", "Habitante 4", "Enquêtrice", "Habitant 3"
    ]  # fmt: skip


def test_a_label_glued_to_the_line_before_is_refused(coded: Project):
    at = coded.text(DOC).index("marché.\n\nHabitante")
    with pytest.raises(TextEditError, match="« Habitante 3 : » en deux"):
        coded.edit_text(DOC, [(at, at + len("marché.\n\nHabitante"), "marché")], by="léa")


def test_an_edit_prepared_on_an_older_version_is_refused(coded: Project):
    version = coded.text_version(DOC)
    other = Project.open(coded.root)  # another notebook
    end = len(other.text(DOC)) - 1
    other.edit_text(DOC, [(end, end, " Fin.")], by="karim")
    other.close()
    before = snapshot(coded)
    with pytest.raises(StaleVersion, match=r"entretien\.txt.*version 2.*version 1"):
        coded.edit_text(DOC, [(0, 0, "Note. ")], by="léa", expected_version=version)
    assert snapshot(coded) == before


def test_a_failing_commit_leaves_text_codings_and_files_as_they_were(coded: Project):
    pain = code_words(coded, "Le pain est trop cher")
    before = snapshot(coded)
    at = coded.text(DOC).index("pain")
    with failing_commit(coded):
        with pytest.raises(IntegrityViolation, match="rien n'a été écrit"):
            coded.edit_text(DOC, [(at, at + 4, "bain")], by="léa")
    assert snapshot(coded) == before
    assert row_of(coded, pain)["text"] == "Le pain est trop cher"
    assert coded.text_version(DOC) == 1
    coded.edit_text(DOC, [(at, at + 4, "bain")], by="léa")  # goes through afterwards
    assert coded.validate() == []


EDIT = "p.edit_text({doc!r}, [({at}, {end}, 'bain')], by='léa')"


def test_an_edit_killed_before_its_commit_leaves_nothing(coded: Project):
    code_words(coded, "Le pain est trop cher")
    before = snapshot(coded)
    at = coded.text(DOC).index("pain")
    killed_at(coded, "edit:before-commit", EDIT.format(doc=DOC, at=at, end=at + 4))
    assert [p for p in coded.corpus_dir.iterdir() if p.name.endswith(".import")]
    with Project.open(coded.root) as project:  # opening removes the temporary
        assert snapshot(project) == before
        assert "pain" in project.text(DOC) and project.text_version(DOC) == 1
        consistent(project)


def test_an_edit_killed_after_its_commit_is_finished_on_opening(coded: Project):
    pain = code_words(coded, "Le pain est trop cher")
    at = coded.text(DOC).index("pain")
    killed_at(coded, "edit:before-rename", EDIT.format(doc=DOC, at=at, end=at + 4))
    with Project.open(coded.root) as project:
        assert project.text_version(DOC) == 2 and "Le bain" in project.text(DOC)
        assert (project.corpus_dir / "entretien.v2.txt").read_text("utf-8") == project.text(DOC)
        assert row_of(project, pain)["text"] == "Le bain est trop cher"
        consistent(project)


WORDS = st.text(alphabet="abc éà\nX,", max_size=6)


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(alphabet="abcdé \n,.", min_size=40, max_size=300),
    data=st.data(),
)
def test_property_edits_outside_spans_keep_them_and_edits_inside_mark_them(text, data):
    length = len(text)
    spans = data.draw(
        st.lists(st.tuples(st.integers(0, length - 1), st.integers(1, 20)), max_size=8)
    )
    spans = sorted({(s, min(s + n, length)) for s, n in spans})
    points = sorted(set(data.draw(st.lists(st.integers(0, length), max_size=12))))
    edits = []
    for point in points:
        end = min(point + data.draw(st.integers(0, 3)), length)
        if edits and point <= edits[-1][1]:
            continue
        edits.append((point, end, data.draw(WORDS)))
    edits = check_edits(text, edits, document="d")
    new = apply_edits(text, edits)
    mapping = SpanMap(edits)
    for start, end in spans:
        placed = mapping.place(start, end)
        inside = [
            (a, b) for a, b, r in edits if (a < end and b > start and a != b) or start < a < end
        ]
        if not inside:
            assert placed.state == "intact" and new[placed.start : placed.end] == text[start:end]
        else:
            assert placed.state in ("modifié", "orphelin")
    assert apply_edits(text, diff_edits(text, new)) == new


def test_random_edits_outside_coded_spans_keep_every_coded_text():
    rng = random.Random(7)
    text = "".join(rng.choice("abc dé\nfgh, ij") for _ in range(3000))
    spans = sorted({(s, s + rng.randint(1, 30)) for s in rng.sample(range(2900), 60)})
    protected = {i for s, e in spans for i in range(s, e)}
    edits = []
    for position in sorted(rng.sample(range(3000), 200)):
        end = position + rng.randint(0, 3)
        if not protected & set(range(position, end)) and (not edits or position > edits[-1][1]):
            if any(s < position < e for s, e in spans):
                continue
            edits.append((position, end, rng.choice(["", "X", "yz"])))
    edits = check_edits(text, edits, document="d")
    new = apply_edits(text, edits)
    mapping = SpanMap(edits)
    for start, end in spans:
        placed = mapping.place(start, end)
        assert placed.state == "intact" and new[placed.start : placed.end] == text[start:end]
    assert apply_edits(text, diff_edits(text, new)) == new


def test_the_command_replaces_a_text_from_a_corrected_file(coded: Project, tmp_path: Path):
    from click.testing import CliRunner

    from miam_qual.cli import main

    pain = code_words(coded, "Le pain est trop cher")
    corrected = tmp_path / "corrige.txt"
    corrected.write_text(INTERVIEW.replace("Et la cantine ?", "Et la cantine du quartier ?"))
    coded.close()
    result = CliRunner().invoke(
        main, ["remplacer-texte", "-p", str(coded.root), DOC, str(corrected), "--par", "léa"]
    )
    assert result.exit_code == 0, result.output
    assert "version 2 enregistrée" in result.output and "inchangés : 1" in result.output
    with Project.open(coded.root) as project:
        assert "cantine du quartier" in project.text(DOC)
        assert row_of(project, pain)["text"] == "Le pain est trop cher"
        assert project.validate() == []
    again = CliRunner().invoke(
        main, ["remplacer-texte", "-p", str(coded.root), DOC, str(corrected), "--par", "léa"]
    )
    assert again.exit_code == 1 and "identique" in again.output


DEMO_DOCUMENTS = [
    "entretien_enseignante_primaire.docx",
    "temoignage_01.vtt",
    "temoignage_07.txt",
    "questionnaire_representations.csv#R07-B",
]


def test_every_kind_of_demo_document_follows_its_corrected_text(demo_project: Project, tmp_path):
    import zipfile

    from miam_qual.exchange import export_qdpx

    project = demo_project
    for name in DEMO_DOCUMENTS:
        text = project.text(name)
        codings = project.codings()
        codings = codings[codings["document"] == name]
        units, cues = project.units(name), project.timecodes(name)
        word = re.compile(r"(?<= )[a-zéèà]{4,}(?=[ ,.])").search(text, len(text) // 2)
        assert word is not None
        result = project.edit_text(name, [(*word.span(), "corrigéxyz")], by="léa")
        assert result["untouched"] + result["modified"] + result["orphaned"] >= 1
        new = project.text(name)
        after = project.codings()
        after = after[after["document"] == name]
        assert len(after) + len(project.orphan_codings(name)) == len(codings)
        for row in after.itertuples():
            assert new[row.start : row.end] == row.text
        assert set(project.units(name)["kind"]) == set(units["kind"])
        moved = project.timecodes(name)
        assert moved["begin_ms"].tolist() == cues["begin_ms"].tolist()
        assert moved["start"].is_monotonic_increasing
        assert (moved["end"] <= len(new)).all()
    answers = project.text_versions("questionnaire_representations.csv#R07-B")
    assert answers["file"].tolist()[-1] == "questionnaire_representations_csv_r07_b.v2.txt"
    assert project.validate() == []
    archive = export_qdpx(project, tmp_path / "export.qdpx")
    with zipfile.ZipFile(archive) as opened:
        shared = "".join(
            opened.read(n).decode("utf-8") for n in opened.namelist() if n.endswith(".txt")
        )
    assert shared.count("corrigéxyz") >= len(DEMO_DOCUMENTS) - 1


def test_orphan_codings_keep_their_code_through_merges_and_block_its_deletion(coded: Project):
    from miam_qual.errors import CodebookError

    orphan = code_words(coded, "trop cher", "transport")
    at = coded.text(DOC).index(" trop cher")
    coded.edit_text(DOC, [(at, at + len(" trop cher"), "")], by="léa")
    with pytest.raises(CodebookError, match="transport"):
        coded.delete_code("transport")
    coded.merge_codes("transport", "prix")
    assert coded.orphan_codings().set_index("orphan_id").loc[orphan, "code_id"] == "prix"


def test_the_command_pseudonymises_a_text_at_the_source(coded: Project):
    from click.testing import CliRunner

    from miam_qual.cli import main

    (coded.root / "prive").mkdir(mode=0o700)
    (coded.root / "prive" / "pseudonymes.yml").write_text(
        "remplacements:\n  Jean Dupont: Marc\n", "utf-8"
    )
    coded.close()
    result = CliRunner().invoke(
        main, ["pseudonymiser-texte", "-p", str(coded.root), DOC, "--par", "léa"]
    )
    assert result.exit_code == 0, result.output
    assert "1 nom(s) remplacé(s), version 2" in result.output and "Dupont" not in result.output
    with Project.open(coded.root) as project:
        assert "Dupont" not in project.text(DOC)


def test_codings_of_a_copy_made_before_a_correction_merge_onto_the_corrected_text(
    coded: Project, tmp_path: Path
):
    import shutil

    from miam_qual.exchange import merge

    code_words(coded, "Le pain est trop cher")
    copy = tmp_path / "copie_stagiaire"
    shutil.copytree(coded.root, copy)
    with Project.open(copy) as intern:  # codes on the text as it was
        text = intern.text(DOC)
        for words in ("c'est bien pour les enfants", "parlez-moi du marché"):
            start = text.index(words)
            intern.code(DOC, start, start + len(words), "qualite", coder="karim")
    at = coded.text(DOC).index(", parlez-moi du marché")
    coded.edit_text(DOC, [(at, at + len(", parlez-moi du marché"), "")], by="léa")
    report = merge(coded, copy, by="léa")
    assert "version 1 de « entretien.txt »" in str(report)
    assert "passage retiré du texte lors de sa correction" in str(report)
    karim = coded.codings(coder="karim")
    assert karim["text"].tolist() == ["c'est bien pour les enfants"]
    assert coded.validate() == []


def test_a_quote_whose_words_vanished_is_set_aside_with_its_words_kept(coded: Project):
    text = coded.text(DOC)
    words = "La cantine, c'est bien pour les enfants."
    start = text.index(words)
    quote = propose_quote(coded, document=DOC, start=start, end=start + len(words), by="léa")
    kept = propose_quote(coded, document=DOC, start=0, end=len("Enquêtrice : Bonjour"), by="léa")
    coded.edit_text(DOC, [(start - 1, start + len(words), "")], by="léa")
    quotes = list_quotes(coded).set_index("quote_id")
    assert quotes.loc[quote, "status"] == "écartée" and quotes.loc[quote, "original"] == words
    assert quotes.loc[quote, "drifted"]  # listed as no longer in the text
    assert quotes.loc[kept, "status"] == "proposée" and not quotes.loc[kept, "drifted"]
    history = quote_history(coded, quote)
    assert history["new"].tolist()[-2:] == ["texte disparu du document", "écartée"]


def test_a_replacement_that_is_not_text_or_too_long_is_refused(coded: Project, monkeypatch):
    from miam_qual.errors import UnreadableFile
    from miam_qual.sources import limits

    with pytest.raises(TextEditError, match="chaîne"):
        coded.replace_text(DOC, None, by="léa")  # type: ignore[arg-type]
    monkeypatch.setattr(limits, "MAX_TEXT_BYTES", len(coded.text(DOC)) + 3)
    with pytest.raises(UnreadableFile, match="texte trop long"):
        coded.edit_text(DOC, [(0, 0, "Très long. ")], by="léa")
    assert coded.text_version(DOC) == 1


def test_a_sentence_removed_at_a_line_end_orphans_its_words_whole():
    """The common start and end of two texts are cut at line boundaries: a removed word that ends
    like the kept word before it (« difficile. » after « différence. ») leaves no stray letter
    behind as a survivor."""
    from miam_qual.alignment import SpanMap, apply_edits, diff_edits

    old = "Q : Et ?\nR : On voit la différence. Ça reste difficile.\nQ : Merci.\n"
    new = old.replace(" Ça reste difficile.", "").replace("Et ?", "Et alors ?")
    edits = diff_edits(old, new)
    assert apply_edits(old, edits) == new
    start = old.index("Ça reste difficile")
    assert SpanMap(edits).place(start, start + len("Ça reste difficile")).state == "orphelin"
    kept = old.index("On voit la différence")
    assert SpanMap(edits).place(kept, kept + len("On voit la différence")).state == "intact"


SUBTITLES = REPO / "corpus" / "temoignage_02.vtt"


@pytest.fixture(scope="module")
def timed_projects(tmp_path_factory):
    """A subtitled transcript and a text with inline times, each imported once into a project of
    its own (closed: each example edits a fresh copy), and the recording's span (first and last
    times of the imported cues)."""
    found = {}
    for source in (SUBTITLES, TIMED):
        root = tmp_path_factory.mktemp("minutage") / "projet"
        with Project.create(root, name="minutage") as project:
            project.import_files([source], by="test")
            cues = project.timecodes(source.name)
        found[source.name] = (root, (int(cues["begin_ms"].min()), int(cues["end_ms"].max())))
    return found


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_property_timecodes_stay_ordered_and_within_the_recording(
    data, timed_projects, tmp_path_factory
):
    """Random edits — anywhere, cues' words included — on a subtitled transcript and on a text
    with inline times: every cue left keeps its times (ordered, inside the recording) and lies
    inside the new text, in order, without overlapping the next."""
    name = data.draw(st.sampled_from(sorted(timed_projects)))
    original, recording = timed_projects[name]
    copy = tmp_path_factory.mktemp("copie") / "projet"
    shutil.copytree(original, copy)
    with Project.open(copy) as project:
        check_timecodes_follow(project, name, recording, data)


def check_timecodes_follow(project: Project, name: str, recording: tuple[int, int], data) -> None:
    before = project.timecodes(name)
    text = project.text(name)
    points = sorted(set(data.draw(st.lists(st.integers(0, len(text)), min_size=1, max_size=15))))
    edits = []
    for point in points:
        end = min(point + data.draw(st.integers(0, 12)), len(text))
        if edits and point <= edits[-1][1]:
            continue
        edits.append((point, end, data.draw(WORDS)))
    try:
        project.edit_text(name, edits, by="test")
    except TextEditError:  # a label cut in two, an empty text: refused, nothing changed
        assert project.timecodes(name).equals(before) and project.text(name) == text
        return
    after = project.timecodes(name)
    new = project.text(name)
    assert after["begin_ms"].is_monotonic_increasing
    assert (after["begin_ms"] <= after["end_ms"]).all()
    if len(after):
        assert after["begin_ms"].min() >= recording[0] and after["end_ms"].max() <= recording[1]
    assert set(zip(after["begin_ms"], after["end_ms"], strict=True)) <= set(
        zip(before["begin_ms"], before["end_ms"], strict=True)
    )  # a cue's times never move: its words do (the edits hold no digits)
    assert after["start"].is_monotonic_increasing
    assert (after["start"] < after["end"]).all()
    assert len(after) == 0 or after["end"].max() <= len(new)
    assert (after["end"].iloc[:-1].to_numpy() <= after["start"].iloc[1:].to_numpy()).all()
    assert project.validate() == []


def test_a_replacement_across_two_cues_leaves_them_side_by_side(project: Project, tmp_path: Path):
    source = tmp_path / "deux_repliques.vtt"
    source.write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Habitante 3>Le pain est trop cher.\n\n"
        "00:00:04.500 --> 00:00:08.000\n<v Habitante 3>La cantine, c'est bien.\n",
        encoding="utf-8",
    )
    project.import_files([source], by="test")
    name = source.name
    text = project.text(name)
    start = text.index("cher. La")
    project.edit_text(name, [(start, start + len("cher. La"), "chère, la")], by="léa")
    new = project.text(name)
    cues = project.timecodes(name)
    assert cues[["begin_ms", "end_ms"]].values.tolist() == [[1000, 4000], [4500, 8000]]
    first, second = cues.itertuples()
    assert first.end <= second.start  # the replaced words belong to one cue only
    assert new[first.start : second.end].startswith("Le pain est trop chère, la cantine")
    assert project.validate() == []
