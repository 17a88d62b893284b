"""Supervisors' figures on a mid-sized project (issue 13's benchmarks): 200 documents of 2,000
words, 5,000 codings by 3 coders.

    .venv/bin/python benchmarks/bench_report.py

The speakers consented to analysis and quotation (``national.py``), so the report shows excerpts,
word lists and clouds as on a real project. Measures, in fresh processes where start-up counts as
a user would feel it:
- ``miam-qual rapport -f all`` (HTML, DOCX and XLSX through the privacy gate; target < 3 s), first
  with no word cache (spaCy loaded), then as every later report (the cache holds the passages),
  then once more with every picture drawn in the command's own process
  (``MIAM_DESSIN_PARALLELE=0``: what a one-core machine does), then on the same project with no
  consent recorded (no excerpt, word list or cloud: the report the issue first measured). The CPU
  time is the command's own: the picture worker (``reports/pictures.py``), which outlives it by a
  moment, is not counted (the one-process line gives the whole work);
- all coded segments to XLSX (target < 1 s): ``miam-qual exporter-segments`` (consented,
  pseudonymised, through the privacy gate), and for comparison pandas' ``codings().to_excel``;
then, in this process, agreement with the three coders for every unit (target < 5 s each) and the
bootstrapped interval of alpha. Prints figures (wall and CPU time), asserts nothing.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from national import build_national_project  # noqa: E402

from miam_qual.agreement import agreement, compare  # noqa: E402

BIN = Path(sys.executable).parent


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(label: str, command: list[str], target: float, env: dict | None = None) -> None:
    cpu, started = children_cpu(), time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    wall, used = time.perf_counter() - started, children_cpu() - cpu
    status = "" if done.returncode == 0 else f" ÉCHEC : {done.stderr.strip()[-300:]}"
    print(f"{label:<58} {wall:6.2f} s ({used:5.2f} s CPU, objectif < {target:g} s){status}")


def machine_pace() -> float:
    """Seconds for a fixed pure-Python loop: the same figures measured on a slower or busier
    machine read against it (this two-core machine gave 0.54 to 0.75 s within one hour)."""
    started = time.perf_counter()
    sum(range(30_000_000))
    return time.perf_counter() - started


def main() -> None:
    print(f"Allure de la machine : {machine_pace():.2f} s pour une boucle de référence")
    with tempfile.TemporaryDirectory(prefix="miam_bench_rapport_") as folder:
        root = Path(folder) / "projet"
        project, timings = build_national_project(root, documents=200, words=2000, codings=5000)
        print(f"Projet : 200 documents, {len(project.codings())} codages, 3 codeurs ({timings})")
        for unit in ("turn", "sentence", "paragraph", "character"):
            started = time.process_time()
            try:
                table = agreement(
                    project,
                    unit=unit,
                    comparison=compare(
                        project, unit=unit, coders=["codeur_0", "codeur_1", "codeur_2"]
                    ),
                )
                what = f"{len(table)} lignes"
            except Exception as err:  # a unit the generated texts lack: say so, go on
                what = f"non calculé ({err})"
            print(
                f"Accord à 3 codeurs, unité {unit:<10} {time.process_time() - started:6.2f} s CPU ({what}, objectif < 5 s)"
            )
        project.close()
        out = Path(folder) / "rapports"
        for label in ("premier rapport, sans cache de mots", "rapport suivant"):
            run(
                f"miam-qual rapport -f all ({label})",
                [str(BIN / "miam-qual"), "rapport", "-p", str(root), "-f", "all", "-o", str(out)],
                3,
            )
        run(
            "miam-qual rapport -f all (suivant, dessins dans ce processus)",
            [str(BIN / "miam-qual"), "rapport", "-p", str(root), "-f", "all", "-o", str(out)],
            3,
            env={**os.environ, "MIAM_DESSIN_PARALLELE": "0"},
        )
        bare = Path(folder) / "sans_consentement"
        build_national_project(bare, documents=200, words=2000, codings=5000, consented=False)[
            0
        ].close()
        for label in ("premier rapport", "rapport suivant"):
            run(
                f"miam-qual rapport -f all (aucun consentement, {label})",
                [str(BIN / "miam-qual"), "rapport", "-p", str(bare), "-f", "all", "-o",
                 str(Path(folder) / "rapports_sans")],
                3,
            )  # fmt: skip
        run(
            "miam-qual exporter-segments (démarrage compris)",
            [str(BIN / "miam-qual"), "exporter-segments", "-p", str(root), "-o",
             str(Path(folder) / "exporte.xlsx")],
            1,
        )  # fmt: skip
        script = (
            "import sys\nfrom miam_qual import Project\n"
            "with Project.open(sys.argv[1]) as p:\n"
            "    p.codings().to_excel(sys.argv[2], index=False)\n"
        )
        run(
            "codings().to_excel (tous les segments, démarrage compris)",
            [sys.executable, "-c", script, str(root), str(Path(folder) / "segments.xlsx")],
            1,
        )
        for path in sorted(out.rglob("*")):
            if path.is_file():
                print(f"  {path.name} : {path.stat().st_size / 1e6:.2f} Mo")


if __name__ == "__main__":
    main()
