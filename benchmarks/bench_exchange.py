"""Exchange benchmark: REFI-QDA import of the largest real sample, export and re-import of
generated 200-document projects.

Run: ``.venv/bin/python benchmarks/bench_exchange.py [--codages 5000 20000 200000]``. Prints
figures; asserts nothing. Targets (issue 12): import of the largest NVivo sample < 1 s; export of
200 documents with 5,000 codings < 1 s of CPU; export and re-import with 20,000 codings < 5 s
each; the national project (200,000 codings) exported in < 10 s within 500 MB.

Each export runs in a child process so that its peak memory (``ru_maxrss``: the interpreter and
its libraries included) is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from national import build_national_project  # noqa: E402

from miam_qual import Project  # noqa: E402
from miam_qual.exchange import import_refi  # noqa: E402

SAMPLES = (
    Path(
        os.environ.get("MIAM_REFI_QDA", Path(__file__).resolve().parents[2] / "shared" / "refi-qda")
    )
    / "samples"
)

CHILD = """
import json, resource, sys, time
from pathlib import Path
from miam_qual import Project
from miam_qual.exchange import export_qdpx, import_refi
action, root, target = sys.argv[1:4]
cpu, wall = time.process_time(), time.perf_counter()
if action == "export":
    with Project.open(root) as project:
        export_qdpx(project, Path(target))
else:
    project = Project.create(Path(target), name="réimport")
    import_refi(project, Path(root), by="bench")
    project.close()
print(json.dumps({
    "cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall,
    "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def in_child(action: str, source: Path, target: Path) -> dict | None:
    """Run one export or import in a child process; ``None`` (its error printed) when it fails."""
    result = subprocess.run(
        [sys.executable, "-c", CHILD, action, str(source), str(target)],
        capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode != 0:
        print(f"  {action} impossible : {result.stderr.strip().splitlines()[-1]}")
        return None
    return json.loads(result.stdout.strip().splitlines()[-1])


def bench_samples(folder: Path) -> None:
    files = sorted(SAMPLES.glob("*.qdpx"), key=lambda p: p.stat().st_size, reverse=True)
    if not files:
        print(f"Exemples REFI-QDA absents ({SAMPLES}) : import non mesuré.")
        return
    largest = files[0]
    timings = []
    for attempt in range(3):
        project = Project.create(folder / f"echantillon_{attempt}", name="échantillon")
        cpu, wall = time.process_time(), time.perf_counter()
        report = import_refi(project, largest, by="bench")
        timings.append((time.perf_counter() - wall, time.process_time() - cpu))
        project.close()
    wall, cpu = min(timings)
    print(
        f"Import de {largest.name} ({largest.stat().st_size / 1e6:.1f} Mo, "
        f"{report.counts['codages_nouveaux']} codages, {report.counts['codes_nouveaux']} codes) : "
        f"{wall:.2f} s ({cpu:.2f} s CPU), meilleur de 3 [objectif < 1 s]"
    )


def bench_project(folder: Path, codings: int) -> None:
    started = time.perf_counter()
    project, _timings = build_national_project(
        folder / f"projet_{codings}", documents=200, words=3000, codings=codings, seed=12
    )
    project.close()
    count = f"{codings:,}".replace(",", " ")
    print(f"\n200 documents, {count} codages (projet construit en "
          f"{time.perf_counter() - started:.0f} s)")  # fmt: skip
    archive = folder / f"export_{codings}.qdpx"
    export = in_child("export", folder / f"projet_{codings}", archive)
    if export is None:
        return
    print(
        f"  export .qdpx : {export['cpu']:.2f} s CPU, {export['wall']:.2f} s, "
        f"pic mémoire {export['rss_mb']:.0f} Mo, archive {archive.stat().st_size / 1e6:.1f} Mo"
    )
    back = in_child("import", archive, folder / f"reimport_{codings}")
    if back is None:
        return
    print(
        f"  réimport dans un projet vide : {back['cpu']:.2f} s CPU, {back['wall']:.2f} s, "
        f"pic mémoire {back['rss_mb']:.0f} Mo"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--codages", type=int, nargs="*", default=[5_000, 20_000, 200_000])
    args = parser.parse_args()
    print(f"Processeurs : {os.cpu_count()} ; Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="bench_echange_") as tmp:
        folder = Path(tmp)
        bench_samples(folder)
        for count in args.codages:
            bench_project(folder, count)


if __name__ == "__main__":
    main()
