"""Root pytest configuration, loaded for ``tests/`` and ``notebooks/`` alike.

Notebooks (run by nbval) open the project named by ``MIAM_PROJET``. Point them at a private,
freshly built copy of the demo project so a test run never touches the user's ``demo_projet/``.

In CI (``MIAM_CI=1``) any skipped test fails the run: see ``SkipsFailInCI`` below.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get(CI_VARIABLE) == "1" and not hasattr(config, "workerinput"):
        config.pluginmanager.register(SkipsFailInCI(), "miam-skips-fail-in-ci")
    wants_notebooks = any("notebook" in str(a) or str(a).endswith(".ipynb") for a in config.args)
    if wants_notebooks and "MIAM_PROJET" not in os.environ:
        from miam_qual.demo import build_demo

        target = Path(tempfile.mkdtemp(prefix="miam_nb_")) / "demo_projet"
        build_demo(target, quiet=True).close()
        os.environ["MIAM_PROJET"] = str(target)


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
