"""Core benchmark: import throughput, retrieval times, single durable codings, database size.

Run: ``.venv/bin/python benchmarks/bench_core.py [--petit]``. Prints figures; asserts nothing.
Targets on a 2-core machine: import ≥ 20 MB/s of text; one code's codings < 200 ms; one document
with its codings < 20 ms; 5,000 single codings (each its own durable transaction) < 5 s in all.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from national import build_national_project  # noqa: E402


def timed(function, repeat: int = 5) -> float:
    """Median wall time of ``function()`` in milliseconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--petit", action="store_true", help="100 documents, 10 000 codages")
    args = parser.parse_args()
    size = dict(documents=100, codings=10_000) if args.petit else {}
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        project, t = build_national_project(Path(tmp) / "national", **size)
        n_docs = len(project.documents())
        print(f"Projet généré en {time.perf_counter() - started:.1f} s : {n_docs} documents")
        print(f"Import : {n_docs / t['import_s']:.0f} documents/s, {t['import_mb'] / t['import_s']:.1f} Mo/s "
              f"({t['import_mb']:.1f} Mo en {t['import_s']:.2f} s)")  # fmt: skip
        n_codings = len(project.codings())
        print(f"Codages écrits en masse : {n_codings} en {t['codings_s']:.1f} s")
        code = project.codings("code_3_4")
        print(f"Codages d'un code (avec extraits et attributs, {len(code)} lignes) : "
              f"{timed(lambda: project.codings('code_3_4')):.1f} ms")  # fmt: skip
        doc = project.documents()["document"].iloc[n_docs // 2]

        def one_document():
            project.text(doc)
            project.codings(document=doc)

        print(f"Un document avec ses codages ({len(project.codings(document=doc))} codages) : "
              f"{timed(one_document):.1f} ms")  # fmt: skip
        text_length = len(project.text(doc))
        started = time.perf_counter()
        for i in range(5000):
            start = (i * 37) % (text_length - 100)
            project.code(doc, start, start + 60, "code_1_1", coder="codeur_0")
        elapsed = time.perf_counter() - started
        print(f"5 000 codages un par un (transaction durable chacun) : {elapsed:.2f} s "
              f"({elapsed / 5:.2f} ms par codage)")  # fmt: skip
        project.close()
        size_mb = sum(p.stat().st_size for p in (Path(tmp) / "national").glob("miam.sqlite*")) / 1e6
        print(f"Taille de la base : {size_mb:.0f} Mo")


if __name__ == "__main__":
    main()
