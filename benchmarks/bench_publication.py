"""Publication speed: radio package for 200 quotes (target < 20 s), 20 exhibition panels
(target < 30 s). Prints figures; no assertions.

Builds a throwaway project with the repository's codebook, four generated testimonies (WebVTT,
60 cues each) of residents who consent to everything, stand-in recordings in ``medias/``, then
200 validated quotes spread over the themes.

    .venv/bin/python benchmarks/bench_publication.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from miam_qual import Project
from miam_qual.demo import REPO_ROOT
from miam_qual.publication import Quotes, export_exhibition, export_radio, synthesize_recordings

SENTENCES = [
    "La supérette du coin, c'est hors de prix pour nous, alors on compte chaque euro.",
    "Depuis l'épicerie éphémère, on mange plus de légumes et les enfants goûtent des choses nouvelles.",
    "On se retrouve entre voisines le jeudi, ça fait du bien de parler de cuisine.",
    "Les légumes du groupement sont moins chers qu'au supermarché, et ils sont meilleurs.",
    "À la cantine, les petits ont découvert la soupe de potiron et ils en redemandent.",
    "Avant je mangeais seul devant la télé, maintenant je viens aux ateliers.",
    "On a appris à cuisiner les lentilles, je n'en achetais jamais avant.",
    "Le marché est trop loin sans voiture, alors le stand de rue nous arrange bien.",
]
CODES = ["prix", "proximite", "legumes", "cuisine_maison", "convivialite", "entraide", "cantine",
         "participation", "complementarite", "freins"]  # fmt: skip


def write_testimony(folder: Path, number: int, cues: int = 60) -> Path:
    lines = ["WEBVTT", "", "NOTE", f"media: bench_{number:02d}.wav", f"participant: Habitante {number}",
             "site: cité Saint-Élie", "type_source: témoignage d'habitant", ""]  # fmt: skip
    t = 500
    for i in range(cues):
        sentence = SENTENCES[(i + number) % len(SENTENCES)]
        duration = 5000 + 90 * len(sentence) % 4000
        lines += [
            str(i + 1),
            f"{clock(t)} --> {clock(t + duration)}",
            f"<v Habitante {number}>{sentence}",
            "",
        ]
        t += duration + 400
    path = folder / f"bench_{number:02d}.vtt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def clock(ms: int) -> str:
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def build(root: Path) -> Project:
    project = Project.create(
        root / "projet", codebook=REPO_ROOT / "codebooks" / "livre_de_codes.yml"
    )
    project.add_coder("bench")
    sources = root / "sources"
    sources.mkdir()
    for n in range(1, 5):
        project.add_participant(
            f"Habitante {n}", role="habitant", genre="femme", tranche_age="40-49 ans"
        )
        for use in project.config.consent_uses:
            project.set_consent(f"Habitante {n}", use, True, by="bench")
    project.import_files([write_testimony(sources, n) for n in range(1, 5)], by="bench")
    synthesize_recordings(project)
    return project


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench_pub_") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        project = build(root)
        quotes = Quotes(project)
        count = 0
        for document in project.documents()["document"]:
            cues = project.timecodes(document)
            for i, cue in enumerate(cues.itertuples()):
                if count >= 200:
                    break
                coding = project.code(
                    document,
                    int(cue.start),
                    int(cue.end),
                    CODES[(count + i) % len(CODES)],
                    coder="bench",
                )
                quote = quotes.propose(coding, targets=["radio", "exposition"], by="bench")
                quotes.set_status(quote, "retenue", by="bench")
                quotes.set_status(quote, "validée", by="bench")
                count += 1
        print(f"Préparation : {count} citations validées en {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        listing = quotes.list()
        print(f"Quotes.list() de {len(listing)} citations : {time.perf_counter() - started:.2f} s")

        started = time.perf_counter()
        report = export_radio(project, root / "radio", padding_ms=250)
        elapsed = time.perf_counter() - started
        clips = len(list((root / "radio" / "extraits").iterdir()))
        print(f"Radio : {len(report.exported)} citations, {clips} extraits WAV, conducteur et feuille de montage "
              f"en {elapsed:.1f} s (objectif < 20 s)")  # fmt: skip

        chosen = listing["quote_id"].tolist()[:120]
        for quote in listing["quote_id"].tolist()[120:]:
            quotes.edit(quote, targets=["radio"], by="bench")
        started = time.perf_counter()
        report = export_exhibition(project, root / "expo", png=True, png_dpi=50)
        elapsed = time.perf_counter() - started
        panels = len(list((root / "expo" / "panneaux").glob("*.pdf")))
        print(f"Exposition : {len(chosen)} citations, {panels} panneaux A3 (PDF, PNG, nuages de mots) "
              f"en {elapsed:.1f} s (objectif < 30 s pour 20 panneaux)")  # fmt: skip
        project.close()


if __name__ == "__main__":
    main()
