"""Benchmark of the agreement figures for a team: several coders, bootstrap, MAXQDA and NVivo.

    python benchmarks/bench_agreement.py [DOSSIER_PROJET]

Pure statistics on generated data, then the project-level figures on a project (default: the
demo, built in a temporary folder). Prints figures, asserts nothing. Target (issue 13): the
bootstrapped interval of alpha (1,000 resamples) on 10,000 units < 5 s.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from miam_qual import Project, agreement
from miam_qual.demo import build_demo


def timed(label: str, target: float | None, call):
    started = time.perf_counter()
    result = call()
    elapsed = time.perf_counter() - started
    goal = f" (objectif < {target:g} s)" if target else ""
    print(f"{label:<60} {elapsed:7.3f} s{goal}")
    return result


def main(argv: list[str]) -> None:
    rng = np.random.default_rng(0)
    units = rng.integers(0, 2, (10_000, 3)).astype(float)
    units[rng.random(units.shape) < 0.1] = np.nan
    timed(
        "intervalle bootstrap de l'alpha, 1 000 tirages, 10 000 unités",
        5,
        lambda: agreement.alpha_bootstrap(units, samples=1000, seed=0),
    )
    large = rng.integers(0, 5, (100_000, 4)).astype(float)
    large[rng.random(large.shape) < 0.1] = np.nan
    timed(
        "Fleiss, AC1, Brennan-Prediger, alpha : 100 000 unités × 4",
        None,
        lambda: agreement.coefficients(large),
    )
    if argv:
        project = Project.open(Path(argv[0]))
    else:
        root = Path(tempfile.mkdtemp(prefix="miam_bench_")) / "demo"
        project = build_demo(root, quiet=True)
    comparison = timed(
        "comparaison (tours de parole)", None, lambda: agreement.compare(project, unit="turn")
    )
    timed("accord par code", None, lambda: agreement.agreement(project, comparison=comparison))
    timed(
        "alpha par thème", None, lambda: agreement.theme_agreement(project, comparison=comparison)
    )
    timed(
        "intervalles bootstrap par code (1 000 tirages)",
        None,
        lambda: agreement.alpha_intervals(project, comparison=comparison),
    )
    timed("paires de codeur·ses", None, lambda: agreement.pairwise(project, unit="turn"))
    timed("segments retrouvés (MAXQDA, 90 %)", None, lambda: agreement.segment_agreement(project))
    timed("présence des codes par document", None, lambda: agreement.code_presence(project))
    timed(
        "accord caractère par caractère (NVivo)",
        None,
        lambda: agreement.character_agreement(project),
    )
    project.close()


if __name__ == "__main__":
    main(sys.argv[1:])
