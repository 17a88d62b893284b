"""Every write path, made to fail midway for real, leaves the project exactly as it was before or
exactly as it is after the write: a failing COMMIT (a deferred foreign key that only the commit
checks), a full disk (the file-size limit of a child process) and a killed process (SIGKILL at a
chosen point, or at a random moment of a busy loop)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from miam_qual import Project
from miam_qual.codebook import Code, Codebook, load_codebook
from miam_qual.corpus import LOCK_FILE, import_lock
from miam_qual.errors import IntegrityViolation, StoreLocked
from miam_qual.fileio import CRASH_VARIABLE
from miam_qual.store import DB_FILE
from miam_qual.store import codes as codes_sql

DATA = Path(__file__).parent / "data"
CORE = DATA / "core"


# -- what "exactly as before" means -------------------------------------------------------------
def snapshot(project: Project) -> dict:
    """Every row of every table as committed (read through a second connection), and every file
    of the folder (hidden ones included) with its SHA-256."""
    db = sqlite3.connect(project.store.path)
    try:
        tables = [
            r[0]
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "ORDER BY name"
            )
        ]
        rows = {t: sorted(map(repr, db.execute(f'SELECT * FROM "{t}"'))) for t in tables}
    finally:
        db.close()
    files = {
        str(p.relative_to(project.root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(project.root.rglob("*"))
        if p.is_file() and not p.name.startswith(DB_FILE) and p.name != LOCK_FILE
    }
    return {"rows": rows, "files": files}


def consistent(project: Project) -> None:
    """The invariants of a project at rest: nothing to report, the codebook file is the one the
    store committed, every document's file is in place, no import temporary is left."""
    assert project.validate() == []
    state = codes_sql.codebook_state(project.store)
    on_disk = hashlib.sha256(project.codebook_path.read_bytes()).hexdigest()
    assert (state["file_sha256"], state["replaced_sha256"]) == (on_disk, None)
    assert [c.id for c in load_codebook(project.codebook_path)] == [c.id for c in project.codebook]
    assert not [p for p in project.corpus_dir.iterdir() if p.name.endswith(".import")]


@contextlib.contextmanager
def failing_commit(project: Project):
    """Make the next COMMIT on the project's connection fail, whatever the write touches: a
    temporary trigger on every table breaks a deferred foreign key, which SQLite only checks
    when the transaction commits."""
    db = project.store.db
    tables = [
        r[0]
        for r in db.execute(
            "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    db.execute("CREATE TEMP TABLE sabotage_parent (id INTEGER PRIMARY KEY)")
    db.execute(
        "CREATE TEMP TABLE sabotage (parent INTEGER REFERENCES sabotage_parent(id) "
        "DEFERRABLE INITIALLY DEFERRED)"
    )
    for table in tables:
        for event in ("INSERT", "UPDATE", "DELETE"):
            db.execute(
                f'CREATE TEMP TRIGGER "sabotage_{table}_{event}" AFTER {event} ON main."{table}" '
                "BEGIN INSERT INTO sabotage VALUES (1); END"
            )
    try:
        yield
    finally:
        for table in tables:
            for event in ("INSERT", "UPDATE", "DELETE"):
                db.execute(f'DROP TRIGGER "sabotage_{table}_{event}"')
        db.execute("DROP TABLE sabotage")
        db.execute("DROP TABLE sabotage_parent")


# -- the write paths ----------------------------------------------------------------------------
@pytest.fixture
def loaded(project: Project) -> Project:
    """Participants, two documents with their metadata, one coding with its memo."""
    project.import_participants(CORE / "participants.csv", by="camille")
    project.import_files([CORE / "entretien_cantine.txt", CORE / "temoignage_cp1252.txt"])
    coding = project.code("entretien_cantine.txt", 0, 10, "prix", coder="camille")
    project.set_memo("coding", coding, "premier mémo", author="camille")
    return project


def first_coding(project: Project) -> str:
    return project.codings()["coding_id"].iloc[0]


def new_source(project: Project) -> Path:
    path = project.root.parent / "observation_marche.txt"
    path.write_text("Observation au marché.\n\nLes prix ont encore augmenté.\n", "utf-8")
    return path


def new_register(project: Project) -> Path:
    path = project.root.parent / "registre.csv"
    path.write_text(
        "pseudonyme;role;tranche_age;consentement_radio;date_consentement\n"
        "Habitant 12;habitant;30-39 ans;oui;2025-01-10\n",
        "utf-8",
    )
    return path


def hand_edit(project: Project) -> None:
    with project.codebook_path.open("a", encoding="utf-8") as handle:
        handle.write("  - id: ajout_main\n    libelle: Thème ajouté à la main\n")


def open_question(project: Project) -> object:
    return project.comment(first_coding(project), "Pourquoi ce code ?", author="karim")


def open_thread(project: Project) -> str:
    return project.to_review()["thread_id"].iloc[0]


def correct_a_word(project: Project) -> object:
    at = project.text("entretien_cantine.txt").index("huit")
    return project.edit_text("entretien_cantine.txt", [(at, at + 4, "neuf")], by="camille")


#: name → (preparation outside the measured write, the write itself)
WRITES: dict[str, tuple[Callable[[Project], object], Callable[[Project], object]]] = {
    "add_coder": (lambda p: None, lambda p: p.add_coder("lea")),
    "add_participant": (
        lambda p: None,
        lambda p: p.add_participant("Habitante 9", tranche_age="50-59 ans"),
    ),
    "set_consent": (lambda p: None, lambda p: p.set_consent("Habitante 4", "radio", True)),
    "import_participants": (lambda p: None, lambda p: p.import_participants(new_register(p))),
    "import_files": (new_source, lambda p: p.import_files([new_source(p)])),
    "import_metadata": (lambda p: None, lambda p: p.import_metadata(CORE / "metadonnees.csv")),
    "set_attributes": (
        lambda p: None,
        lambda p: p.set_attributes("entretien_cantine.txt", vague="bilan"),
    ),
    "code": (
        lambda p: None,
        lambda p: p.code("entretien_cantine.txt", 20, 30, ["prix", "qualite"], coder="karim"),
    ),
    "code_many": (
        lambda p: None,
        lambda p: p.code_many(
            [
                {
                    "document": "entretien_cantine.txt",
                    "start": 40,
                    "end": 50,
                    "code": "prix",
                    "coder": "karim",
                },
                {
                    "document": "temoignage_cp1252.txt",
                    "start": 0,
                    "end": 12,
                    "code": "entraide",
                    "coder": "karim",
                    "memo": "à revoir",
                },
            ]  # fmt: skip
        ),
    ),
    "uncode": (lambda p: None, lambda p: p.uncode(first_coding(p))),
    "move_coding": (lambda p: None, lambda p: p.move_coding(first_coding(p), "qualite")),
    "comment": (lambda p: None, lambda p: p.comment("prix", "À préciser.", author="karim")),
    "contest": (
        lambda p: None,
        lambda p: p.contest(first_coding(p), "Pas du prix.", author="karim"),
    ),
    "approve": (lambda p: None, lambda p: p.approve(first_coding(p), author="karim")),
    "reply": (
        open_question,
        lambda p: p.reply(open_thread(p), "Parce que…", author="camille"),
    ),
    "settle": (open_question, lambda p: p.settle(open_thread(p), author="camille")),
    "set_memo": (
        lambda p: None,
        lambda p: p.set_memo("coding", first_coding(p), "mémo revu", author="camille"),
    ),
    "add_code": (
        lambda p: None,
        lambda p: p.add_code("cantine_bio", "Cantine bio", parent="acces"),
    ),
    "update_code": (lambda p: None, lambda p: p.update_code("prix", label="Prix et dépenses")),
    "move_code": (lambda p: None, lambda p: p.move_code("proximite", "pratiques")),
    "delete_code": (lambda p: None, lambda p: p.delete_code("isolement")),
    "merge_codes": (lambda p: None, lambda p: p.merge_codes("prix", "qualite")),
    "hand_edited_codebook": (hand_edit, lambda p: p.reload_codebook()),
    "edit_text": (lambda p: None, correct_a_word),
}


@pytest.mark.parametrize("name", list(WRITES))
def test_a_failing_commit_leaves_everything_as_before_and_the_next_write_works(
    loaded: Project, name: str
):
    prepare, write = WRITES[name]
    prepare(loaded)
    before, codebook_before = snapshot(loaded), loaded.codebook_sync.book.to_yaml()
    with failing_commit(loaded):
        with pytest.raises(IntegrityViolation, match=r"miam\.sqlite.*rien n'a été écrit"):
            write(loaded)
        assert not loaded.store.db.in_transaction
    assert snapshot(loaded) == before
    assert loaded.codebook_sync.book.to_yaml() == codebook_before  # the object's codebook too
    write(loaded)  # the same write now goes through: nothing was left half done
    assert snapshot(loaded) != before
    consistent(loaded)


# -- a full disk ---------------------------------------------------------------------------------
FULL_DISK = r"""
import os, resource, signal, sys
from pathlib import Path
from miam_qual import Project
from miam_qual.errors import MiamError
root, limit, statement = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
p = Project.open(root)
p.store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the WAL restarts from empty
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
try:
    exec(statement, {"p": p, "Path": Path})
    print("FAIT")
except MiamError as err:
    print("ERREUR", type(err).__name__, err)
sys.stdout.flush()
os._exit(0)  # no tidy close: the limit would refuse the final checkpoint as well
"""


def with_file_size_limit(project: Project, limit: int, statement: str) -> str:
    """Run ``statement`` (``p`` is the project) in a child process that may not write any file
    beyond ``limit`` bytes; returns what it printed. The project is closed meanwhile."""
    project.close()
    result = subprocess.run(
        [sys.executable, "-c", FULL_DISK, str(project.root), str(limit), statement],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_an_import_on_a_full_disk_writes_nothing(loaded: Project, tmp_path: Path):
    big = tmp_path / "retranscription_longue.txt"
    big.write_text("Enquêtrice : Et ensuite ?\n\nHabitante 4 : " + "Oui, " * 20_000, "utf-8")
    before = snapshot(loaded)
    out = with_file_size_limit(loaded, 32_000, f"p.import_files([Path({str(big)!r})])")
    assert out.startswith("ERREUR DiskFull") and "retranscription_longue.txt" in out
    assert "No space" not in out and "File too large" not in out
    with Project.open(loaded.root) as project:
        assert snapshot(project) == before
        project.import_files([big])  # with room again, the same import goes through
        assert (project.corpus_dir / big.name).read_bytes() == big.read_bytes()
        consistent(project)


def test_a_coding_on_a_full_disk_writes_nothing(loaded: Project):
    before = snapshot(loaded)
    out = with_file_size_limit(
        loaded, 6_000, "p.code('entretien_cantine.txt', 20, 30, 'prix', coder='karim')"
    )
    assert (
        out.startswith("ERREUR DiskFull") and "miam.sqlite" in out and "rien n'a été écrit" in out
    )
    with Project.open(loaded.root) as project:
        assert snapshot(project) == before
        project.code("entretien_cantine.txt", 20, 30, "prix", coder="karim")
        consistent(project)


def test_a_codebook_change_whose_commit_finds_a_full_disk_writes_nothing(loaded: Project):
    before = snapshot(loaded)
    out = with_file_size_limit(
        loaded, 6_000, "p.add_code('cantine_bio', 'Cantine bio', parent='acces')"
    )
    assert out.startswith("ERREUR DiskFull") and "rien n'a été écrit" in out
    with Project.open(loaded.root) as project:
        assert snapshot(project) == before
        consistent(project)


def big_codebook(themes: int = 8, codes: int = 100) -> Codebook:
    entries = {}
    for t in range(themes):
        entries[f"theme_{t}"] = Code(id=f"theme_{t}", label=f"Thème {t}", codable=False)
        for c in range(codes):
            entries[f"code_{t}_{c}"] = Code(
                id=f"code_{t}_{c}", label=f"Code {c} du thème {t}", parent=f"theme_{t}",
                definition="Passages où la personne parle de ce sujet, même brièvement.",
            )  # fmt: skip
    return Codebook("Grand livre de codes", "", entries)


def test_a_codebook_file_that_cannot_be_written_is_rewritten_on_opening(tmp_path: Path):
    source = tmp_path / "grand.yml"
    source.write_text(big_codebook().to_yaml(), "utf-8")
    project = Project.create(tmp_path / "projet", codebook=source)
    assert project.codebook_path.stat().st_size > 100_000
    # Room for the few database pages of the change, not for the 100 kB file.
    out = with_file_size_limit(project, 64_000, "p.update_code('code_7_99', label='Dernier code')")
    assert out.startswith("ERREUR DiskFull")
    assert "bien enregistrée dans la base" in out and "livre_de_codes.yml" in out
    assert "Dernier code" not in project.codebook_path.read_text("utf-8")  # the old file, whole
    with Project.open(project.root) as reopened:  # committed: the file follows the store
        assert reopened.codebook.get("code_7_99").label == "Dernier code"
        assert "libelle: Dernier code" in reopened.codebook_path.read_text("utf-8")
        assert reopened.codebook_history()["action"].iloc[-1] == "modification"
        consistent(reopened)


def test_a_backup_on_a_full_disk_leaves_no_partial_copy(loaded: Project, tmp_path: Path):
    target = tmp_path / "sauvegardes" / "copie"
    target.parent.mkdir()
    out = with_file_size_limit(loaded, 32_000, f"p.backup(Path({str(target)!r}))")
    assert out.startswith("ERREUR DiskFull") and "miam.sqlite" in out
    assert list(target.parent.iterdir()) == []
    with Project.open(loaded.root) as project:
        project.backup(target)
    with Project.open(target) as copy:
        assert len(copy.codings()) == 1
        consistent(copy)


# -- a killed process ----------------------------------------------------------------------------
KILLED = r"""
import sys
from pathlib import Path
from miam_qual import Project
p = Project.open(sys.argv[1])
exec(sys.argv[2], {"p": p, "Path": Path})
print("FINI", flush=True)
"""


def killed_at(project: Project, point: str, statement: str) -> None:
    """Run ``statement`` in a child process that kills itself (SIGKILL) at ``point``."""
    project.close()
    env = {**os.environ, CRASH_VARIABLE: point}
    result = subprocess.run(
        [sys.executable, "-c", KILLED, str(project.root), statement],
        capture_output=True, text=True, env=env, timeout=180,
    )  # fmt: skip
    assert result.returncode == -signal.SIGKILL, result.stdout + result.stderr
    assert "FINI" not in result.stdout


IMPORT = "p.import_files([Path({!r})])"


@pytest.mark.parametrize("point", ["import:staging", "import:before-commit"])
def test_an_import_killed_before_its_commit_leaves_nothing(loaded: Project, point: str):
    source = new_source(loaded)
    before = snapshot(loaded)
    killed_at(loaded, point, IMPORT.format(str(source)))
    assert [p.name for p in loaded.corpus_dir.iterdir() if p.name.endswith(".import")]
    with Project.open(loaded.root) as project:  # opening removes the temporary
        assert snapshot(project) == before
        consistent(project)
        # the same file, corrected, imports as if nothing had happened
        source.write_text("Observation au marché (corrigée).\n", "utf-8")
        project.import_files([source])
        assert (project.corpus_dir / source.name).read_bytes() == source.read_bytes()
        consistent(project)


def test_an_import_killed_after_its_commit_is_finished_on_opening(loaded: Project):
    source = new_source(loaded)
    killed_at(loaded, "import:before-rename", IMPORT.format(str(source)))
    assert not (loaded.corpus_dir / source.name).exists()
    with Project.open(loaded.root) as project:
        assert source.name in set(project.documents()["document"])
        assert (project.corpus_dir / source.name).read_bytes() == source.read_bytes()
        consistent(project)


def test_a_file_left_by_an_older_interrupted_import_is_reported_and_replaced(loaded: Project):
    # What the previous version left after a kill: a copy in corpus/ that no document uses.
    source = new_source(loaded)
    (loaded.corpus_dir / source.name).write_text("version abandonnée\n", "utf-8")
    (loaded.corpus_dir / f".{source.name}.import").write_text("vers", "utf-8")
    problems = loaded.validate()
    assert any(source.name in p and "n'est la source d'aucun document" in p for p in problems)
    assert any("temporaire d'un import interrompu" in p for p in problems)
    loaded.import_files([source])  # no longer refused as "existe déjà … avec un autre contenu"
    assert (loaded.corpus_dir / source.name).read_bytes() == source.read_bytes()
    assert loaded.clean_orphans() == [f".{source.name}.import"]
    consistent(loaded)


def test_orphans_are_not_cleaned_while_an_import_runs(loaded: Project):
    (loaded.corpus_dir / "perdu.txt").write_text("?", "utf-8")
    with import_lock(loaded.root, exclusive=False) as held:
        assert held
        with pytest.raises(StoreLocked, match="Un import est en cours"):
            loaded.clean_orphans()
    assert (loaded.corpus_dir / "perdu.txt").exists()
    assert loaded.clean_orphans() == ["perdu.txt"]
    assert "entretien_cantine.txt" in {p.name for p in loaded.corpus_dir.iterdir()}


ADD = "p.add_code('cantine_bio', 'Cantine bio', parent='acces')"
MERGE = "p.merge_codes('prix', 'qualite')"


def test_a_codebook_change_killed_before_its_commit_leaves_nothing(loaded: Project):
    before = snapshot(loaded)
    killed_at(loaded, "codebook:before-commit", ADD)
    with Project.open(loaded.root) as project:
        assert snapshot(project) == before
        assert "cantine_bio" not in project.codebook
        consistent(project)


@pytest.mark.parametrize("point", ["codebook:before-file", "codebook:before-mark"])
def test_a_merge_killed_after_its_commit_opens_with_the_merge_done(loaded: Project, point: str):
    killed_at(loaded, point, MERGE)
    if point == "codebook:before-file":  # the file still names the merged code…
        assert "id: prix" in loaded.codebook_path.read_text("utf-8")
    with Project.open(loaded.root) as project:  # …and opening neither refuses nor undoes it
        assert "prix" not in project.codebook
        assert "id: prix" not in project.codebook_path.read_text("utf-8")
        assert list(project.codings()["code_id"]) == ["qualite"]
        assert project.codebook_history()["action"].iloc[-1] == "fusion"
        consistent(project)


BUSY = r"""
import sys
from pathlib import Path
from miam_qual import Project
p = Project.open(sys.argv[1])
folder = Path(sys.argv[2])
print("PRET", flush=True)
for i in range(10_000):
    p.add_code(f"code_boucle_{i}", f"Code {i}", parent="acces")
    source = folder / f"note_{i}.txt"
    source.write_text(f"Note de terrain {i}.\n" * 50, encoding="utf-8")
    p.import_files([source])
    p.code(source.name, 0, 10, f"code_boucle_{i}", coder="camille")
    if i % 3 == 0:
        p.merge_codes(f"code_boucle_{i}", "prix")
"""


@pytest.mark.parametrize("delay", [0.7, 1.9])
def test_a_kill_at_a_random_moment_of_busy_work_leaves_a_sound_project(
    loaded: Project, tmp_path: Path, delay: float
):
    loaded.close()
    folder = tmp_path / "notes"
    folder.mkdir()
    child = subprocess.Popen(
        [sys.executable, "-c", BUSY, str(loaded.root), str(folder)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert child.stdout.readline().strip() == "PRET", child.stderr.read()
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=60)
    child.stdout.close()
    child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    with Project.open(loaded.root) as project:
        consistent(project)
        documents = project.documents()
        assert len(documents) >= 2
        for name in documents["source_file"]:
            assert (project.corpus_dir / name).read_bytes() == (
                (folder / name) if (folder / name).exists() else CORE / name
            ).read_bytes()
        coded = set(project.codings()["code_id"])
        assert coded <= set(c.id for c in project.codebook)
