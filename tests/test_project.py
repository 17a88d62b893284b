"""Project folders: creation, opening, all-or-nothing import, attributes, participants, consent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from miam_qual import CorpusError, EncodingError, Project, ProjectError
from miam_qual.store import DB_FILE, Store
from miam_qual.store.migrations import MIGRATIONS

DATA = Path(__file__).parent / "data"
CORE = DATA / "core"


@pytest.fixture
def small(tmp_path: Path) -> Project:
    project = Project.create(tmp_path / "p", codebook=DATA / "codebooks" / "valide.yml")
    project.add_coder("camille")
    yield project
    project.close()


def snapshot(project: Project) -> tuple:
    """Everything an import could touch: documents, participants, corpus files."""
    return (
        project.documents().to_dict("records"),
        project.participants().to_dict("records"),
        sorted(p.name for p in project.corpus_dir.iterdir()),
    )


def test_create_lays_out_a_readable_folder(tmp_path: Path):
    project = Project.create(
        tmp_path / "p", name="Essai", codebook=DATA / "codebooks" / "valide.yml"
    )
    root = tmp_path / "p"
    assert (root / "projet.yml").read_text(encoding="utf-8").count("nom: vague") == 1
    assert (root / "codebooks" / "livre_de_codes.yml").exists()
    assert (root / "corpus").is_dir() and (root / DB_FILE).exists()
    assert project.name == "Essai"
    assert set(project.codebook_history()["who"]) == {"création du projet"}
    project.close()
    with pytest.raises(ProjectError, match="contient déjà un projet"):
        Project.create(root)


def test_create_with_invalid_codebook_leaves_nothing(tmp_path: Path):
    with pytest.raises(Exception, match="casse.yml"):
        Project.create(tmp_path / "p", codebook=DATA / "codebooks" / "casse.yml")
    assert not (tmp_path / "p").exists()


def test_open_refuses_a_folder_that_is_not_a_project(tmp_path: Path):
    with pytest.raises(ProjectError, match="n'est pas un projet miam_qual"):
        Project.open(tmp_path)


def test_schema_migrations_are_recorded(small: Project):
    rows = small.store.rows("SELECT version, name FROM migrations ORDER BY version")
    assert [(r["version"], r["name"]) for r in rows] == [(v, n) for v, n, _ in MIGRATIONS]
    assert small.store.schema_version() == MIGRATIONS[-1][0]


def test_newer_database_is_refused(small: Project):
    small.store.db.execute("PRAGMA user_version = 999")
    with pytest.raises(ProjectError, match="version plus récente"):
        Store(small.root / DB_FILE)


def test_import_reads_decodes_and_copies_into_corpus(small: Project):
    added = small.import_files([CORE / "entretien_cantine.txt", CORE / "temoignage_cp1252.txt"])
    assert list(added["document"]) == ["entretien_cantine.txt", "temoignage_cp1252.txt"]
    assert (small.corpus_dir / "temoignage_cp1252.txt").read_bytes() == (
        CORE / "temoignage_cp1252.txt"
    ).read_bytes()
    text = small.text("temoignage_cp1252.txt")
    assert "c’est toute une expédition… Et l’épicerie" in text and "2 € le kilo" in text
    assert "« raisonnable »" in text and "cœur" in text and "\r" not in text
    assert added.set_index("document").loc["temoignage_cp1252.txt", "encoding"] == "cp1252"
    turns = small.units("entretien_cantine.txt", kind="turn")
    interview = small.text("entretien_cantine.txt")
    assert [interview[s:e].split(" :")[0] for s, e in zip(turns["start"], turns["end"], strict=True)] == [
        "Enquêtrice", "Responsable cantine", "Enquêtrice", "Responsable cantine",
    ]  # fmt: skip
    assert list(turns["role"]) == ["interviewer", "participant", "interviewer", "participant"]


def test_import_is_all_or_nothing(small: Project):
    before = snapshot(small)
    with pytest.raises(EncodingError, match=r"« casse_utf8\.txt ».*octet 26 \(0x9D\)"):
        small.import_files([CORE / "entretien_cantine.txt", CORE / "casse_utf8.txt"])
    assert snapshot(small) == before


def test_import_refuses_duplicates_and_missing_files(small: Project):
    small.import_files([CORE / "entretien_cantine.txt"])
    before = snapshot(small)
    with pytest.raises(CorpusError, match="déjà dans le projet") as caught:
        small.import_files(
            [CORE / "temoignage_cp1252.txt", CORE / "entretien_cantine.txt", CORE / "absent.txt"]
        )
    assert "« " + str(CORE / "absent.txt") + " » : fichier introuvable" in str(caught.value)
    assert snapshot(small) == before


def test_import_validates_attributes_before_writing(small: Project):
    before = snapshot(small)
    with pytest.raises(CorpusError) as caught:
        small.import_files(
            [CORE / "entretien_cantine.txt"], vague="fin", humeur="bonne", date="32/13/2025"
        )
    message = str(caught.value)
    assert "valeur « fin » non prévue pour l'attribut « vague »" in message
    assert "attribut inconnu « humeur »" in message
    assert "date « 32/13/2025 » illisible" in message
    assert snapshot(small) == before


def test_attributes_are_typed_and_canonical(small: Project):
    small.import_files(
        [CORE / "entretien_cantine.txt"],
        vague="ETAT INITIAL",
        date="05/10/2024",
        adherent_groupement="Oui",
    )
    row = small.documents().iloc[0]
    assert (row["vague"], row["date"], row["adherent_groupement"]) == (
        "état initial",
        "2024-10-05",
        "oui",
    )
    small.set_attributes("entretien_cantine.txt", vague=None, site="haisnes")
    row = small.documents().iloc[0]
    assert row["site"] == "Haisnes" and "vague" not in small.documents(vague="état initial")


def test_metadata_and_participant_register(small: Project):
    small.import_participants(CORE / "participants.csv", by="karim")
    small.import_files([CORE / "entretien_cantine.txt", CORE / "temoignage_cp1252.txt"])
    assert small.import_metadata(CORE / "metadonnees.csv") == 2
    docs = small.documents().set_index("document")
    assert docs.loc["entretien_cantine.txt", "date"] == "2025-03-12"
    assert docs.loc["temoignage_cp1252.txt", "participant"] == "Habitante 4"
    people = small.participants().set_index("participant")
    assert people.loc["Habitante 4", "tranche_age"] == "50-59 ans"
    assert bool(people.loc["Habitante 4", "consentement_radio"]) is False
    assert bool(people.loc["Habitante 4", "consentement_exposition"]) is True
    assert small.has_consent("Habitante 4", "citation")


def test_consent_withdrawal_is_a_newer_record(small: Project):
    small.add_participant("Habitante 4", tranche_age="50-59 ans")
    small.set_consent("Habitante 4", "radio", True, date="2024-10-05", method="écrit", by="camille")
    small.set_consent(
        "Habitante 4", "radio", False, date="2025-01-10", method="oral enregistré", by="camille"
    )
    assert not small.has_consent("Habitante 4", "radio")
    history = small.consent_history()
    assert list(history["granted"]) == [True, False]
    assert list(history["given_on"]) == ["2024-10-05", "2025-01-10"]


def test_bad_participant_register_writes_nothing(small: Project):
    with pytest.raises(CorpusError) as caught:
        small.import_participants(CORE / "participants_faux.csv")
    assert "« participants_faux.csv » ligne 2 : valeur « cinquante ans » non prévue" in str(
        caught.value
    )
    assert "ligne 3 : valeur « voisine » non prévue pour l'attribut « role »" in str(caught.value)
    assert small.participants().empty


def test_unknown_attribute_scope_is_explained(small: Project):
    with pytest.raises(CorpusError, match="sans l'attribut « participant »"):
        small.import_files([CORE / "entretien_cantine.txt"], tranche_age="50-59 ans")


KILLER = """
import os, sys
from miam_qual import Project
p = Project.open(sys.argv[1])
t = p.text("entretien_cantine.txt")
for i in range(5):
    p.code("entretien_cantine.txt", i * 10, i * 10 + 5, "prix", coder="camille")
print("confirmed", flush=True)
os.kill(os.getpid(), 9)
"""


def test_a_killed_process_loses_nothing_confirmed(small: Project):
    small.import_files([CORE / "entretien_cantine.txt"])
    small.close()
    result = subprocess.run(
        [sys.executable, "-c", KILLER, str(small.root)], capture_output=True, text=True
    )
    assert result.returncode == -signal.SIGKILL and "confirmed" in result.stdout
    reopened = Project.open(small.root)
    assert len(reopened.codings()) == 5
    reopened.close()
    assert os.path.exists(small.root / DB_FILE)


def test_files_written_atomically_get_ordinary_permissions(tmp_path: Path):
    from miam_qual.fileio import atomic_write_text

    atomic_write_text(tmp_path / "rapport.txt", "bonjour")
    mode = (tmp_path / "rapport.txt").stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask
