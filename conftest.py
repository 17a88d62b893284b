"""Root pytest configuration, loaded for ``tests/`` and ``notebooks/`` alike.

The demo project is built once per test run, under a file lock so that pytest-xdist workers share
it, in a scratch folder named by ``MIAM_DEMO_CACHE`` (set by the process that starts the run,
inherited by its workers). Tests copy it (``built_demo``, ``demo_project`` in
``tests/conftest.py``). Notebooks (run by nbval) open the project named by ``MIAM_PROJET``: each
notebook gets its own fresh copy, named before its kernel starts, so a test run never touches the
user's ``demo_projet/`` and notebooks running side by side never share one. A ``MIAM_PROJET`` set
by the user is respected.

Each notebook must leave its project as it found it: its copy is fingerprinted before the kernel
starts and checked by one extra test after its last cell (``tests/notebook_guard.py``). With a
``MIAM_PROJET`` set by the user there is no private copy, so no such check.

In CI (``MIAM_CI=1``) any skipped test fails the run: see ``SkipsFailInCI`` below.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

DEMO_CACHE = "MIAM_DEMO_CACHE"
OWNED_CACHE = pytest.StashKey[Path]()
USER_PROJECT = pytest.StashKey[bool]()
NOTEBOOKS_STARTED = pytest.StashKey[set]()


def pytest_configure(config: pytest.Config) -> None:
    worker = hasattr(config, "workerinput")
    if os.environ.get(CI_VARIABLE) == "1" and not worker:
        config.pluginmanager.register(SkipsFailInCI(), "miam-skips-fail-in-ci")
    if not worker and DEMO_CACHE not in os.environ:
        cache = Path(tempfile.mkdtemp(prefix="miam_demo_"))
        os.environ[DEMO_CACHE] = str(cache)
        config.stash[OWNED_CACHE] = cache
    config.stash[USER_PROJECT] = "MIAM_PROJET" in os.environ


def pytest_unconfigure(config: pytest.Config) -> None:
    cache = config.stash.get(OWNED_CACHE, None)
    if cache is not None:
        shutil.rmtree(cache, ignore_errors=True)
        del os.environ[DEMO_CACHE]


def demo_build() -> Path:
    """The demo project of this test run, built by whichever process asks first."""
    cache = Path(os.environ[DEMO_CACHE])
    built = cache / "projet"
    with open(cache / "verrou", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not built.is_dir():
            from miam_qual.demo import build_demo

            scratch = cache / "en_construction"
            shutil.rmtree(scratch, ignore_errors=True)
            build_demo(scratch, quiet=True).close()
            scratch.rename(built)
    return built


@pytest.fixture(scope="session")
def built_demo() -> Path:
    """The demo project built once for the run: copy it, never write into it."""
    return demo_build()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # nbval starts a notebook's kernel when its first cell is set up, after this hook: the kernel
    # inherits the MIAM_PROJET set here.
    if item.path.suffix != ".ipynb" or item.config.stash[USER_PROJECT]:
        return
    started = item.config.stash.setdefault(NOTEBOOKS_STARTED, set())
    if item.path in started:
        return
    started.add(item.path)
    folder = Path(tempfile.mkdtemp(prefix="carnet_", dir=os.environ[DEMO_CACHE]))
    shutil.copytree(demo_build(), folder / "demo_projet")
    os.environ["MIAM_PROJET"] = str(folder / "demo_projet")
    notebook_guard().remember(item.config, item.path, folder / "demo_projet")


@pytest.hookimpl(trylast=True)  # after -k/-m deselection
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.stash[USER_PROJECT] and any(i.path.suffix == ".ipynb" for i in items):
        notebook_guard().add_guards(items)


def notebook_guard():
    """``tests/notebook_guard.py``, loaded when notebooks run (pytest puts ``tests/`` on
    ``sys.path`` only for runs that load ``tests/``)."""
    folder = str(Path(__file__).parent / "tests")
    if folder not in sys.path:
        sys.path.append(folder)
    import notebook_guard as guard

    return guard


# --- In CI a skip is a failure -------------------------------------------------------------
# Outside CI a test may skip when something legitimately absent from a user's machine is missing
# (Chromium for the real-browser test, the REFI-QDA schemas beside the repository). In CI
# (``MIAM_CI=1``, set by ``.ci/run``) nothing may be missing: every skipped test is listed and
# the run fails. Under pytest-xdist the controller receives every worker's reports, so the rule
# lives there only.

CI_VARIABLE = "MIAM_CI"


class SkipsFailInCI:
    """Collects skipped tests (and skipped modules) and turns a passing run into a failure."""

    def __init__(self) -> None:
        self.skipped: list[tuple[str, str]] = []

    def _record(self, report: pytest.TestReport | pytest.CollectReport) -> None:
        if report.skipped and not hasattr(report, "wasxfail"):
            longrepr = report.longrepr
            reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
            self.skipped.append((report.nodeid, str(reason).removeprefix("Skipped: ")))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self._record(report)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        self._record(report)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.skipped and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if not self.skipped:
            return
        terminalreporter.section("tests sautés : échec en CI", sep="=", red=True, bold=True)
        for nodeid, reason in self.skipped:
            terminalreporter.line(f"SAUTÉ {nodeid} : {reason}", red=True)
        terminalreporter.line(
            f"{CI_VARIABLE}=1 : aucun test ne doit être sauté en CI ({len(self.skipped)} l'ont "
            "été). Installez ce qui manque (voir les raisons ci-dessus).",
            red=True,
        )
