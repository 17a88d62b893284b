"""The notebook guard (``notebook_guard.py``): a project's fingerprint sees every change a user
would care about, and a notebook that writes fails its ``projet_inchange`` test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from notebook_guard import differences, fingerprint

from miam_qual import Project

REPO = Path(__file__).resolve().parent.parent


def test_reading_leaves_the_same_fingerprint(demo_project: Project) -> None:
    before = fingerprint(demo_project.root)
    demo_project.codings()
    demo_project.validate()
    assert differences(before, fingerprint(demo_project.root)) == []
    assert {"codes", "codings", "users", "codebook_log"} <= set(before.tables)
    assert "codebooks/livre_de_codes.yml" in before.files
    assert not any(name.startswith("miam.sqlite") for name in before.files)


def test_a_codebook_change_names_its_tables_and_file(demo_project: Project) -> None:
    before = fingerprint(demo_project.root)
    # The connection stays open: the change is still in miam.sqlite-wal, which the check reads.
    demo_project.add_code("jardins_partages", "Jardins partagés", parent="leviers", by="test")
    changes = differences(before, fingerprint(demo_project.root))
    assert any(c.startswith("table codes : 1 ligne(s) ajoutée(s)") and "jardins_partages" in c
               for c in changes)  # fmt: skip
    assert any(c.startswith("table codebook_log : 1 ligne(s) ajoutée(s)") for c in changes)
    assert "fichier modifié : codebooks/livre_de_codes.yml" in changes


def test_a_removed_row_a_new_coder_and_new_files_are_seen(demo_project: Project) -> None:
    before = fingerprint(demo_project.root)
    coding = demo_project.codings()["coding_id"].iloc[0]
    demo_project.uncode(coding)
    demo_project.add_coder("Inès")
    (demo_project.root / "rapports").mkdir()
    (demo_project.root / "rapports" / "revue.html").write_text("<p>rapport</p>", encoding="utf-8")
    (demo_project.root / "projet.yml").write_bytes(
        (demo_project.root / "projet.yml").read_bytes() + b"\n"
    )
    changes = differences(before, fingerprint(demo_project.root))
    assert any(
        c.startswith("table codings : 1 ligne(s) retirée(s)") and coding in c for c in changes
    )
    assert any(c.startswith("table users : 1 ligne(s) ajoutée(s)") and "Inès" in c for c in changes)
    assert "dossier ajouté : rapports" in changes
    assert "fichier ajouté : rapports/revue.html" in changes
    assert "fichier modifié : projet.yml" in changes


def _notebook(path: Path, *cells: str) -> None:
    book = nbformat.v4.new_notebook()
    book.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    book.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(book, path)


def test_a_notebook_that_writes_fails_its_guard_and_one_that_reads_passes(tmp_path: Path) -> None:
    """A real pytest run, with the repository's root conftest, over two tiny notebooks."""
    shutil.copy(REPO / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "tests").mkdir()
    shutil.copy(REPO / "tests" / "notebook_guard.py", tmp_path / "tests" / "notebook_guard.py")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    notebooks = tmp_path / "carnets"
    notebooks.mkdir()
    opening = (
        "import os\nfrom miam_qual import Project\nprojet = Project.open(os.environ['MIAM_PROJET'])"
    )
    _notebook(notebooks / "lit.ipynb", opening, "projet.codings().head()")
    _notebook(
        notebooks / "ecrit.ipynb",
        opening,
        "projet.add_code('jardins_partages', 'Jardins partagés', parent='leviers', by='test')\n"
        "(projet.root / 'note.txt').write_text('écrit par le carnet')",
    )
    env = {k: v for k, v in os.environ.items() if k not in ("MIAM_PROJET", "PYTEST_ADDOPTS")}
    env.pop("PYTEST_XDIST_WORKER", None)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "carnets", "--nbval-lax", "-p", "no:cacheprovider",
         "-p", "no:xdist", "-v", "--tb=short"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    out = run.stdout + run.stderr
    assert run.returncode == 1, out
    assert "carnets/lit.ipynb::projet_inchange PASSED" in out, out
    assert "carnets/ecrit.ipynb::projet_inchange FAILED" in out, out
    assert "Exécuter ecrit.ipynb du début à la fin a modifié le projet" in out
    assert "table codes : 1 ligne(s) ajoutée(s)" in out
    assert "fichier modifié : codebooks/livre_de_codes.yml" in out
    assert "fichier ajouté : note.txt" in out
    # every cell of the writing notebook ran: only its guard failed
    assert "carnets/ecrit::ipynb::Cell 1 PASSED" in out, out  # nbval names cells so
