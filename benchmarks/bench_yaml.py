"""Benchmark of YAML reading: the demo codebook and a generated 10,000-code codebook.

    python benchmarks/bench_yaml.py

Prints figures, asserts nothing. Compares ``yamlio.load_yaml`` (PyYAML's C parser, events built
into data with line numbers and limits) with ruamel's round-trip loader that ``codebook.py`` used
before, and PyYAML's own ``CSafeLoader`` (no line numbers, no limits). Then times the refusal of an
alias bomb and of a file that crosses the codebook's value budget. Targets: the demo codebook
< 10 ms, 10,000 codes < 3 s, any refusal of a bomb < 0.1 s.
"""

from __future__ import annotations

import time
from pathlib import Path

import yaml

from miam_qual.codebook import MAX_CODEBOOK_VALUES, Code, Codebook, load_codebook, parse_codebook
from miam_qual.errors import CodebookError
from miam_qual.yamlio import load_yaml

REPO = Path(__file__).resolve().parent.parent


def best(function, repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def generated_codebook(size: int) -> str:
    demo = load_codebook(REPO / "codebooks" / "livre_de_codes.yml")
    codes = dict(demo.codes)
    template = list(demo.codes.values())
    for number in range(size - len(codes)):
        model = template[number % len(template)]
        codes[f"code_{number}"] = Code(
            id=f"code_{number}", label=f"{model.label} {number}", parent=model.parent,
            definition=model.definition, inclusion=model.inclusion, exclusion=model.exclusion,
            example=model.example, color=model.color, keywords=model.keywords,
        )  # fmt: skip
    return Codebook(demo.name, demo.description, codes).to_yaml()


def main() -> None:
    demo = (REPO / "codebooks" / "livre_de_codes.yml").read_text(encoding="utf-8")
    print(f"Livre de codes de démonstration ({len(demo.encode()) / 1000:.0f} ko) :")
    print(f"  yamlio.load_yaml          {best(lambda: load_yaml(demo, source='d')) * 1000:7.1f} ms")
    print(f"  parse_codebook (complet)  {best(lambda: parse_codebook(demo)) * 1000:7.1f} ms")
    print(
        f"  PyYAML CSafeLoader        {best(lambda: yaml.load(demo, yaml.CSafeLoader)) * 1000:7.1f} ms"
    )
    try:
        from ruamel.yaml import YAML

        ruamel = best(lambda: YAML(typ="rt").load(demo), repeat=3)
        print(f"  ruamel aller-retour       {ruamel * 1000:7.1f} ms (lecteur d'avant)")
    except ImportError:
        pass

    big = generated_codebook(10_000)
    print(f"Livre de 10 000 codes ({len(big.encode()) / 1e6:.1f} Mo) :")
    print(f"  parse_codebook            {best(lambda: parse_codebook(big), repeat=2):7.2f} s")
    print(
        f"  PyYAML CSafeLoader        {best(lambda: yaml.load(big, yaml.CSafeLoader), repeat=2):7.2f} s"
    )

    lines = ["b0: &b0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"b{i}: &b{i} [{', '.join([f'*b{i - 1}'] * 9)}]" for i in range(1, 12)]
    bomb = "\n".join(lines) + "\nthemes: *b11\n"
    flat = "themes: [" + "1, " * (MAX_CODEBOOK_VALUES + 10) + "1]\n"
    for label, text in (
        ("bombe d'alias (1 ko, 9¹² valeurs)", bomb),
        ("valeurs au-delà du budget", flat),
    ):
        started = time.perf_counter()
        try:
            parse_codebook(text)
        except CodebookError:
            pass
        print(f"Refus : {label:36} {time.perf_counter() - started:7.3f} s")


if __name__ == "__main__":
    main()
