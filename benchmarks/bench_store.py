"""Store benchmark: codebook changes with 10,000 codes, single durable codings, opening.

Run: ``.venv/bin/python benchmarks/bench_store.py [--codes N] [--codages N]``. Prints figures;
asserts nothing. Targets on a 2-core machine: each codebook change (add, rename, move, merge,
delete) under 1 s with 10,000 codes, the write lock held for a small part of it; 5,000 single
codings through ``Project.code`` (each its own durable transaction) under 5 s, which needs a
disk that flushes (fsync) in under 1 ms: the script prints this disk's floor beside it.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import threading
import time
from pathlib import Path

from miam_qual import Project
from miam_qual.codebook import Code, Codebook

DOCUMENT = (
    "Enquêtrice : Où faites-vous vos courses ?\n\n"
    + "Habitante 2 : Au marché, c'est moins cher, mais l'épicerie est loin. " * 200
)


def codebook(themes: int, per_theme: int) -> Codebook:
    codes: dict[str, Code] = {}
    for t in range(themes):
        codes[f"theme_{t}"] = Code(
            id=f"theme_{t}", label=f"Thème {t} : accès et pratiques", codable=False,
            definition="Ce que les habitants disent de ce thème, en entretien ou en atelier.",
            color="#2E7D32",
        )  # fmt: skip
        for c in range(per_theme - 1):
            codes[f"code_{t}_{c}"] = Code(
                id=f"code_{t}_{c}", label=f"Code {c} du thème {t}", parent=f"theme_{t}",
                definition="Passages où la personne évoque ce sujet, même brièvement.",
                inclusion="Toute mention explicite.", keywords=("prix", "budget"), color="#43A047",
            )  # fmt: skip
    return Codebook("Livre de codes national", "", codes)


class LockWatch:
    """Measures, from a second connection, how long the write lock stays taken."""

    def __init__(self, path: Path):
        self.path, self.longest, self._stop = path, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        while not self._stop.is_set():
            started = time.perf_counter()
            db.execute("BEGIN IMMEDIATE")  # waits while a change holds the lock
            db.execute("ROLLBACK")
            self.longest = max(self.longest, time.perf_counter() - started)
            time.sleep(0.002)
        db.close()

    def __enter__(self) -> LockWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def fsync_floor(folder: Path, count: int = 300) -> float:
    """Seconds per minimal durable commit on this disk (WAL, synchronous=FULL): what no single
    durable coding can go below."""
    db = sqlite3.connect(folder / "plancher.sqlite", isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")
    db.execute("CREATE TABLE t (x)")
    started = time.perf_counter()
    for i in range(count):
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO t VALUES (?)", (i,))
        db.execute("COMMIT")
    elapsed = (time.perf_counter() - started) / count
    db.close()
    return elapsed


def timed(label: str, action, results: list[float]) -> None:
    started = time.perf_counter()
    action()
    elapsed = time.perf_counter() - started
    results.append(elapsed)
    print(f"  {label:<46} {elapsed * 1000:7.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--codes", type=int, default=10_000, help="taille du livre de codes")
    parser.add_argument("--codages", type=int, default=5_000, help="codages un par un")
    args = parser.parse_args()
    per_theme = 100
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "livre.yml"
        source.write_text(codebook(args.codes // per_theme, per_theme).to_yaml(), "utf-8")
        started = time.perf_counter()
        project = Project.create(Path(tmp) / "projet", codebook=source)
        print(f"Projet créé avec {len(project.codebook)} codes en {time.perf_counter() - started:.1f} s "
              f"(livre de codes : {source.stat().st_size / 1e6:.1f} Mo)")  # fmt: skip
        (Path(tmp) / "entretien.txt").write_text(DOCUMENT, "utf-8")
        project.import_files([Path(tmp) / "entretien.txt"])
        project.add_coder("camille")
        for i in range(20):
            project.code("entretien.txt", i * 10, i * 10 + 8, "code_50_5", coder="camille")
        last = args.codes // per_theme - 1
        project.close()
        started = time.perf_counter()
        project = Project.open(Path(tmp) / "projet")
        print(f"Ouverture du projet ({len(project.codebook)} codes) : "
              f"{(time.perf_counter() - started) * 1000:.0f} ms")  # fmt: skip
        results: list[float] = []
        print(f"Modifications du livre de codes ({len(project.codebook)} codes) :")
        with LockWatch(project.store.path) as watch:
            timed("ajout d'un code (milieu du livre)",
                  lambda: project.add_code("nouveau", "Nouveau", parent="theme_50"), results)  # fmt: skip
            timed("modification d'un libellé",
                  lambda: project.update_code("code_10_3", label="Libellé revu"), results)  # fmt: skip
            timed("déplacement d'un code vers un autre thème",
                  lambda: project.move_code("code_20_4", f"theme_{last}"), results)  # fmt: skip
            timed("fusion d'un code (20 codages déplacés)",
                  lambda: project.merge_codes("code_50_5", "code_50_6"), results)  # fmt: skip
            timed("suppression d'un code sans codage",
                  lambda: project.delete_code("nouveau"), results)  # fmt: skip
        print(f"  médiane {statistics.median(results) * 1000:.0f} ms, maximum "
              f"{max(results) * 1000:.0f} ms ; verrou d'écriture tenu au plus "
              f"{watch.longest * 1000:.0f} ms")  # fmt: skip
        print(f"Plancher du disque : une transaction SQLite synchrone (fsync) prend "
              f"{fsync_floor(Path(tmp)) * 1000:.2f} ms")  # fmt: skip
        length = len(project.text("entretien.txt"))
        started = time.perf_counter()
        for i in range(args.codages):
            start = (i * 37) % (length - 100)
            project.code("entretien.txt", start, start + 60, "code_1_1", coder="camille")
        elapsed = time.perf_counter() - started
        print(f"{args.codages} codages un par un (transaction durable chacun) : {elapsed:.2f} s "
              f"({elapsed / args.codages * 1000:.2f} ms par codage)")  # fmt: skip
        project.close()


if __name__ == "__main__":
    main()
