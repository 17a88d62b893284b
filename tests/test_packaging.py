"""Packaging: every imported package is declared (pyproject.toml and environment.yml alike), and
a wheel built from the sources, installed in a fresh environment, builds the demo project."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import yaml

from miam_qual import Project

ROOT = Path(__file__).resolve().parents[1]
#: Import names whose distribution is named otherwise (everything else: the same name).
DISTRIBUTION_OF = {
    "PIL": "pillow",
    "docx": "python-docx",
    "odf": "odfpy",
    "yaml": "pyyaml",
    "ruamel": "ruamel-yaml",
    "IPython": "ipython",
}
#: What a source checkout needs to build the wheel.
SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE")
DEMO_FOLDERS = ("corpus", "codebooks", "demo")


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement(text: str) -> tuple[str, str]:
    """``("name", "specifier")`` of a requirement such as ``spacy>=3.7,<4``."""
    match = re.fullmatch(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*?)\s*", text)
    assert match, text
    return _normalise(match.group(1)), match.group(2).replace(" ", "")


def _imports(paths: list[Path]) -> dict[str, set[str]]:
    """Top-level names of absolute imports → the files that import them (standard library and
    modules of this repository left out)."""
    found: dict[str, set[str]] = {}
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                local = any(
                    (folder / f"{top}.py").exists() or (folder / top).is_dir()
                    for folder in (ROOT, ROOT / "tests", ROOT / "benchmarks")
                )
                if top not in sys.stdlib_module_names and top != "__future__" and not local:
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def _declared() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(runtime, test) requirements of pyproject.toml and everything environment.yml lists."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = dict(_requirement(r) for r in project["dependencies"])
    test = dict(_requirement(r) for r in project["optional-dependencies"]["test"])
    conda = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    listed: dict[str, str] = {}
    for entry in conda["dependencies"]:
        items = entry["pip"] if isinstance(entry, dict) else [entry]
        for item in items:
            if not item.startswith("-"):
                name, spec = _requirement(item)
                listed[name] = spec
    listed.pop("python", None)  # python=3.11: the interpreter, not a package
    listed.pop("pip", None)
    return runtime, test, listed


def _no_deps() -> dict[str, str]:
    """Test references installed without their pinned dependencies (see the file)."""
    lines = (ROOT / "tests" / "requirements-no-deps.txt").read_text(encoding="utf-8").splitlines()
    return dict(_requirement(line) for line in lines if line.strip() and not line.startswith("#"))


def test_every_imported_package_is_declared():
    runtime, test, _listed = _declared()
    test = {**test, **_no_deps()}
    package = _imports(sorted((ROOT / "miam_qual").rglob("*.py")))
    undeclared = {
        name: sorted(files)
        for name, files in package.items()
        if _normalise(DISTRIBUTION_OF.get(name, name)) not in runtime
    }
    assert not undeclared, f"imported by miam_qual but not in [project] dependencies: {undeclared}"
    scripts = [*(ROOT / "tests").rglob("*.py"), *(ROOT / "benchmarks").rglob("*.py")]
    used = _imports([ROOT / "conftest.py", *scripts])
    undeclared = {
        name: sorted(files)
        for name, files in used.items()
        if _normalise(DISTRIBUTION_OF.get(name, name)) not in {**runtime, **test}
    }
    assert not undeclared, f"imported by tests or benchmarks but not declared: {undeclared}"


def test_pyproject_and_environment_yml_list_the_same_requirements():
    runtime, test, listed = _declared()
    assert listed == {**runtime, **test}


def _build_wheel(work: Path) -> Path:
    """A wheel built from a copy of the sources (an in-place build could pick up stale files)."""
    source = work / "sources"
    source.mkdir()
    for name in SOURCES:
        shutil.copy2(ROOT / name, source / name)
    for name in ("miam_qual", *DEMO_FOLDERS):
        shutil.copytree(
            ROOT / name,
            source / name,
            ignore=shutil.ignore_patterns(
                "__pycache__", "*.pyc", "demo_data", ".ipynb_checkpoints"
            ),
        )
    wheels = work / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation",
         "--no-index", "--quiet", "-w", str(wheels)],
        check=True, cwd=work,
    )  # fmt: skip
    (wheel,) = wheels.glob("miam_qual-*.whl")
    return wheel


def test_an_installed_wheel_builds_the_demo_project(tmp_path: Path, demo_project):
    wheel = _build_wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in DEMO_FOLDERS:
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and not path.name.startswith("."):
                member = f"miam_qual/demo_data/{path.relative_to(ROOT).as_posix()}"
                assert member in names, member
                assert zipfile.ZipFile(wheel).read(member) == path.read_bytes()
    for template in (ROOT / "miam_qual").glob("*/templates/*"):
        assert template.relative_to(ROOT).as_posix() in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]

    # A fresh environment: the wheel installed alone; its dependencies are this environment's
    # (a path entry: its .pth files are not run, so this checkout's editable install is unseen).
    fresh = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(fresh)], check=True)
    python = fresh / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", "--quiet", str(wheel)],
        check=True,
    )  # fmt: skip
    # only now the dependencies' path: pip must not even see this checkout's installation
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(site) / "dependencies.pth").write_text("\n".join(sorted(ours)) + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    where = subprocess.run(
        [python, "-c", "import miam_qual.demo as d; print(d.__file__); print(d.material_root())"],
        check=True, capture_output=True, text=True, cwd=tmp_path, env=env,
    ).stdout.split()  # fmt: skip
    assert all(Path(p).is_relative_to(fresh) for p in where), where
    done = subprocess.run(
        [fresh / "bin" / "miam-qual", "demo", "demo_installe"],
        capture_output=True, text=True, cwd=tmp_path, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Codages :" in done.stdout
    with Project.open(tmp_path / "demo_installe") as installed:
        documents = sorted(installed.documents()["document"])
        assert documents == sorted(demo_project.documents()["document"])
        assert len(installed.codings()) == len(demo_project.codings()) > 0
    # the report's picture worker starts from the installed package (reports/pictures.py)
    probe = (
        "from miam_qual.reports import pictures\n"
        "pictures._spare_core = lambda: True\n"
        "jobs = pictures.PictureJobs()\n"
        "jobs.draw('mot', 'builtins:len', 'abc')\n"
        "import time; time.sleep(0.1)\n"
        "while jobs._waiting: time.sleep(0.05)\n"
        "print(jobs.results(), sorted(jobs.by_worker), pictures._worker.process.args[-1])\n"
    )
    drawn = subprocess.run(
        [python, "-c", probe], check=True, capture_output=True, text=True, cwd=tmp_path, env=env
    ).stdout.strip()
    assert drawn.startswith("{'mot': 3} ['mot']"), drawn
    assert str(Path(site).resolve()) in drawn, drawn  # the installed package's own folder
