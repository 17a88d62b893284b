"""The developer and user docs name only what exists: every ``miam_qual.<name>`` path, every
``*.py`` file, every ``miam_qual/…`` folder, and the modules the ARCHITECTURE module map lists."""

from __future__ import annotations

import importlib
import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ("README.md", "ARCHITECTURE.md", "CONTRIBUTING.md")
#: Made by a wheel build (``setup.py``), never in the repository.
BUILT = {"miam_qual/demo_data/"}


def _resolves(dotted: str) -> bool:
    """Whether ``miam_qual.a.b`` is a module, or an attribute reached from the longest module."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        name = ".".join(parts[:cut])
        try:
            found = importlib.util.find_spec(name) is not None
        except ModuleNotFoundError:
            found = False
        if found:
            target: object = importlib.import_module(name)
            for attribute in parts[cut:]:
                if not hasattr(target, attribute):
                    return False
                target = getattr(target, attribute)
            return True
    return False


def _file_exists(name: str) -> bool:
    """A ``*.py`` named in the docs: from the repository root or the package, or, written bare,
    anywhere in the package, the tests or the benchmarks."""
    if (ROOT / name).is_file() or (ROOT / "miam_qual" / name).is_file():
        return True
    if "/" in name:
        return False
    return any(any((ROOT / d).rglob(name)) for d in ("miam_qual", "tests", "benchmarks"))


@pytest.mark.parametrize("doc", DOCS)
def test_module_paths_exist(doc):
    text = (ROOT / doc).read_text(encoding="utf-8")
    named = sorted(set(re.findall(r"\bmiam_qual(?:\.[A-Za-z_]\w*)+", text)))
    assert [m for m in named if not _resolves(m)] == []


@pytest.mark.parametrize("doc", DOCS)
def test_python_files_and_package_folders_exist(doc):
    text = (ROOT / doc).read_text(encoding="utf-8")
    files = sorted(set(re.findall(r"[\w./-]*\w\.py\b", text)))
    assert [f for f in files if not _file_exists(f)] == []
    folders = sorted(set(re.findall(r"\bmiam_qual/[\w/]*/", text)) - BUILT)
    assert [f for f in folders if not (ROOT / f).is_dir()] == []


def _module_map() -> list[tuple[str, str]]:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    section = text.split("## Module map", 1)[1].split("\n\n", 1)[0]
    rows = []
    for line in section.splitlines():
        match = re.match(r"\| `([\w/.]+)` \| (.*) \|$", line)
        if match:
            rows.append((match.group(1), match.group(2)))
    return rows


def test_module_map_names_existing_modules():
    rows = _module_map()
    assert len(rows) > 20
    for entry, description in rows:
        assert (ROOT / "miam_qual" / entry).exists(), entry
        if not entry.endswith("/"):
            continue
        # a package's submodules are the lower-case names listed outside parentheses
        depth, listed = 0, []
        for piece in re.split(r"(`[^`]*`|[()])", description):
            if piece == "(":
                depth += 1
            elif piece == ")":
                depth -= 1
            elif depth == 0 and re.fullmatch(r"`[a-z_][a-z0-9_]*`", piece):
                listed.append(piece.strip("`"))
        package = "miam_qual." + entry.strip("/").replace("/", ".")
        missing = [n for n in listed if importlib.util.find_spec(f"{package}.{n}") is None]
        assert missing == [], f"{entry}: {missing}"


def test_module_map_lists_every_module():
    listed = {entry.rstrip("/") for entry, _ in _module_map()}
    present = {p.name for p in (ROOT / "miam_qual").glob("*.py") if p.name != "__init__.py"}
    present |= {p.name for p in (ROOT / "miam_qual").iterdir() if (p / "__init__.py").exists()}
    assert sorted(present - listed) == []
