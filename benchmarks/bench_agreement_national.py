"""Agreement with three coders on the national-scale project (issue 13's benchmark): 2,000
transcripts of 5,000 words, 200,000 codings by 3 coders (``national.py``). Target: < 5 s for every
unit (comparison and coefficients together).

    .venv/bin/python benchmarks/bench_agreement_national.py [DOSSIER]

``DOSSIER`` keeps the generated project between runs (it is built there when missing; building
takes several minutes); without it a temporary folder is used. Prints figures, asserts nothing.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from national import build_national_project  # noqa: E402

from miam_qual import Project  # noqa: E402
from miam_qual.agreement import agreement, compare  # noqa: E402

CODERS = ["codeur_0", "codeur_1", "codeur_2"]


def measure(folder: Path) -> None:
    root = folder / "national"
    if (root / "projet.yml").exists() or (root / "miam.sqlite").exists():
        project = Project.open(root)
        print(f"Projet existant : {root}")
    else:
        started = time.perf_counter()
        project, timings = build_national_project(root)
        print(f"Projet construit en {time.perf_counter() - started:.0f} s ({timings})")
    print(f"{len(project.documents())} documents, {len(project.codings())} codages, "
          f"codeur·ses {', '.join(CODERS)}")  # fmt: skip
    for unit in ("turn", "sentence", "paragraph", "character"):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            comparison = compare(project, unit=unit, coders=CODERS)
            table = agreement(project, unit=unit, comparison=comparison)
            what = f"{len(table)} lignes, {len(comparison.units)} unités comparées"
        except Exception as err:  # a unit the generated texts lack: say so, go on
            what = f"non calculé ({err})"
        print(f"Accord à 3, unité {unit:<10} {time.perf_counter() - wall:6.2f} s "
              f"({time.process_time() - cpu:.2f} s CPU ; {what} ; objectif < 5 s)")  # fmt: skip
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Mémoire maximale du processus : {peak:.0f} Mo")
    project.close()


def main(argv: list[str]) -> None:
    if argv:
        folder = Path(argv[0])
        folder.mkdir(parents=True, exist_ok=True)
        measure(folder)
    else:
        with tempfile.TemporaryDirectory(prefix="miam_bench_national_") as tmp:
            measure(Path(tmp))


if __name__ == "__main__":
    main(sys.argv[1:])
