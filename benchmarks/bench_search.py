"""Text search speed: a word across 200 documents of 5,000 words each (target < 200 ms), and the
coding panel's search (first 500 hits) and document picker. Prints figures only.

    .venv/bin/python benchmarks/bench_search.py
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from miam_qual import Project  # noqa: E402
from miam_qual.search import find_documents, prepare_search, search_text  # noqa: E402

DOCUMENTS = 200
WORDS = 5_000
SENTENCES = [
    "Au marché on trouve des légumes moins chers qu'au supermarché.",
    "L'Épicerie éphémère m'a permis de goûter des produits que je ne connaissais pas.",
    "Avec trois enfants, le budget des courses est serré à la fin du mois.",
    "Je prends le bus pour aller au centre commercial, c'est loin.",
    "Les voisines s'entraident beaucoup, on se passe des recettes.",
    "À la cantine, mon fils mange mieux depuis qu'il y a des ateliers.",
    "Le jardin partagé donne des tomates, des courgettes et des haricots l'été.",
]


def build(root: Path) -> Project:
    project = Project.create(root / "projet", codebook=REPO / "codebooks" / "livre_de_codes.yml")
    rng = random.Random(11)
    files = []
    for n in range(DOCUMENTS):
        turns, count = [], 0
        while count < WORDS:
            speaker = "Enquêtrice" if len(turns) % 2 == 0 else f"Habitante {n}"
            body = " ".join(rng.choice(SENTENCES) for _ in range(1 if len(turns) % 2 == 0 else 6))
            turns.append(f"{speaker} : {body}")
            count += len(body.split())
        if n == 137:
            turns.insert(len(turns) // 2, "Habitante : la ludothèque ferme le jeudi.")
        path = root / f"entretien_{n:03d}.txt"
        path.write_text("\n\n".join(turns) + "\n", encoding="utf-8")
        files.append(path)
    project.import_files(files)
    return project


def timed(call, repeat: int = 7) -> tuple[float, float, object]:
    """(first call, median of the next ``repeat``, result) in milliseconds."""
    times, result = [], None
    for _ in range(repeat + 1):
        started = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - started) * 1000)
    return times[0], statistics.median(times[1:]), result


def spaced(number: int) -> str:
    return f"{number:,}".replace(",", "\u202f")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        project = build(Path(tmp))
        words = sum(len(project.text(g).split()) for g in project.documents()["document_id"])
        print(f"Corpus : {DOCUMENTS} documents, {spaced(words)} mots "
              f"(construit en {time.perf_counter() - started:.0f} s)")  # fmt: skip
        print("Chaque ligne : premier appel, puis médiane des 7 suivants.")
        started = time.perf_counter()
        prepare_search(project)
        print(f"Préparation (textes pliés, tours lus : le coût d'une première recherche ; le panneau "
              f"la fait quand sa case de recherche reçoit le focus) : "
              f"{(time.perf_counter() - started) * 1000:.0f} ms")  # fmt: skip
        first, ms, hits = timed(lambda: search_text(project, "ludotheque"))
        print(f"Recherche d'un mot rare (« ludotheque ») : {first:.0f} ms puis {ms:.0f} ms, "
              f"{len(hits)} occurrence")  # fmt: skip
        first, ms, hits = timed(lambda: search_text(project, "epicerie"))
        print(f"Recherche « epicerie » dans tout le corpus : {first:.0f} ms puis {ms:.0f} ms, "
              f"{spaced(len(hits))} occurrences (cible < 200 ms)")  # fmt: skip
        first, ms, hits = timed(lambda: search_text(project, "épicerie", limit=501))
        print(f"Recherche du panneau (501 premières occurrences) : {first:.0f} ms puis {ms:.0f} ms")
        first, ms, hits = timed(
            lambda: search_text(project, "jardin partagé", document="entretien_099.txt")
        )
        print(f"Recherche dans un document : {first:.1f} ms puis {ms:.1f} ms, "
              f"{len(hits)} occurrences")  # fmt: skip
        first, ms, found = timed(lambda: find_documents(project, "entretien 13"))
        print(f"Sélecteur de documents (« entretien 13 ») : {first:.1f} ms puis {ms:.1f} ms, "
              f"{len(found)} documents")  # fmt: skip
        project.close()


if __name__ == "__main__":
    main()
