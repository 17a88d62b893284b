"""Finding documents and words (``miam_qual.search``) on real project folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from miam_qual import (
    CodingError,
    CorpusError,
    IntegrityViolation,
    OffsetOutOfRange,
    Project,
    SearchError,
    UnknownAttribute,
    UnknownCode,
    search,
)
from miam_qual.search import (
    HIT_COLUMNS,
    code_hits,
    find_documents,
    prepare_search,
    search_text,
)

TRANSCRIPT = (
    "Enquêtrice : Et l'Épicerie solidaire, vous y allez ?\n"
    "Habitante 3 : L’épicerie ? Oui, le mardi. Une ÉPICERIE pas chère.\n"
    "Enquêtrice : Et le marché ?\n"
    "Habitante 3 : Le marché de la Fosse 13, avec mon cœur d'artichaut et mes œufs.\n"
)
NOTES = "On passe à l'epicerie puis au CAFÉ.\tLe café est bon.\nEpiceries fermées le lundi.\n"


@pytest.fixture
def corpus(project: Project, tmp_path: Path) -> Project:
    files = []
    for name, text in [("entretien_a.txt", TRANSCRIPT), ("notes_b.md", NOTES)]:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        files.append(path)
    project.import_files(files)
    project.set_attributes("entretien_a.txt", site="Fosse 13", vague="bilan")
    project.set_attributes("notes_b.md", site="Haisnes")
    return project


def test_public_names() -> None:
    assert sorted(search.__all__) == [
        "HIT_COLUMNS",
        "code_hits",
        "compile_query",
        "find_documents",
        "find_spans",
        "prepare_search",
        "search_text",
    ]


def test_accents_and_case_are_ignored_and_offsets_slice_exactly(corpus: Project) -> None:
    hits = search_text(corpus, "epicerie")
    assert list(hits.columns) == HIT_COLUMNS
    assert hits["match"].tolist() == ["Épicerie", "épicerie", "ÉPICERIE", "epicerie", "Epicerie"]
    for row in hits.itertuples():
        assert corpus.text(row.document_id)[row.start : row.end] == row.match
    assert search_text(corpus, "ÉPICERIE")["match"].tolist() == hits["match"].tolist()
    first = hits.iloc[0]
    assert (first["before"], first["after"][:10]) == ("Enquêtrice : Et l'", " solidaire")
    assert (first["speaker"], first["speaker_role"]) == ("Enquêtrice", "interviewer")
    assert hits["speaker"].tolist()[1:] == ["Habitante 3", "Habitante 3", None, None]


def test_ligatures_apostrophes_and_blanks_are_read_as_typed(corpus: Project) -> None:
    hits = search_text(corpus, "coeur d'artichaut")
    assert hits["match"].tolist() == ["cœur d'artichaut"]
    assert search_text(corpus, "l'epicerie")["match"].tolist() == [
        "l'Épicerie", "L’épicerie", "l'epicerie",
    ]  # fmt: skip
    across = search_text(corpus, "bon. epiceries")  # a line break matches a space
    text = corpus.text("notes_b.md")
    assert [text[s:e] for s, e in zip(across["start"], across["end"], strict=True)] == [
        "bon.\nEpiceries"
    ]
    assert across["after"].iloc[0] == " fermées le lundi."  # blanks shown on one line
    assert search_text(corpus, "cafe. le")["match"].tolist() == ["CAFÉ.\tLe"]


def test_an_accent_written_apart_is_part_of_the_match(project: Project, tmp_path: Path) -> None:
    # "q" + combining acute has no composed form: NFC keeps two code points
    path = tmp_path / "rare.txt"
    path.write_text("Le mot Iq\u0301bal revient, puis iqbal.\n", encoding="utf-8")
    project.import_files([path])
    hits = search_text(project, "iqbal")
    assert hits["match"].tolist() == ["Iq\u0301bal", "iqbal"]
    assert search_text(project, "IQ")["end"].tolist()[0] == 10  # the accent after q included


def test_a_letter_folded_into_two_gives_one_hit(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "lettres.txt"
    path.write_text("Straße, œuvre et Cœur.\n", encoding="utf-8")
    project.import_files([path])
    assert search_text(project, "s")["match"].tolist() == ["S", "ß"]
    assert search_text(project, "e")["match"].tolist() == ["e", "œ", "e", "e", "œ"]
    assert search_text(project, "oe")["match"].tolist() == ["œ", "œ"]


def test_hits_across_several_documents_in_document_order(corpus: Project) -> None:
    hits = search_text(corpus, "épicerie")
    assert hits["document"].tolist() == ["entretien_a.txt"] * 3 + ["notes_b.md"] * 2
    assert hits.groupby("document")["start"].apply(lambda s: s.is_monotonic_increasing).all()
    one = search_text(corpus, "épicerie", document="notes_b.md")
    assert one["document"].unique().tolist() == ["notes_b.md"] and len(one) == 2
    assert len(search_text(corpus, "épicerie", limit=4)) == 4
    assert search_text(corpus, "epicerie", whole_words=True)["match"].tolist() == [
        "Épicerie", "épicerie", "ÉPICERIE", "epicerie",
    ]  # fmt: skip
    none = search_text(corpus, "ludothèque")
    assert none.empty and list(none.columns) == HIT_COLUMNS


def test_refusals_are_specific_and_french(corpus: Project) -> None:
    with pytest.raises(SearchError, match="au moins une lettre"):
        search_text(corpus, " ?! ")
    with pytest.raises(CorpusError, match="Document inconnu"):
        search_text(corpus, "marché", document="absent.txt")


def test_find_documents_by_name_and_attribute_values(corpus: Project) -> None:
    assert find_documents(corpus)["document"].tolist() == ["entretien_a.txt", "notes_b.md"]
    found = find_documents(corpus, "fosse 13")
    assert found["document"].tolist() == ["entretien_a.txt"] and found["found_in"][0] == "site"
    assert find_documents(corpus, "NOTES")["found_in"].tolist() == ["document, source_file"]
    assert find_documents(corpus, "haisnes notes")["document"].tolist() == ["notes_b.md"]
    assert find_documents(corpus, "haisnes bilan").empty  # every word must be found
    assert find_documents(corpus, site="Fosse 13")["document"].tolist() == ["entretien_a.txt"]
    with pytest.raises(UnknownAttribute):
        find_documents(corpus, sitte="Fosse 13")


def test_not_yet_coded_by_me(corpus: Project) -> None:
    assert len(find_documents(corpus, not_coded_by="camille")) == 2
    corpus.code("notes_b.md", 0, 7, "prix", coder="camille")
    assert find_documents(corpus, not_coded_by="camille")["document"].tolist() == [
        "entretien_a.txt"
    ]
    assert len(find_documents(corpus, not_coded_by="karim")) == 2
    assert len(find_documents(corpus, not_coded_by="nouvelle_stagiaire")) == 2


def _state(project: Project) -> tuple:
    codings = project.codings()
    return len(codings), project.codebook_path.read_bytes(), len(project.coders())


def test_code_all_hits_writes_exactly_one_coding_per_hit(corpus: Project) -> None:
    hits = search_text(corpus, "épicerie")
    assert code_hits(corpus, hits, "prix", coder="camille") == 5
    written = corpus.codings(coder="camille")
    assert sorted(zip(written["document_id"], written["start"], written["end"], strict=True)) == (
        sorted(zip(hits["document_id"], hits["start"], hits["end"], strict=True))
    )
    assert (
        set(written["code_id"]) == {"prix"} and written["text"].tolist() == hits["match"].tolist()
    )
    assert code_hits(corpus, hits, "prix", coder="camille") == 0  # already there: nothing new
    assert len(corpus.codings()) == 5


def test_code_all_hits_refusals_leave_the_project_unchanged(corpus: Project) -> None:
    hits = search_text(corpus, "épicerie")
    before = _state(corpus)
    with pytest.raises(UnknownCode):
        code_hits(corpus, hits, "code_qui_n_existe_pas", coder="camille")
    with pytest.raises(CodingError, match="thème"):
        code_hits(corpus, hits, "acces", coder="camille")
    broken = hits.copy()
    broken.loc[2, "end"] = 10_000  # the third of five hits is out of its text
    with pytest.raises(OffsetOutOfRange, match="ligne 3"):
        code_hits(corpus, broken, "prix", coder="camille")
    with pytest.raises(SearchError):
        code_hits(corpus, hits.iloc[0:0], "prix", coder="camille")
    assert _state(corpus) == before


def test_a_failure_midway_through_the_writes_leaves_nothing(corpus: Project) -> None:
    hits = search_text(corpus, "épicerie")
    before = _state(corpus)
    # a real failure inside the transaction: the database refuses the third coding
    corpus.store.db.execute(
        "CREATE TEMP TRIGGER panne BEFORE INSERT ON codings "
        "WHEN (SELECT count(*) FROM codings) >= 2 BEGIN SELECT RAISE(ABORT, 'panne'); END"
    )
    with pytest.raises(IntegrityViolation):
        code_hits(corpus, hits, "prix", coder="camille")
    assert _state(corpus) == before
    assert corpus.store.db.execute("SELECT count(*) FROM selections").fetchone()[0] == 0
    corpus.store.db.execute("DROP TRIGGER panne")
    assert code_hits(corpus, hits, "prix", coder="camille") == 5


def test_prepare_search_reads_each_document_once(corpus: Project) -> None:
    assert prepare_search(corpus) == 2
    assert prepare_search(corpus) == 0
    assert len(search_text(corpus, "épicerie")) == 5  # the prepared texts serve the search


def test_texts_with_and_without_camel_case_marks_find_the_same_words(
    project: Project, tmp_path: Path
) -> None:
    # « SOPHIEDurand » folds with a camelCase mark inside; the other text folds without any,
    # and is scanned with the pattern that does not look for marks.
    texts = {
        "marque.txt": "Habitante : SOPHIEDurand m'a parlé du jardin\npartagé hier.\n",
        "simple.txt": "Habitante : Sophie Durand m'a parlé du jardin \n partagé hier.\n",
    }
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    project.import_files([tmp_path / name for name in texts])
    hits = search_text(project, "jardin partage")
    assert hits["document"].tolist() == ["marque.txt", "simple.txt"]
    assert hits["match"].tolist() == ["jardin\npartagé", "jardin \n partagé"]
    assert hits["after"].tolist() == [" hier.", " hier."]
    assert search_text(project, "sophiedurand")["match"].tolist() == ["SOPHIEDurand"]
    both = search_text(project, "sophie durand")  # a camelCase mark stands for a blank
    assert both["match"].tolist() == ["SOPHIEDurand", "Sophie Durand"]
    assert search_text(project, "parle du", whole_words=True)["document"].tolist() == [
        "marque.txt",
        "simple.txt",
    ]
