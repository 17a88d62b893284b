"""The CI rule of the root ``conftest.py``: with ``MIAM_CI=1`` a skipped test fails the run and
is listed; without it a skip is only reported. Proved on a real pytest run of a tiny test file,
with and without pytest-xdist."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT_CONFTEST = Path(__file__).resolve().parents[1] / "conftest.py"
TESTS = """
import pytest

def test_passes():
    assert 1 + 1 == 2

def test_needs_something_absent():
    pytest.skip("outil absent : rien à tester")
"""
SKIPPED_MODULE = """
import pytest

pytest.skip("module entier sauté", allow_module_level=True)

def test_never_runs():
    pass
"""


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    shutil.copy(ROOT_CONFTEST, tmp_path / "conftest.py")
    (tmp_path / "test_petit.py").write_text(TESTS, encoding="utf-8")
    return tmp_path


def run(folder: Path, *args: str, ci: bool) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("MIAM_CI", "PYTEST_XDIST_WORKER")}
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # only what the rule needs: seconds saved per run
    if ci:
        env["MIAM_CI"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args, str(folder)],
        cwd=folder, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_outside_ci_a_skip_is_only_reported(suite):
    result = run(suite, ci=False)
    assert result.returncode == 0, result.stdout
    assert "1 passed, 1 skipped" in result.stdout and "SAUTÉ" not in result.stdout


def test_in_ci_a_skip_fails_the_run_and_is_listed(suite):
    (suite / "test_module_saute.py").write_text(SKIPPED_MODULE, encoding="utf-8")
    result = run(suite, ci=True)
    assert result.returncode == 1, result.stdout
    assert "tests sautés : échec en CI" in result.stdout
    assert "SAUTÉ test_petit.py::test_needs_something_absent : outil absent" in result.stdout
    assert "SAUTÉ test_module_saute.py : module entier sauté" in result.stdout
    assert "MIAM_CI=1 : aucun test ne doit être sauté en CI (2 l'ont été)" in result.stdout


def test_in_ci_without_skips_the_run_passes(suite):
    (suite / "test_petit.py").write_text("def test_passes():\n    pass\n", encoding="utf-8")
    result = run(suite, ci=True)
    assert result.returncode == 0, result.stdout


def test_in_ci_the_rule_holds_under_xdist(suite):
    result = run(suite, "-p", "xdist", "-n", "2", ci=True)
    assert result.returncode == 1, result.stdout
    assert result.stdout.count("SAUTÉ test_petit.py::test_needs_something_absent") == 1
