"""Publication speed: radio package for 200 quotes (target < 20 s), 20 exhibition panels
(target < 30 s), and what the privacy gate costs: the full export set (radio, exhibition,
social cards, spreadsheet, report in three formats, REFI-QDA archive) timed with the gate's
read-back and without it (target: at most 15 % more). Prints figures; no assertions.

Builds a throwaway project with the repository's codebook, four generated testimonies (WebVTT,
60 cues each) of residents who consent to everything, stand-in recordings in ``medias/``, then
200 validated quotes spread over the themes.

    .venv/bin/python benchmarks/bench_publication.py
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import spacy

from miam_qual import Project
from miam_qual.demo import REPO_ROOT
from miam_qual.exchange import export_qdpx
from miam_qual.privacy.gate import ExportGate
from miam_qual.publication import (
    edit_quote,
    export_exhibition,
    export_radio,
    export_social_cards,
    export_spreadsheet,
    list_quotes,
    propose_quote,
    set_quote_status,
    synthesize_recordings,
)
from miam_qual.reports import build_report_data, write_report

#: The privacy suite's mapping: 27 names, so the read-back has real work to do.
MAPPING = REPO_ROOT / "tests" / "data" / "privacy" / "pseudonymes.yml"

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
                quote = propose_quote(project, coding, targets=["radio", "exposition"], by="bench")
                set_quote_status(project, quote, "retenue", by="bench")
                set_quote_status(project, quote, "validée", by="bench")
                count += 1
        print(f"Préparation : {count} citations validées en {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        listing = list_quotes(project)
        print(f"list_quotes() de {len(listing)} citations : {time.perf_counter() - started:.2f} s")

        started = time.perf_counter()
        report = export_radio(project, root / "radio", padding_ms=250)
        elapsed = time.perf_counter() - started
        clips = len(list((root / "radio" / "extraits").iterdir()))
        print(f"Radio : {len(report.exported)} citations, {clips} extraits WAV, conducteur et feuille de montage "
              f"en {elapsed:.1f} s (objectif < 20 s)")  # fmt: skip

        chosen = listing["quote_id"].tolist()[:120]
        for quote in listing["quote_id"].tolist()[120:]:
            edit_quote(project, quote, targets=["radio"], by="bench")
        started = time.perf_counter()
        report = export_exhibition(project, root / "expo", png=True, png_dpi=50)
        elapsed = time.perf_counter() - started
        panels = len(list((root / "expo" / "panneaux").glob("*.pdf")))
        print(f"Exposition : {len(chosen)} citations, {panels} panneaux A3 (PDF, PNG, nuages de mots) "
              f"en {elapsed:.1f} s (objectif < 30 s pour 20 panneaux)")  # fmt: skip
        gate_overhead(project, root)
        project.close()


def gate_overhead(project: Project, root: Path) -> None:
    """Each export of the full set, with the gate's read-back and without it (best of 2)."""
    for quote in list_quotes(project)["quote_id"]:
        edit_quote(
            project, quote, targets=["radio", "exposition", "réseaux sociaux", "rapport"], by="b"
        )
    (project.root / "prive").mkdir(exist_ok=True)
    shutil.copy(MAPPING, project.root / "prive" / "pseudonymes.yml")
    blank = spacy.blank("fr")
    data = build_report_data(project, nlp=blank)
    exports = {
        "radio (200 extraits)": lambda d: export_radio(project, d),
        "exposition (panneaux, PNG)": lambda d: export_exhibition(project, d, png_dpi=50),
        "cartes (200 PNG)": lambda d: export_social_cards(project, d, size_px=540),
        "tableur": lambda d: export_spreadsheet(project, d),
        "rapport HTML, DOCX, XLSX": lambda d: write_report(project, d, format="all", data=data),
        "échange REFI-QDA": lambda d: export_qdpx(project, d / "projet.qdpx"),
    }
    check = ExportGate._check
    print("Coût de la porte de confidentialité (relecture complète avant sortie) :")
    totals = [0.0, 0.0]
    for name, run in exports.items():
        times = []
        for with_gate in (True, False):
            ExportGate._check = check if with_gate else (lambda self: None)
            best = float("inf")
            for attempt in range(2):
                target = root / f"gate_{len(times)}_{attempt}_{abs(hash(name))}"
                started = time.perf_counter()
                run(target)
                best = min(best, time.perf_counter() - started)
            times.append(best)
        ExportGate._check = check
        totals[0] += times[0]
        totals[1] += times[1]
        print(f"  {name:<28} avec {times[0]:6.2f} s · sans {times[1]:6.2f} s · "
              f"+{100 * (times[0] / times[1] - 1):5.1f} %")  # fmt: skip
    print(f"  {'ensemble':<28} avec {totals[0]:6.2f} s · sans {totals[1]:6.2f} s · "
          f"+{100 * (totals[0] / totals[1] - 1):5.1f} % (objectif ≤ 15 %)")  # fmt: skip


if __name__ == "__main__":
    main()
