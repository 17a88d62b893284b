"""Benchmark of cold start: ``import miam_qual`` and ``miam-qual --help``, each in a new process.

    python benchmarks/bench_startup.py [repeats]

Prints figures, asserts nothing. Each command runs ``repeats`` times (default 15) in a fresh
interpreter, as a user's shell would; the table gives the fastest and the median wall time, beside
an empty interpreter (``python -c pass``), the floor no change in miam_qual can go under, and the
median CPU time, which a busy machine disturbs less than wall time. Then
``python -X importtime`` shows, for ``miam-qual --help``, the modules that cost most and whether
pandas, numpy or matplotlib were loaded at all. Target: ``miam-qual --help`` under 0.3 s.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

PYTHON = sys.executable
SCRIPT = Path(PYTHON).with_name("miam-qual")
HEAVY = ("pandas", "numpy", "matplotlib", "spacy", "weasyprint", "jinja2", "yaml", "ruamel")

COMMANDS = {
    "python -c pass": [PYTHON, "-c", "pass"],
    "import miam_qual": [PYTHON, "-c", "import miam_qual"],
    "from miam_qual import Project": [PYTHON, "-c", "from miam_qual import Project"],
    "miam-qual --help": [str(SCRIPT), "--help"],
    "miam-qual rapport --help": [str(SCRIPT), "rapport", "--help"],
    "miam-qual citations exporter --help": [str(SCRIPT), "citations", "exporter", "--help"],
}


def timings(command: list[str], repeats: int) -> tuple[list[float], list[float]]:
    """Wall and CPU (user + system) seconds of each run; CPU time varies less on a busy machine."""
    wall, cpu = [], []
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        wall.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall, cpu


def import_profile(command: list[str]) -> list[tuple[str, float]]:
    """``(module, cumulative seconds)`` of every module that ``command`` imports."""
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _self, cumulative, name = line[len("import time:") :].split("|")
        rows.append((name.rstrip(), int(cumulative) / 1e6))
    return rows


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    print(f"Cold start, {repeats} runs each (seconds; wall: fastest / median, CPU: median):")
    for label, command in COMMANDS.items():
        wall, cpu = timings(command, repeats)
        print(
            f"  {label:<38} wall {min(wall):6.3f} / {statistics.median(wall):6.3f}"
            f"   CPU {statistics.median(cpu):6.3f}"
        )
    for label in ("import miam_qual", "miam-qual --help"):
        rows = import_profile(COMMANDS[label])
        total = sum(t for name, t in rows if not name.startswith("  "))
        # a package is imported once: its row (at whatever depth) holds its whole cost
        packages = [(name.strip(), t) for name, t in rows if "." not in name]
        loaded = {name.strip().split(".")[0] for name, _ in rows}
        print(f"\n{label}: {total:.3f} s of imports (python -X importtime); costliest packages:")
        for name, seconds in sorted(packages, key=lambda row: -row[1])[:8]:
            print(f"  {name:<38} {seconds:6.3f}  ({seconds / total:4.0%})")
        heavy = [name for name in HEAVY if name in loaded]
        print(f"  heavy packages loaded: {', '.join(heavy) or 'none'}")


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:  # piped into head
        sys.stderr.close()
