"""Name matcher speed: 100 mapped names over about 5 MB of French text. Prints figures; asserts
nothing. Target: the privacy gate reads back every exported file, and may add at most 15 % to
an export's time; the figure to compare is the time to write the same text as a DOCX. Times are
processor times (medians of three runs), so that other work on the machine does not count.

    .venv/bin/python benchmarks/bench_names.py
"""

from __future__ import annotations

import io
import statistics
import time
from pathlib import Path

from miam_qual.privacy.names import NameEntry, NameMatcher, fold_for_match
from miam_qual.text import decode_bytes

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
FIRST = ["Ahmed", "Ayşe", "Łukasz", "João", "Nguyễn Thị", "Dragan", "Søren", "Fatima-Zahra",
         "Marie-Hélène", "Zaïnaba", "Tchavolo", "Josiane", "Karim", "Sofiane", "Mélissa", "Kévin",
         "Yasmina", "Mehmet", "Agnieszka", "Conceição", "Bogdan", "Ingrid", "Moussa", "Hương",
         "Dylan"]  # fmt: skip
LAST = ["Benali", "Yıldız", "Wójcik", "Pereira", "Dragić", "Kjær", "El Amrani", "Delattre",
        "Soilihi", "Weiss", "Lefebvre", "Mansouri", "Dubois", "Demir", "Kowalczyk", "Ferreira",
        "Jovanović", "Hansen", "N'Diaye", "Trần", "Ben Saïd", "Duhamel", "Leclercq", "Maréchal",
        "Winterstein"]  # fmt: skip


def entries(count: int = 100) -> list[NameEntry]:
    out = []
    for i in range(count):
        first, last = FIRST[i % len(FIRST)], LAST[(i * 7 + i // len(FIRST)) % len(LAST)]
        out.append(NameEntry(f"{first} {last}", f"Pseudo{i} P."))
    return out


def french_text(size: int = 5_000_000) -> str:
    pieces = []
    for path in sorted(CORPUS.glob("*")):
        if path.suffix in {".txt", ".md"}:
            pieces.append(decode_bytes(path.read_bytes(), filename=path.name)[0])
    base = "\n".join(pieces)
    names = ["Ahmed Benali", "madame YILDIZ", "Łukasz", "Marie–Hélène", "Sofi‐\nane"]
    chunks, total, i = [], 0, 0
    while total < size:
        chunk = base[(i * 997) % len(base) :] + base[: (i * 997) % len(base)]
        chunks.append(chunk[:20_000] + f" {names[i % len(names)]} ")
        total += 20_000
        i += 1
    return "".join(chunks)[:size]


def timed(function, repeat: int = 3) -> float:
    """Median processor time of ``function()`` in seconds (the machine may be shared)."""
    times = []
    for _ in range(repeat):
        started = time.process_time()
        function()
        times.append(time.process_time() - started)
    return statistics.median(times)


def main() -> None:
    text = french_text()
    megabytes = len(text.encode("utf-8")) / 1e6
    built = time.process_time()
    matcher = NameMatcher(entries())
    matcher.find("Ahmed")  # the folding tables are built on first use
    built = time.process_time() - built
    print(f"Correspondance de 100 noms compilée (et tables de pliage) en {built * 1000:.0f} ms")
    print(f"Texte : {megabytes:.1f} Mo ({len(text):,} caractères)".replace(",", " "))
    fold_s = timed(lambda: fold_for_match(text))
    find_s = timed(lambda: matcher.find(text))
    replace_s = timed(lambda: matcher.replace(text))
    hits = len(matcher.find(text))
    print(f"Pliage (fold_for_match, avec la table des positions) : {fold_s:.2f} s")
    print(f"Détection (find) : {find_s:.2f} s, {megabytes / find_s:.1f} Mo/s, {hits} noms trouvés")
    print(f"Remplacement (replace) : {replace_s:.2f} s")

    from docx import Document

    sample = text[: len(text) // 10]

    def write_docx():
        document = Document()
        for paragraph in sample.split("\n"):
            document.add_paragraph(paragraph)
        document.save(io.BytesIO())

    docx_s = timed(write_docx, repeat=1)
    sample_s = timed(lambda: matcher.find(sample))
    print(f"Référence : écrire un dixième de ce texte en DOCX (python-docx) : {docx_s:.2f} s ; "
          f"la détection sur ce même texte ({sample_s:.3f} s) en représente "
          f"{100 * sample_s / docx_s:.1f} %")  # fmt: skip


if __name__ == "__main__":
    main()
