"""The store on real SQLite files: transactions (sqlite-utils' ``atomic()`` is the model), the
pragmas of every connection, hostile databases, read-only projects, the write lock, backups."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from miam_qual import Project
from miam_qual.cli import main
from miam_qual.errors import (
    IntegrityViolation,
    NotADatabase,
    ProjectError,
    ReadOnlyProject,
    StoreLocked,
)
from miam_qual.store import DB_FILE, LOCK_TIMEOUT, Store
from miam_qual.widgets import CodingSession

DATA = Path(__file__).parent / "data"
INTERVIEW = DATA / "core" / "entretien_cantine.txt"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def store(tmp_path: Path):
    store = Store(tmp_path / "base.sqlite")
    store.db.execute("CREATE TABLE chiens (id INTEGER PRIMARY KEY, nom TEXT NOT NULL)")
    yield store
    store.close()


def names(store: Store) -> list[str]:
    """Read through a second connection: what is committed, not what this one sees."""
    other = sqlite3.connect(store.path)
    try:
        return [r[0] for r in other.execute("SELECT nom FROM chiens ORDER BY id")]
    finally:
        other.close()


def add(store: Store, name: str) -> None:
    store.db.execute("INSERT INTO chiens (nom) VALUES (?)", (name,))


def lock_is_free(path: str) -> bool:
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


# -- transactions --------------------------------------------------------------------------------
def test_a_transaction_commits(store: Store):
    with store.transaction():
        add(store, "Cleo")
    assert names(store) == ["Cleo"]
    assert not store.db.in_transaction and lock_is_free(store.path)


def test_an_error_in_the_block_writes_nothing(store: Store):
    with pytest.raises(RuntimeError, match="boum"):
        with store.transaction():
            add(store, "Cleo")
            raise RuntimeError("boum")
    assert names(store) == []
    assert not store.db.in_transaction and lock_is_free(store.path)
    with store.transaction():
        add(store, "Marnie")
    assert names(store) == ["Marnie"]


def test_a_nested_block_rolls_back_to_its_savepoint(store: Store):
    with store.transaction():
        add(store, "Cleo")
        with pytest.raises(RuntimeError):
            with store.transaction():
                add(store, "Pancakes")
                raise RuntimeError("boum")
        add(store, "Marnie")
    assert names(store) == ["Cleo", "Marnie"]


def test_an_outer_error_undoes_a_released_savepoint(store: Store):
    with pytest.raises(RuntimeError):
        with store.transaction():
            add(store, "Cleo")
            with store.transaction():
                add(store, "Pancakes")
            raise RuntimeError("boum")
    assert names(store) == []


def test_a_failing_commit_is_rolled_back_and_the_next_write_works(store: Store):
    # A real failing COMMIT: a deferred foreign key is only checked when the transaction commits.
    store.db.execute("CREATE TABLE familles (id INTEGER PRIMARY KEY)")
    store.db.execute(
        "CREATE TABLE membres (famille INTEGER REFERENCES familles(id) DEFERRABLE INITIALLY DEFERRED)"
    )
    with pytest.raises(IntegrityViolation, match="base.sqlite.*clé étrangère.*rien n'a été écrit"):
        with store.transaction():
            add(store, "Cleo")
            store.db.execute("INSERT INTO membres VALUES (42)")
    assert not store.db.in_transaction and lock_is_free(store.path)
    assert names(store) == []
    with store.transaction():
        add(store, "Pancakes")
    assert names(store) == ["Pancakes"]


def test_actions_wait_for_the_outermost_commit(store: Store):
    done: list[str] = []
    with store.transaction():
        with store.transaction():
            store.on_commit(lambda: done.append("intérieur"))
            store.on_rollback(lambda: done.append("annulé"))
        assert done == []
        store.on_commit(lambda: done.append("extérieur"))
    assert done == ["intérieur", "extérieur"]
    done.clear()
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.on_commit(lambda: done.append("jamais"))
            store.on_rollback(lambda: done.append("annulé"))
            raise RuntimeError("boum")
    assert done == ["annulé"]
    done.clear()
    with store.transaction():
        with pytest.raises(RuntimeError):
            with store.transaction():
                store.on_commit(lambda: done.append("jamais"))
                store.on_rollback(lambda: done.append("savepoint annulé"))
                raise RuntimeError("boum")
    assert done == ["savepoint annulé"]


def test_programming_errors_are_not_disguised(store: Store):
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        with store.transaction():
            store.db.execute("INSERT INTO chats VALUES (1)")
    assert not store.db.in_transaction


# -- durability pragmas -----------------------------------------------------------------------------
def durability(store: Store) -> tuple:
    db = store.db
    return (
        db.execute("PRAGMA synchronous").fetchone()[0],
        db.execute("PRAGMA journal_mode").fetchone()[0],
        db.execute("PRAGMA foreign_keys").fetchone()[0],
    )


def test_every_connection_the_store_opens_is_durable(project: Project, tmp_path: Path):
    full, wal = 2, "wal"  # PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA
    assert durability(project.store) == (full, wal, 1)
    root = project.root
    project.close()
    for opened in (Project.open(root), Project.open(root, read_only=True)):
        assert durability(opened.store) == (full, wal, 1)
        opened.close()
    fresh = Store(tmp_path / "neuve.sqlite")
    assert durability(fresh) == (full, wal, 1)
    fresh.close()


# -- the write lock ---------------------------------------------------------------------------------
def test_a_busy_database_gives_a_french_error_quickly(store: Store):
    assert LOCK_TIMEOUT <= 5
    quick = Store(store.path, timeout=0.3)
    holder = sqlite3.connect(store.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    started = time.perf_counter()
    with pytest.raises(StoreLocked, match=r"base\.sqlite.*occupée par un autre carnet") as caught:
        with quick.transaction():
            add(quick, "Cleo")
    assert time.perf_counter() - started < 2
    assert "database is locked" not in str(caught.value)
    holder.execute("ROLLBACK")
    holder.close()
    with quick.transaction():
        add(quick, "Cleo")
    assert names(store) == ["Cleo"]
    quick.close()


def test_the_coding_widget_says_when_another_notebook_holds_the_lock(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("MIAM_CONFIG_DIR", str(tmp_path / "config"))
    project.import_files([INTERVIEW])
    session = CodingSession(project, "camille")
    project.store.timeout = 0.3
    project.store.db.execute("PRAGMA busy_timeout = 300")
    holder = sqlite3.connect(project.store.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    start = session.text.index("Depuis huit ans")
    session.select(start, start + 15)
    assert session.apply(["prix"]) is None
    assert session.status_level == "erreur"
    assert "occupée par un autre carnet" in session.status and DB_FILE in session.status
    holder.execute("ROLLBACK")
    holder.close()
    assert session.apply(["prix"]) and len(project.codings()) == 1


# -- hostile databases ------------------------------------------------------------------------------
def closed(project: Project) -> Path:
    root = project.root
    project.close()
    return root


def test_an_empty_database_is_refused_not_recreated(project: Project):
    root = closed(project)
    (root / DB_FILE).write_bytes(b"")
    with pytest.raises(NotADatabase, match=r"miam\.sqlite.*vide \(0 octet\).*sauvegarde"):
        Project.open(root)
    assert (root / DB_FILE).stat().st_size == 0
    assert not (root / f"{DB_FILE}-wal").exists()


def test_a_foreign_file_is_refused(project: Project):
    root = closed(project)
    (root / DB_FILE).write_text("Ceci est une liste de courses.\n" * 200, encoding="utf-8")
    before = (root / DB_FILE).read_bytes()
    with pytest.raises(NotADatabase, match=r"miam\.sqlite.*n'est pas une base miam_qual"):
        Project.open(root)
    assert (root / DB_FILE).read_bytes() == before


def test_another_programs_database_is_refused_untouched(project: Project):
    root = closed(project)
    (root / DB_FILE).unlink()
    other = sqlite3.connect(root / DB_FILE)
    other.execute("CREATE TABLE recettes (nom TEXT)")
    other.execute("INSERT INTO recettes VALUES ('soupe')")
    other.commit()
    other.close()
    before = hashlib.sha256((root / DB_FILE).read_bytes()).hexdigest()
    with pytest.raises(NotADatabase, match="n'a pas été créée par miam_qual.*recettes"):
        Project.open(root)
    assert hashlib.sha256((root / DB_FILE).read_bytes()).hexdigest() == before


# -- read-only projects -----------------------------------------------------------------------------
def folder_state(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.startswith(f"{DB_FILE}-")
    }


def test_a_project_opened_read_only_reads_and_refuses_writes(project: Project):
    project.import_files([INTERVIEW])
    project.code("entretien_cantine.txt", 0, 10, "prix", coder="camille")
    root = closed(project)
    before = folder_state(root)
    with Project.open(root, read_only=True) as reader:
        assert reader.read_only
        assert list(reader.codings()["code_id"]) == ["prix"]
        assert "prix" in reader.codebook
        with pytest.raises(ReadOnlyProject, match="lecture seule.*rien n'a été écrit"):
            reader.code("entretien_cantine.txt", 20, 30, "prix", coder="camille")
        with pytest.raises(ReadOnlyProject):
            reader.add_code("nouveau", "Nouveau", parent="acces")
        with pytest.raises(ReadOnlyProject):
            reader.import_files([DATA / "core" / "temoignage_cp1252.txt"])
    assert folder_state(root) == before


READER = """
import sys
from miam_qual import Project
from miam_qual.errors import MiamError
try:
    p = Project.open(sys.argv[1])
except MiamError as err:
    print("REFUS", type(err).__name__, err)
    raise SystemExit(0)
print("LECTURE", p.read_only, len(p.codings()))
try:
    p.code("entretien_cantine.txt", 20, 30, "prix", coder="camille")
except MiamError as err:
    print("ECRITURE", type(err).__name__, err)
"""


def run_without_write_access(folder: Path) -> str:
    """Open ``folder`` in a child process after removing the write permission from it. Root
    writes anywhere, so as root the child runs without the capabilities that override file
    permissions (``setpriv``, from util-linux)."""
    command = [sys.executable, "-c", READER, str(folder)]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("setpriv (util-linux) est nécessaire pour retirer à root le droit d'écrire")
        caps = "-dac_override,-dac_read_search"
        command = [setpriv, "--bounding-set", caps, "--inh-caps", caps, "--", *command]
    for path in [folder, *folder.rglob("*")]:
        os.chmod(path, 0o555 if path.is_dir() else 0o444)
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    finally:
        for path in [folder, *folder.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def closed_project(project: Project):
    """A closed project with one document and one coding."""
    project.import_files([INTERVIEW])
    project.code("entretien_cantine.txt", 0, 10, "prix", coder="camille")
    return closed(project)


def test_a_folder_without_write_access_opens_read_only(closed_project: Path):
    before = folder_state(closed_project)
    out = run_without_write_access(closed_project)
    assert "LECTURE True 1" in out
    assert "ECRITURE ReadOnlyProject" in out and "lecture seule" in out
    assert folder_state(closed_project) == before


def test_a_read_only_folder_with_pending_wal_is_refused_with_the_reason(closed_project: Path):
    # A kernel killed after a write leaves its pages in miam.sqlite-wal; without the WAL index
    # (-shm) and without write access, reading would silently miss them: refused instead.
    killer = (
        "import os, sys\nfrom miam_qual import Project\np = Project.open(sys.argv[1])\n"
        "p.code('entretien_cantine.txt', 40, 50, 'prix', coder='camille')\n"
        "os.kill(os.getpid(), 9)\n"
    )
    result = subprocess.run([sys.executable, "-c", killer, str(closed_project)], timeout=120)
    assert result.returncode == -signal.SIGKILL
    assert (closed_project / f"{DB_FILE}-wal").stat().st_size > 0
    (closed_project / f"{DB_FILE}-shm").unlink()
    out = run_without_write_access(closed_project)
    assert "REFUS ReadOnlyProject" in out and "miam.sqlite-wal" in out and "sauvegarder" in out
    with Project.open(closed_project) as project:  # with write access, nothing was lost
        assert len(project.codings()) == 2


# -- backups ---------------------------------------------------------------------------------------
def test_a_backup_holds_what_is_still_only_in_the_wal(project: Project, tmp_path: Path):
    project.import_files([INTERVIEW])
    root = closed(project)
    writer = (
        "import os, sys\nfrom miam_qual import Project\np = Project.open(sys.argv[1])\n"
        "for i in range(5):\n    p.code('entretien_cantine.txt', i * 10, i * 10 + 5, 'prix', coder='camille')\n"
        "os.kill(os.getpid(), 9)\n"
    )
    result = subprocess.run([sys.executable, "-c", writer, str(root)], timeout=120)
    assert result.returncode == -signal.SIGKILL
    # Copying the folder without the -wal file (as a file manager copying miam.sqlite would):
    naive = tmp_path / "copie_naive"
    shutil.copytree(root, naive, ignore=shutil.ignore_patterns("*-wal", "*-shm"))
    with Project.open(naive) as copy:
        assert len(copy.codings()) < 5  # the proof that the WAL held committed codings
    with Project.open(root) as original:
        saved = original.backup(tmp_path / "sauvegarde")
    assert sorted(p.name for p in saved.iterdir() if p.name.startswith(DB_FILE)) == [DB_FILE]
    with Project.open(saved) as copy:
        assert len(copy.codings()) == 5
        assert copy.validate() == []


def test_a_backup_is_complete_and_leaves_real_names_out_unless_asked(
    project: Project, tmp_path: Path
):
    project.import_files([INTERVIEW])
    project.code("entretien_cantine.txt", 0, 10, "prix", coder="camille")
    project.add_code("cantine_bio", "Cantine bio", parent="acces")
    root = project.root
    (root / "prive").mkdir()
    (root / "prive" / "pseudonymes.yml").write_text("Jeanne Martin: Habitante 4\n", "utf-8")
    (root / "medias").mkdir()
    (root / "medias" / "entretien.wav").write_bytes(b"RIFF" + bytes(100))
    (root / "publication.yml").write_text("signature: '{pseudonyme}'\n", "utf-8")
    plain = project.backup(tmp_path / "sans_prive")
    assert not (plain / "prive").exists()
    for name in ("projet.yml", "publication.yml", "medias/entretien.wav", "codebooks/livre_de_codes.yml",
                 "corpus/entretien_cantine.txt"):  # fmt: skip
        assert (plain / name).read_bytes() == (root / name).read_bytes(), name
    full = project.backup(tmp_path / "avec_prive", include_private=True)
    assert (full / "prive" / "pseudonymes.yml").read_bytes() == (
        root / "prive" / "pseudonymes.yml"
    ).read_bytes()
    with Project.open(plain) as copy:
        assert copy.codings()[["code_id", "text"]].to_dict("records") == (
            project.codings()[["code_id", "text"]].to_dict("records")
        )
        assert "cantine_bio" in copy.codebook
        assert list(copy.codebook_history()["action"]) == list(project.codebook_history()["action"])
    with pytest.raises(ProjectError, match="n'est pas vide"):
        project.backup(plain)
    with pytest.raises(ProjectError, match="à l'intérieur du projet"):
        project.backup(root / "sauvegarde")


def test_the_backup_command_says_what_it_left_out(project: Project, tmp_path: Path):
    root = closed(project)
    (root / "prive").mkdir()
    (root / "prive" / "pseudonymes.yml").write_text("Jeanne Martin: Habitante 4\n", "utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["sauvegarder", str(tmp_path / "copie"), "-p", str(root)])
    assert result.exit_code == 0, result.output
    assert "Projet sauvegardé dans" in result.output
    assert "prive/ (vrais noms des participants) n'est pas inclus" in result.output
    assert "--avec-prive" in result.output and not (tmp_path / "copie" / "prive").exists()
    result = runner.invoke(main, ["sauvegarder", str(tmp_path / "copie"), "-p", str(root)])
    assert (
        result.exit_code == 1 and "Erreur :" in result.output and "n'est pas vide" in result.output
    )
    result = runner.invoke(
        main, ["sauvegarder", str(tmp_path / "complete"), "-p", str(root), "--avec-prive"]
    )
    assert result.exit_code == 0 and "est inclus" in result.output
    assert (tmp_path / "complete" / "prive" / "pseudonymes.yml").exists()


def test_validate_reports_orphans_and_cleans_them_on_request(project: Project):
    project.import_files([INTERVIEW])
    (project.corpus_dir / "abandonne.txt").write_text("reste d'un import\n", "utf-8")
    root = closed(project)
    runner = CliRunner()
    result = runner.invoke(main, ["validate", "-p", str(root)])
    assert result.exit_code == 1 and "« abandonne.txt » dans corpus/" in result.output
    assert "--nettoyer" in result.output
    result = runner.invoke(main, ["validate", "-p", str(root), "--nettoyer"])
    assert result.exit_code == 0, result.output
    assert (
        "1 fichier(s) supprimé(s) de corpus/" in result.output and "abandonne.txt" in result.output
    )
    assert "Projet valide" in result.output
    assert sorted(p.name for p in (root / "corpus").iterdir()) == ["entretien_cantine.txt"]


def test_the_stamp_changes_with_every_write_and_only_then(store: Store, tmp_path: Path):
    first = store.stamp()
    store.rows("SELECT * FROM chiens")
    assert store.stamp() == first  # reading changes nothing
    with store.transaction() as db:
        db.execute("INSERT INTO chiens (nom) VALUES ('Rex')")
    second = store.stamp()
    assert second != first
    store.db.execute("INSERT INTO chiens (nom) VALUES ('Médor')")  # outside a transaction
    third = store.stamp()
    assert third != second
    with pytest.raises(RuntimeError), store.transaction() as db:  # rolled back: may differ, safely
        db.execute("DELETE FROM chiens")
        raise RuntimeError("panne")
    fourth = store.stamp()
    other = Store(tmp_path / "base.sqlite", create=False)  # another notebook's connection
    try:
        with other.transaction() as db:
            db.execute("UPDATE chiens SET nom = 'Rex II' WHERE nom = 'Rex'")
    finally:
        other.close()
    assert store.stamp() != fourth
    assert [r["nom"] for r in store.rows("SELECT nom FROM chiens ORDER BY id")] == [
        "Rex II",
        "Médor",
    ]
