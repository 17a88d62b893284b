"""Coding workbench speed: build the widget in the kernel, and the click → saved → highlight
round trip in a real JupyterLab (when Debian's Chromium is installed). Prints figures only.

Targets (issue 9): panel ready < 300 ms on a 20,000-word transcript with 1,000 codings by three
coders; click → saved → drawn < 100 ms median.

    .venv/bin/python benchmarks/bench_widget.py
"""

from __future__ import annotations

import json
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from miam_qual import Project  # noqa: E402
from miam_qual.widgets import CodingPanel  # noqa: E402

WORDS = 20_000
CODINGS = 1_000
CODERS = ("camille", "karim", "lea")
SENTENCES = [
    "Au marché on trouve des légumes moins chers qu'au supermarché.",
    "L'épicerie éphémère m'a permis de goûter des produits que je ne connaissais pas.",
    "Avec trois enfants, le budget des courses est serré à la fin du mois.",
    "Je prends le bus pour aller au centre commercial, c'est loin.",
    "Les voisines s'entraident beaucoup, on se passe des recettes.",
    "À la cantine, mon fils mange mieux depuis qu'il y a des ateliers.",
]


def build(root: Path) -> Project:
    project = Project.create(root / "projet", codebook=REPO / "codebooks" / "livre_de_codes.yml")
    rng = random.Random(7)
    turns, count, second = [], 0, 0
    while count < WORDS:
        speaker = "Enquêtrice" if len(turns) % 2 == 0 else "Habitante 3"
        body = " ".join(rng.choice(SENTENCES) for _ in range(1 if speaker == "Enquêtrice" else 5))
        turns.append(
            f"[{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}] {speaker} : {body}"
        )
        count += len(body.split())
        second += 7 + len(body.split()) // 3
    path = root / "entretien_long.txt"
    path.write_text("\n\n".join(turns) + "\n", encoding="utf-8")
    project.import_files([path])
    text = project.text("entretien_long.txt")
    words = [m.span() for m in re.finditer(r"\w+", text)]
    codes = [c.id for c in project.codebook if c.codable]
    rows = []
    for coder in CODERS:
        project.add_coder(coder)
    for i in range(CODINGS):
        first = rng.randrange(len(words) - 40)
        last = first + rng.randrange(1, 40)
        rows.append(
            {
                "document": "entretien_long.txt",
                "start": words[first][0],
                "end": words[last][1],
                "code": rng.choice(codes),
                "coder": CODERS[i % 3],
            }
        )
    project.code_many(rows)
    return project


def kernel_figures(project: Project) -> None:
    times = []
    for _ in range(7):
        started = time.perf_counter()
        panel = CodingPanel(project, "camille")
        times.append((time.perf_counter() - started) * 1000)
    print(f"Construction du panneau (noyau) : médiane {statistics.median(times):.0f} ms, "
          f"min {min(times):.0f} ms (cible < 300 ms)")  # fmt: skip
    panel.session.show_others = True
    panel.push()
    print(f"  codages affichés (3 codeurs) : {len(panel.codings)} ; taille du texte : "
          f"{len(json.dumps(panel.doc)) // 1024} Ko")  # fmt: skip
    blocks = [b for b in panel.doc["blocks"] if b["end"] - b["body"] > 30]
    times = []
    for i in range(20):
        block = blocks[i * 7 % len(blocks)]
        panel._on_message(
            panel, {"action": "select", "start": block["body"], "end": block["body"] + 20}, None
        )
        started = time.perf_counter()
        panel._on_message(panel, {"action": "shortcut", "key": 1 + i % 9}, None)
        times.append((time.perf_counter() - started) * 1000)
    print(f"Clic → codage enregistré → état renvoyé (noyau seul) : médiane "
          f"{statistics.median(times):.0f} ms, max {max(times):.0f} ms")  # fmt: skip


SOURCE = (
    "import os\nfrom miam_qual import Project\nfrom miam_qual.widgets import CodingPanel\n"
    "panneau = CodingPanel(Project.open(os.environ['MIAM_PROJET']), 'camille')\n"
    "panneau.session.show_others = True\npanneau.push()\npanneau"
)


def browser_figures(root: Path) -> None:
    from tests.browser.lab import CHROMIUM, click_round_trips, panel_in_lab

    if not CHROMIUM.exists():
        print(f"Aller-retour dans le navigateur : non mesuré ({CHROMIUM} absent).")
        return
    started = time.perf_counter()
    with panel_in_lab(root, SOURCE) as page:
        print(
            f"Démarrage de JupyterLab, ouverture du carnet et premier affichage : "
            f"{time.perf_counter() - started:.1f} s"
        )
        times = click_round_trips(page, 15, plain_click=True)
        print(f"Clic → enregistré → surlignage affiché (navigateur) : médiane {statistics.median(times):.0f} ms, "
              f"max {max(times):.0f} ms (cible < 100 ms)")  # fmt: skip


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="miam_bench_widget_") as folder:
        root = Path(folder)
        started = time.perf_counter()
        project = build(root)
        words = len(project.text("entretien_long.txt").split())
        print(f"Projet : {words} mots, {len(project.codings())} codages de {len(CODERS)} codeurs "
              f"(préparé en {time.perf_counter() - started:.1f} s)")  # fmt: skip
        kernel_figures(project)
        project.close()
        browser_figures(root)


if __name__ == "__main__":
    main()
