"""Training against a reference: reference sets, hidden codings, differences, progress."""

from __future__ import annotations

import pytest
from test_faults import failing_commit, snapshot

from miam_qual import CorpusError, IntegrityViolation, Project, TrainingError, UnknownCoder
from miam_qual.agreement import agreement
from miam_qual.errors import AgreementError
from miam_qual.training import (
    BOTH,
    REFERENCE_ONLY,
    TRAINEE_ONLY,
    differences,
    hidden_codings,
    is_hidden,
    mark_done,
    mark_reference,
    progress,
    reference_sets,
    reveal,
    set_documents,
)

SET = ["entretien_centre_social.txt", "temoignage_07.txt", "temoignage_08.txt"]


def without_the_demo_set(project: Project) -> Project:
    """The demo ships a reference set of its own (``demo/revue_demo.yml``); these tests start
    from none, so that every set listed is one they made."""
    with project.store.transaction():
        for table in ("reference_done", "reference_documents", "reference_sets"):
            project.store.db.execute(f"DELETE FROM {table}")
    return project


@pytest.fixture
def trained(demo_project: Project) -> Project:
    """The demo with a reference set (camille's codings) and an intern who coded two of its
    documents: the first exactly like camille, then the second with half of camille's passages,
    one passage widened and one code camille did not use there."""
    project = without_the_demo_set(demo_project)
    project.add_coder("stagiaire")
    mark_reference(project, SET, reference_coder="camille", by="sophie", name="Formation 1")
    theirs = project.codings(coder="camille")
    first = theirs[theirs["document"] == SET[0]]
    for row in first.itertuples():
        project.code(row.document, int(row.start), int(row.end), row.code_id, coder="stagiaire")
    second = theirs[theirs["document"] == SET[1]].sort_values("start")
    for row in second.iloc[::2].itertuples():
        project.code(row.document, int(row.start), int(row.end), row.code_id, coder="stagiaire")
    widened = second.iloc[1]
    end = min(int(widened.end) + 20, len(project.text(SET[1])))
    project.code(SET[1], int(widened.start), end, widened.code_id, coder="stagiaire")
    used = set(second["code_id"])
    other = next(c.id for c in project.codebook if c.codable and c.id not in used)
    project.code(SET[1], 0, 30, other, coder="stagiaire")
    return project


def test_a_reference_set_is_stored_and_listed(trained: Project):
    table = reference_sets(trained)
    assert table.to_dict("records")[0] | {"created_at": ""} == {
        "set": "Formation 1", "reference_coder": "camille", "documents": 3,
        "document_names": ", ".join(SET), "created_by": "sophie", "created_at": "",
        "done": "", "revealed_by": "", "revealed_at": "",
    }  # fmt: skip
    assert set_documents(trained, "Formation 1") == SET
    root = trained.root
    trained.close()
    with Project.open(root) as again:
        assert reference_sets(again)["set"].tolist() == ["Formation 1"]
        assert mark_reference(again, [SET[0]], reference_coder="karim", by="sophie") == (
            "Référence 2"
        )


def test_refusals_are_french_and_specific(trained: Project):
    with pytest.raises(CorpusError, match="Document inconnu « absent.txt »"):
        mark_reference(trained, ["absent.txt"], reference_coder="camille", by="sophie")
    with pytest.raises(UnknownCoder, match="Codeur inconnu « personne »"):
        mark_reference(trained, [SET[0]], reference_coder="personne", by="sophie")
    with pytest.raises(TrainingError, match="s'appelle déjà « Formation 1 »"):
        mark_reference(trained, [SET[0]], reference_coder="camille", by="sophie",
                       name="Formation 1")  # fmt: skip
    with pytest.raises(TrainingError, match="au moins un document"):
        mark_reference(trained, [], reference_coder="camille", by="sophie")
    with pytest.raises(TrainingError, match="qui crée"):
        mark_reference(trained, [SET[0]], reference_coder="camille", by=" ")
    with pytest.raises(
        TrainingError, match="« stagiaire » n'a encore rien codé dans « temoignage_08.txt »"
    ):
        mark_reference(trained, SET, reference_coder="stagiaire", by="sophie")
    with pytest.raises(TrainingError, match="Jeu de référence inconnu « Formation ».*Formation 1"):
        differences(trained, "Formation", "stagiaire")
    with pytest.raises(TrainingError, match="est la référence"):
        mark_done(trained, "Formation 1", "camille")
    with pytest.raises(TrainingError, match="Seule la personne"):
        reveal(trained, "Formation 1", by="stagiaire")
    assert reference_sets(trained)["set"].tolist() == ["Formation 1"]  # nothing written
    mark_reference(trained, ["temoignage_01.vtt"], reference_coder="camille", by="sophie",
                   name="Autre")  # fmt: skip
    with pytest.raises(TrainingError, match="« stagiaire » n'a encore codé aucun document"):
        mark_done(trained, "Autre", "stagiaire")


def test_the_reference_is_hidden_until_done_or_revealed(trained: Project):
    document = SET[0]
    reference = set(trained.codings(coder="camille", document=document)["coding_id"])
    assert hidden_codings(trained, document, "stagiaire") == reference
    assert hidden_codings(trained, document, "karim") == reference
    assert hidden_codings(trained, document, "inconnu·e") == reference
    assert hidden_codings(trained, document, "camille") == set()
    assert is_hidden(trained, document, "stagiaire") and not is_hidden(trained, document, "camille")
    outside = "temoignage_01.vtt"
    assert hidden_codings(trained, outside, "stagiaire") == set()
    with pytest.raises(TrainingError, match="encore cachée à « stagiaire »"):
        differences(trained, "Formation 1", "stagiaire")

    mark_done(trained, "Formation 1", "stagiaire")
    mark_done(trained, "Formation 1", "stagiaire")  # twice: the first date stays
    assert hidden_codings(trained, document, "stagiaire") == set()
    assert hidden_codings(trained, document, "karim") == reference
    assert reference_sets(trained)["done"].iloc[0] == "stagiaire"

    reveal(trained, "Formation 1", by="sophie")
    assert not is_hidden(trained, document, "karim")
    assert reference_sets(trained)["revealed_by"].iloc[0] == "sophie"


def test_differences_passage_by_passage(trained: Project):
    mark_done(trained, "Formation 1", "stagiaire")
    table = differences(trained, "Formation 1", "stagiaire")
    assert list(table.columns) == [
        "document", "start", "end", "passage", "code_id", "code", "status", "overlap",
    ]  # fmt: skip
    assert table["document"].unique().tolist() == SET[:2]  # the intern coded two of three
    first = table[table["document"] == SET[0]]
    assert (first["status"] == BOTH).all() and (first["overlap"] == 1.0).all()
    assert len(first) == len(trained.codings(coder="camille", document=SET[0]))

    second = table[table["document"] == SET[1]]
    reference = trained.codings(coder="camille", document=SET[1])
    statuses = second["status"].value_counts()
    assert statuses[TRAINEE_ONLY] >= 1  # the code camille did not use there
    assert statuses[BOTH] + statuses.get(REFERENCE_ONLY, 0) == len(reference)
    widened = second[(second["status"] == BOTH) & (second["overlap"] < 1)]
    assert len(widened) == 1 and 0 < widened["overlap"].iloc[0] < 1
    text = trained.text(SET[1])
    for row in second.itertuples():
        assert row.passage == text[row.start : row.end] or row.passage.endswith("…")
    assert not table.isna().any().any()


def test_progress_follows_the_set_documents_in_the_order_coded(trained: Project):
    table = progress(trained, "Formation 1", "stagiaire", unit="turn")
    assert table["document"].tolist() == SET[:2]
    assert table["rank"].tolist() == [1, 2]
    assert table["alpha"].iloc[0] == pytest.approx(1.0)
    assert table["cumulative_alpha"].iloc[0] == pytest.approx(table["alpha"].iloc[0])
    assert table["cumulative_gwet_ac1"].iloc[0] == pytest.approx(table["gwet_ac1"].iloc[0])
    whole = agreement(trained, unit="turn", coders=["camille", "stagiaire"]).iloc[0]
    assert table["cumulative_alpha"].iloc[-1] == pytest.approx(whole["alpha"])
    assert table["cumulative_gwet_ac1"].iloc[-1] == pytest.approx(whole["gwet_ac1"])
    mark_reference(trained, ["temoignage_01.vtt"], reference_coder="camille", by="sophie",
                   name="Vide")  # fmt: skip
    with pytest.raises(AgreementError):
        progress(trained, "Vide", "stagiaire")


def test_a_reference_set_whose_write_fails_midway_leaves_the_project_unchanged(
    demo_project: Project,
):
    without_the_demo_set(demo_project)
    db = demo_project.store.db
    # the set's row and first document go in, the second document fails: SQLite aborts there
    db.execute(
        "CREATE TEMP TRIGGER panne BEFORE INSERT ON main.reference_documents "
        "WHEN (SELECT count(*) FROM main.reference_documents) >= 1 "
        "BEGIN SELECT RAISE(ABORT, 'panne simulée'); END"
    )
    before = snapshot(demo_project)
    with pytest.raises(IntegrityViolation):
        mark_reference(demo_project, SET, reference_coder="camille", by="sophie")
    assert not db.in_transaction
    assert snapshot(demo_project) == before
    assert reference_sets(demo_project).empty
    db.execute("DROP TRIGGER temp.panne")
    assert mark_reference(demo_project, SET, reference_coder="camille", by="sophie")
    assert snapshot(demo_project) != before


@pytest.mark.parametrize("write", ["mark_reference", "mark_done", "reveal"])
def test_every_training_write_whose_commit_fails_writes_nothing(trained: Project, write: str):
    writes = {
        "mark_reference": lambda: mark_reference(
            trained, [SET[0]], reference_coder="camille", by="sophie", name="Encore"
        ),
        "mark_done": lambda: mark_done(trained, "Formation 1", "stagiaire"),
        "reveal": lambda: reveal(trained, "Formation 1", by="sophie"),
    }
    before = snapshot(trained)
    with failing_commit(trained):
        with pytest.raises(IntegrityViolation, match="rien n'a été écrit"):
            writes[write]()
    assert snapshot(trained) == before
    writes[write]()  # the same write then goes through
    assert snapshot(trained) != before
