"""Benchmark of analysis, agreement and reports on the national-scale generated project.

    python benchmarks/bench_analysis.py [DOSSIER_PROJET]

Without a folder, builds ``build_national_project`` (2,000 documents × 5,000 words, 200,000
codings, 3 coders) in a temporary folder first; with one, reuses (or builds once) that project.
Prints figures, asserts nothing. Targets: frequencies and a crosstab < 1 s, co-occurrence of 100
codes < 3 s, Krippendorff's alpha over 100,000 units < 2 s, the full HTML report < 30 s.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from national import build_national_project  # noqa: E402

from miam_qual import (  # noqa: E402
    Project,  # noqa: E402
    agreement,
    analysis,
)
from miam_qual.reports import write_report  # noqa: E402


def timed(label: str, target: float | None, call):
    started = time.perf_counter()
    result = call()
    elapsed = time.perf_counter() - started
    goal = f" (objectif < {target:g} s)" if target else ""
    print(f"{label:<52} {elapsed:7.2f} s{goal}")
    return result


def main(argv: list[str]) -> None:
    if argv:
        root = Path(argv[0])
        if (root / "projet.yml").exists():
            project = Project.open(root)
        else:
            project, timings = build_national_project(root)
            print(f"projet construit : {timings}")
    else:
        root = Path(tempfile.mkdtemp(prefix="miam_bench_")) / "national"
        project, timings = build_national_project(root)
        print(f"projet construit : {timings}")
    codings = timed("lecture des codages (project.codings)", None, project.codings)
    print(
        f"  {len(codings):,} codages, {codings['document_id'].nunique():,} documents".replace(
            ",", " "
        )
    )
    timed("fréquences par code", 1, lambda: analysis.code_frequencies(project, codings=codings))
    timed(
        "fréquences par code et codeur",
        1,
        lambda: analysis.code_frequencies(project, codings=codings, by="coder"),
    )
    timed("fréquences par thème", 1, lambda: analysis.theme_frequencies(project, codings=codings))
    timed(
        "tableau croisé code × codeur",
        1,
        lambda: analysis.crosstab(project, "coder", codings=codings),
    )
    timed(
        "fréquences + tableau croisé (lecture comprise)",
        None,
        lambda: (analysis.code_frequencies(project), analysis.crosstab(project, "coder")),
    )
    pairs = timed(
        "cooccurrence de 100 codes (chevauchement)",
        3,
        lambda: analysis.cooccurrence(project, codings=codings),
    )
    print(f"  {int(pairs['count'].sum()):,} paires".replace(",", " "))
    timed(
        "matrice de cooccurrence 100 × 100",
        3,
        lambda: analysis.cooccurrence_matrix(project, codings=codings),
    )
    rng = np.random.default_rng(0)
    data = rng.integers(0, 5, (100_000, 3)).astype(float)
    data[rng.random(data.shape) < 0.1] = np.nan
    timed(
        "alpha de Krippendorff, 100 000 unités × 3 codeurs",
        2,
        lambda: agreement.krippendorff_alpha(data),
    )
    timed(
        "accord du projet (tours de parole, 100 codes)",
        None,
        lambda: agreement.agreement(project, unit="turn"),
    )
    timed("saturation", None, lambda: analysis.saturation(project, codings=codings))
    out = root.parent / f"{root.name}_rapport"
    timed(
        "rapport HTML complet (nlp : fr_core_news_sm)",
        30,
        lambda: write_report(project, out, format="html"),
    )
    size = (out / "revue_des_themes.html").stat().st_size / 1e6
    print(f"  {out / 'revue_des_themes.html'} ({size:.1f} Mo)")
    project.close()


if __name__ == "__main__":
    main(sys.argv[1:])
