"""Merging coders' work: two copies of a project coded differently, merged both ways and twice —
nothing lost, nothing doubled, conflicts reported with the project's version kept, logged; a
``.qdpx`` coded elsewhere on the shareable texts comes back onto the project's own text."""

from __future__ import annotations

import collections
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_faults import snapshot

from miam_qual import Project
from miam_qual.cli import main
from miam_qual.errors import ProjectError
from miam_qual.exchange import exchange_history, export_qdpx, merge, preview_merge
from miam_qual.privacy.pseudonyms import Pseudonyms

DATA = Path(__file__).parent / "data"


@pytest.fixture
def copies(project: Project, tmp_path: Path) -> tuple[Project, Project]:
    """The same project twice (a backup taken to a laptop), then coded differently."""
    project.import_participants(DATA / "core" / "participants.csv", by="camille")
    project.import_files([DATA / "core" / "entretien_cantine.txt", DATA / "sources" / "notes.md"])
    project.code("entretien_cantine.txt", 0, 10, "prix", coder="camille")
    project.set_memo("document", "entretien_cantine.txt", "Premier passage.", author="camille")
    laptop = Project.open(project.backup(tmp_path / "portable"))
    project.code("entretien_cantine.txt", 20, 40, "qualite", coder="camille")
    laptop.add_coder("lea")
    laptop.code("entretien_cantine.txt", 20, 40, "qualite", coder="lea", memo="à discuter")
    laptop.code("notes.md", 0, 8, "prix", coder="lea")
    laptop.add_code("cantine_bio", "Cantine bio", parent="acces", definition="Le bio à la cantine.")
    laptop.code("entretien_cantine.txt", 5, 25, "cantine_bio", coder="lea")
    laptop.set_memo("document", "entretien_cantine.txt", "Relu sur le portable.", author="camille")
    yield project, laptop
    laptop.close()


def keys(project: Project) -> collections.Counter:
    c = project.codings()
    return collections.Counter(
        zip(c["document"], c["start"], c["end"], c["code_id"], c["coder"], strict=True)
    )


def test_two_copies_merge_both_ways_and_twice_without_losing_anything(copies):
    office, laptop = copies
    office_before, laptop_before = keys(office), keys(laptop)
    before = snapshot(office)
    preview = preview_merge(office, laptop)
    assert snapshot(office) == before  # a preview writes nothing
    assert preview.counts["codages_nouveaux"] == 3 and preview.counts["codes_nouveaux"] == 1
    assert preview.counts["codeurs_nouveaux"] == 1 and not preview.written
    report = merge(office, laptop.root, by="camille")
    assert report.written and report.counts == preview.counts
    assert keys(office) == office_before | laptop_before  # every coding of both copies
    assert office.codebook.get("cantine_bio").definition == "Le bio à la cantine."
    memo = office.memos("document")["text"].iloc[0]
    assert memo == "Premier passage.\n\nRelu sur le portable."  # completed, not replaced
    coding_memos = office.memos("coding")
    assert list(coding_memos["text"]) == ["à discuter"] and list(coding_memos["author"]) == ["lea"]
    again = merge(office, laptop.root, by="camille")
    assert again.nothing_new and keys(office) == office_before | laptop_before
    assert office.memos("document")["text"].iloc[0] == memo
    # the other way
    back = merge(laptop, office, by="lea")
    assert back.counts["codages_nouveaux"] == 1  # the office's second coding
    assert keys(laptop) == keys(office)
    assert [c.id for c in laptop.codebook] == [c.id for c in office.codebook]
    assert merge(laptop, office, by="lea").nothing_new
    history = exchange_history(office)
    assert list(history["action"]) == ["fusion", "fusion"] and set(history["who"]) == {"camille"}
    assert history["details"].iloc[0]["comptes"]["codages_nouveaux"] == 3
    assert office.validate() == [] and laptop.validate() == []


def test_conflicts_keep_the_project_version_and_are_reported(copies):
    office, laptop = copies
    laptop.update_code("prix", definition="Une définition réécrite sur le portable.")
    laptop.set_attributes("entretien_cantine.txt", vague="bilan")
    office.set_attributes("entretien_cantine.txt", vague="mi-parcours")
    definition = office.codebook.get("prix").definition
    report = merge(office, laptop, by="camille")
    assert any("« prix »" in c and "définition différente" in c for c in report.conflicts)
    assert any("vague" in c and "mi-parcours" in c for c in report.conflicts)
    assert office.codebook.get("prix").definition == definition
    assert office.documents(vague="mi-parcours")["document"].tolist() == ["entretien_cantine.txt"]


def test_documents_the_project_lacks_are_listed_then_added_on_request(copies, tmp_path: Path):
    office, laptop = copies
    extra = tmp_path / "atelier.txt"
    extra.write_text("Atelier cuisine : soupe de saison.\n", encoding="utf-8")
    laptop.import_files([extra])
    laptop.code("atelier.txt", 0, 7, "prix", coder="lea")
    report = merge(office, laptop, by="camille")
    assert report.counts["documents_absents"] == 1 and report.counts["codages_non_repris"] == 1
    assert any("atelier.txt" in line for line in report.lost)
    assert "atelier.txt" not in set(office.documents()["document"])
    report = merge(office, laptop, by="camille", new_documents=True)
    assert report.counts["documents_nouveaux"] == 1 and report.counts["codages_nouveaux"] == 1
    assert (office.corpus_dir / "atelier.txt").read_bytes() == extra.read_bytes()
    assert office.validate() == []


def test_a_qdpx_coded_on_the_shareable_texts_comes_back_onto_the_real_text(
    project: Project, tmp_path: Path
):
    source = tmp_path / "entretien_samia.txt"
    source.write_text("Samia Benali : le marché est trop cher pour nous.\n", encoding="utf-8")
    project.import_files([source])
    names = Pseudonyms.load(project.root)
    names.add("Samia Benali", "Habitante 9")
    names.save()
    archive = export_qdpx(project, tmp_path / "partage.qdpx")
    # the supervisor codes the shared archive elsewhere (here: another project reading it)
    elsewhere = Project.create(tmp_path / "ailleurs")
    from miam_qual.exchange import import_refi

    import_refi(elsewhere, archive, by="superviseure")
    name = elsewhere.documents()["document"].iloc[0]
    assert "samia" not in name.casefold()  # names of documents are pseudonymised too
    shared = elsewhere.text(name)
    assert "Samia" not in shared and shared.startswith("Habitante 9")
    elsewhere.add_code("prix", "Prix", codable=True)
    elsewhere.add_coder("superviseure")
    elsewhere.code(name, 0, shared.index(" :"), "prix", coder="superviseure")
    elsewhere.code(name, shared.index("trop"), shared.index(" pour"), "prix", coder="superviseure")
    back = export_qdpx(elsewhere, tmp_path / "retour.qdpx")
    report = merge(project, back, by="camille")
    assert any("forme partagée" in line for line in report.adapted)
    assert sorted(project.codings(coder="superviseure")["text"]) == ["Samia Benali", "trop cher"]
    assert merge(project, back, by="camille").nothing_new


def test_merging_a_project_into_itself_is_refused(project: Project):
    with pytest.raises(ProjectError, match="le projet lui-même"):
        merge(project, project.root)


def test_the_command_line_previews_merges_imports_and_exports(copies, tmp_path: Path):
    office, laptop = copies
    root, other = str(office.root), str(laptop.root)
    runner = CliRunner()
    result = runner.invoke(main, ["fusionner", other, "-p", root, "--apercu"])
    assert result.exit_code == 0, result.output
    assert (
        "aperçu, rien n'a encore été écrit" in result.output
        and "3 codages ajoutés" in result.output
    )
    result = runner.invoke(main, ["fusionner", other, "-p", root, "--par", "camille"])
    assert result.exit_code == 0 and "fait." in result.output
    result = runner.invoke(
        main, ["exporter-refi", str(tmp_path / "livre"), "-p", root, "-f", "qdc"]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "livre.qdc").is_file() and "Livre de codes exporté" in result.output
    result = runner.invoke(main, ["exporter-refi", str(tmp_path / "tout.qdpx"), "-p", root,
                                  "--positions", "utf16"])  # fmt: skip
    assert result.exit_code == 0, result.output
    fresh = tmp_path / "neuf"
    assert runner.invoke(main, ["init", str(fresh)]).exit_code == 0
    result = runner.invoke(main, ["import", str(tmp_path / "tout.qdpx"), "-p", str(fresh)])
    assert result.exit_code == 0, result.output
    # notes.md is the words of Habitante 3, who gave no consent to analysis: not exported
    assert "- 1 documents ajoutés" in result.output, result.output
    result = runner.invoke(main, ["import", str(tmp_path / "livre.qdc"), "-p", str(fresh)])
    assert result.exit_code == 0 and "Rien de nouveau" in result.output
    mixed = runner.invoke(
        main, ["import", str(tmp_path / "tout.qdpx"), str(DATA / "core" / "entretien_cantine.txt"),
               "-p", str(fresh)],
    )  # fmt: skip
    assert mixed.exit_code == 2 and ".qdpx ou .qdc à part" in mixed.output
    with_options = runner.invoke(
        main, ["import", str(tmp_path / "tout.qdpx"), "-p", str(fresh), "-a", "vague=bilan"]
    )
    assert with_options.exit_code == 2 and "ne s'appliquent pas" in with_options.output
    broken = tmp_path / "casse.qdpx"
    broken.write_bytes(b"pas une archive")
    result = runner.invoke(main, ["import", str(broken), "-p", str(fresh)])
    assert result.exit_code == 1 and "casse.qdpx" in result.output and "Erreur" in result.output
