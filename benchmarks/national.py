"""Generate a national-scale project for benchmarks: many long transcripts, many codings.

``build_national_project(path)`` writes ``documents`` French-looking transcripts of ``words``
words (speaker turns every ~80 words) into ``path/_sources``, imports them through the public
API (timed), builds a codebook of 10 themes × 10 codes, and writes ``codings`` codings spread over
``coders`` coders with ``Project.code_many``. The speakers are registered as participants who
consented to analysis and written quotation (the interviewer declared as such), so that reports
show excerpts, word lists and clouds as on a real project (``consented=False``: no consent is
recorded, every excerpt reads « non citable » and no word is counted). Deterministic for a given
``seed``.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

from miam_qual import Project

VOCABULARY = (
    "alors ben franchement épicerie légumes prix cher budget fin mois enfants cantine école goût "
    "bio local qualité marché bus voiture courses magasin quartier cité voisins ensemble atelier "
    "cuisine recette soupe pommes carottes poireaux fromage pain viande poisson fruits saison "
    "producteur ferme visite kermesse collectif décider choisir groupement commande livraison "
    "association mairie centre social enseignante maîtresse classe goûter repas famille maison "
    "habitude santé diabète sucre sel gras plaisir fierté confiance écoute parole réunion "
    "on nous ils elle il je c’est était aussi mais parce que quand très trop peu beaucoup toujours "
    "jamais souvent vraiment hein voilà donc puis après avant déjà encore moins plus même là ici "
    "l’épicerie d’accord qu’on s’il aujourd’hui œuf cœur où à été été déçue contente"
).split()
SPEAKERS = ["Enquêtrice", "Habitante 1", "Habitant 2", "Habitante 3", "M. D.", "Directrice"]


def write_sources(folder: Path, documents: int, words: int, seed: int) -> list[Path]:
    rng = random.Random(seed)
    weights = [1.0 / (rank + 1) for rank in range(len(VOCABULARY))]
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(documents):
        tokens = rng.choices(VOCABULARY, weights=weights, k=words)
        lines = []
        for start in range(0, words, 80):
            speaker = SPEAKERS[0] if (start // 80) % 2 == 0 else rng.choice(SPEAKERS[1:])
            lines.append(f"{speaker} : {' '.join(tokens[start : start + 80])}.")
        path = folder / f"entretien_{number:05d}.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def national_codebook(path: Path) -> Path:
    lines = ["nom: Livre de codes national (généré)", "themes:"]
    for t in range(10):
        lines += [
            f"  - id: theme_{t}",
            f"    libelle: Thème {t}",
            f'    couleur: "#{t * 20 + 30:02X}5080"',
            "    codes:",
        ]
        lines += [
            f'      - id: code_{t}_{c}\n        libelle: Code {t}.{c}\n        couleur: "#{t * 20 + 30:02X}{c * 20 + 40:02X}80"'
            for c in range(10)
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def build_national_project(
    path: Path | str,
    *,
    documents: int = 2000,
    words: int = 5000,
    codings: int = 200_000,
    coders: int = 3,
    seed: int = 1,
    consented: bool = True,
) -> tuple[Project, dict[str, float]]:
    """Build the project; returns it open and timings ``{"import_s", "import_mb", "codings_s"}``."""
    root = Path(path)
    sources = write_sources(root.parent / f"{root.name}_sources", documents, words, seed)
    book = national_codebook(root.parent / f"{root.name}_codebook.yml")
    project = Project.create(root, name="Projet national (généré)", codebook=book)
    megabytes = sum(p.stat().st_size for p in sources) / 1e6
    started = time.perf_counter()
    for batch in range(0, len(sources), 200):
        project.import_files(
            sources[batch : batch + 200], type_source="entretien partenaire", by="bench"
        )
    import_s = time.perf_counter() - started
    for speaker in SPEAKERS[1:] if consented else []:
        project.add_participant(speaker)
        for use in ("analyse", "citation"):
            project.set_consent(speaker, use, True, date="2026-01-15", by="bench")
    project.identify_speaker(SPEAKERS[0], interviewer=True, by="bench")
    names = [f"codeur_{i}" for i in range(coders)]
    for name in names:
        project.add_coder(name)
    docs = project.documents()[["document", "length"]].to_records(index=False)
    codes = [c.id for c in project.codebook if c.codable]
    rng = random.Random(seed)
    rows = []
    for _ in range(codings):
        document, length = docs[rng.randrange(len(docs))]
        start = rng.randrange(0, int(length) - 400)
        rows.append(
            {
                "document": document,
                "start": start,
                "end": start + rng.randrange(40, 400),
                "code": codes[rng.randrange(len(codes))],
                "coder": names[rng.randrange(coders)],
            }
        )
    started = time.perf_counter()
    for batch in range(0, len(rows), 50_000):
        project.code_many(rows[batch : batch + 50_000])
    return project, {
        "import_s": import_s,
        "import_mb": megabytes,
        "codings_s": time.perf_counter() - started,
    }
