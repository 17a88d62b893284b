"""Corrected texts benchmark: re-anchoring 1,000 codings on a 20,000-word transcript.

Run: ``.venv/bin/python benchmarks/bench_text_edits.py [--mots N] [--codages N]``. Prints figures;
asserts nothing. Measures, for 10 and for 200 scattered edits: the alignment of two whole texts
(``diff_edits``, what ``replace_text`` does first), the re-anchoring of the codings' spans alone
(``SpanMap.place``), and a whole ``Project.edit_text`` (one durable transaction: version, units,
timecodes, selections, quotes) and ``Project.replace_text`` on a project holding the codings.
Targets (issue 11): 1,000 codings re-anchored after 200 edits under 200 ms; a 5,000-word
transcript with 300 codings replaced from a corrected text under 500 ms.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from miam_qual import Project
from miam_qual.alignment import SpanMap, apply_edits, check_edits, diff_edits

WORDS = (
    "le pain est trop cher au marché mais la cantine c'est bien pour les enfants on cuisine "
    "ensemble le samedi avec les voisines du quartier et l'épicerie solidaire"
).split()


def transcript(words: int, rng: random.Random) -> str:
    lines, count, turn = [], 0, 0
    while count < words:
        n = rng.randint(15, 60)
        speaker = "Enquêtrice" if turn % 2 == 0 else "Habitante 3"
        lines.append(f"{speaker} : " + " ".join(rng.choice(WORDS) for _ in range(n)) + ".")
        count, turn = count + n, turn + 1
    return "\n\n".join(lines) + "\n"


def scattered_edits(text: str, count: int, rng: random.Random) -> list:
    """``count`` word corrections, each replacing one word inside a turn's speech."""
    spots = [i for i in range(1, len(text) - 8) if text[i - 1] == " " and text[i].isalpha()]
    edits, taken = [], set()
    for start in sorted(rng.sample(spots, count * 3)):
        end = text.find(" ", start)
        word = text[start:end]
        if end < 0 or any(p in taken for p in range(start - 1, end + 1)) or set(":\n") & set(word):
            continue
        edits.append((start, end, rng.choice(WORDS)))
        taken.update(range(start, end))
        if len(edits) == count:
            break
    return edits


def timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def project_with_codings(folder: Path, text: str, codings: int, rng: random.Random) -> Project:
    source = folder / "entretien_long.txt"
    source.write_text(text, encoding="utf-8")
    project = Project.create(
        folder / "projet", codebook=Path(__file__).resolve().parents[1] / "codebooks" /
        "livre_de_codes.yml",
    )  # fmt: skip
    project.add_coder("camille")
    project.import_files([source])
    rows = []
    for _ in range(codings):
        start = rng.randrange(len(text) - 200)
        rows.append({"document": source.name, "start": start, "end": start + rng.randint(20, 150),
                     "code": "prix", "coder": "camille"})  # fmt: skip
    project.code_many(rows)
    return project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mots", type=int, default=20_000)
    parser.add_argument("--codages", type=int, default=1_000)
    args = parser.parse_args()
    rng = random.Random(11)
    text = transcript(args.mots, rng)
    spans = []
    for _ in range(args.codages):
        start = rng.randrange(len(text) - 200)
        spans.append((start, start + rng.randint(20, 150)))
    print(f"Texte : {len(text.split())} mots, {len(text)} caractères ; {len(spans)} passages codés")
    for count in (10, 200):
        edits = check_edits(text, scattered_edits(text, count, rng), document="bench")
        new = apply_edits(text, edits)
        diff_time, found = timed(lambda new=new: diff_edits(text, new))
        mapping = SpanMap(found)  # type: ignore[arg-type]
        place_time, placed = timed(lambda mapping=mapping: [mapping.place(s, e) for s, e in spans])
        states: dict[str, int] = {}
        for item in placed:  # type: ignore[attr-defined]
            states[item.state] = states.get(item.state, 0) + 1
        print(
            f"{count:>3} modifications : alignement des deux textes {diff_time * 1000:.0f} ms, "
            f"ré-ancrage de {len(spans)} passages {place_time * 1000:.1f} ms {states}"
        )
    with tempfile.TemporaryDirectory() as folder:
        project = project_with_codings(Path(folder), text, args.codages, rng)
        for count in (10, 200):
            current = project.text("entretien_long.txt")
            edits = scattered_edits(current, count, rng)
            seconds, result = timed(
                lambda edits=edits: project.edit_text("entretien_long.txt", edits, by="bench")
            )
            print(f"Project.edit_text, {count} modifications, {args.codages} codages : "
                  f"{seconds * 1000:.0f} ms {result}")  # fmt: skip
        current = project.text("entretien_long.txt")
        corrected = apply_edits(current, scattered_edits(current, 200, rng))
        seconds, result = timed(
            lambda: project.replace_text("entretien_long.txt", corrected, by="bench")
        )
        print(f"Project.replace_text, 200 modifications : {seconds * 1000:.0f} ms {result}")
        project.close()
    small = transcript(5_000, rng)
    with tempfile.TemporaryDirectory() as folder:
        project = project_with_codings(Path(folder), small, 300, rng)
        corrected = apply_edits(small, scattered_edits(small, 30, rng))
        path = Path(folder) / "corrige.txt"
        path.write_text(corrected, encoding="utf-8")
        seconds, result = timed(
            lambda: project.replace_text_from_file("entretien_long.txt", path, by="bench")
        )
        print(f"Fichier corrigé, 5 000 mots, 300 codages : {seconds * 1000:.0f} ms {result}")
        project.close()


if __name__ == "__main__":
    main()
