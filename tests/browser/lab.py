"""Helpers for driving a real JupyterLab in headless Chromium (tests and benchmarks).

A server runs on 127.0.0.1 and a free port, with a fixed token, its own HOME and Jupyter folders
under a scratch directory, and is stopped by its own PID. Chromium is Debian's
(``/usr/bin/chromium``), launched by Playwright with a fresh profile. Each notebook is opened in
its own JupyterLab workspace so that one server can serve several tests without one test's tabs
(and kernels) coming back in the next.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"  # screenshots, kept by CI
TOKEN = "miam-test-token"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def isolated_env(scratch: Path, **extra: str) -> dict[str, str]:
    """Environment for the server: every Jupyter folder and HOME under ``scratch``."""
    env = dict(os.environ)
    folders = {
        "HOME": "home",
        "TMPDIR": "tmp",
        "JUPYTER_CONFIG_DIR": "jupyter_config",
        "JUPYTER_RUNTIME_DIR": "jupyter_runtime",
        "JUPYTERLAB_SETTINGS_DIR": "lab_settings",
        "JUPYTERLAB_WORKSPACES_DIR": "lab_workspaces",
        "MIAM_CONFIG_DIR": "miam_config",
        "IPYTHONDIR": "ipython",
    }
    for name, sub in folders.items():
        (scratch / sub).mkdir(parents=True, exist_ok=True)
        env[name] = str(scratch / sub)
    news = scratch / "lab_settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True, exist_ok=True)
    (news / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}), encoding="utf-8"
    )
    env.update(extra)
    return env


@contextlib.contextmanager
def running_lab(root: Path, env: dict[str, str], *, log: Path) -> Iterator[str]:
    """Start ``jupyter lab`` on ``root``; yields its base URL; stops it (and its kernels)."""
    port = free_port()
    command = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
        "--ip=127.0.0.1", f"--port={port}", f"--IdentityProvider.token={TOKEN}",
        f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
    ]  # fmt: skip
    with open(log, "wb") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab n'a pas démarré : voir {log}") from None
                time.sleep(0.2)
        yield base
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@contextlib.contextmanager
def chromium_page(profile: Path, *, width: int = 1500, height: int = 1000) -> Iterator[object]:
    """A Playwright page in headless Debian Chromium with a fresh profile, ``width`` × ``height``
    CSS pixels."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=FLAGS,
            viewport={"width": width, "height": height},
        )  # fmt: skip
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()


def require_chromium() -> None:
    """Skip (French reason) when Debian's Chromium is absent; fail instead when
    ``MIAM_NAVIGATEUR_REQUIS=1`` (CI)."""
    import pytest

    if CHROMIUM.exists():
        return
    reason = f"Chromium absent ({CHROMIUM}) : test du panneau dans le navigateur non exécuté."
    if os.environ.get("MIAM_NAVIGATEUR_REQUIS") == "1":
        pytest.fail(reason + " MIAM_NAVIGATEUR_REQUIS=1 exige ce test.")
    pytest.skip(reason)


def stop_kernels(base: str) -> None:
    """Shut down every kernel of the server (between tests sharing it)."""
    request = urllib.request.Request(f"{base}/api/kernels?token={TOKEN}")
    with urllib.request.urlopen(request, timeout=10) as answer:
        kernels = json.load(answer)
    for kernel in kernels:
        url = f"{base}/api/kernels/{kernel['id']}?token={TOKEN}"
        urllib.request.urlopen(urllib.request.Request(url, method="DELETE"), timeout=20).close()


def open_and_run(
    page, base: str, notebook: str, *, timeout: float = 120_000, workspace: str | None = None
) -> None:
    """Open a notebook in JupyterLab (in its own workspace when ``workspace`` is given), wait for
    an idle kernel, then run all its cells."""
    where = f"lab/workspaces/{workspace}" if workspace else "lab"
    page.goto(f"{base}/{where}/tree/{notebook}?token={TOKEN}")
    try:
        page.wait_for_function(  # the notebook is the current tab, its kernel connected and idle
            "() => { const app = window.jupyterapp;"  # undefined until JupyterLab has started
            " const w = app && app.shell && app.shell.currentWidget;"
            " const k = w && w.sessionContext && w.sessionContext.session"
            " && w.sessionContext.session.kernel;"
            f" return k && k.connectionStatus === 'connected' && k.status === 'idle'"
            f" && w.context.path === {json.dumps(notebook)}; }}",
            timeout=timeout,
        )
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.wait_for_function(
            "() => { const p = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')];"
            " return p.length && p.every(e => /\\[\\d+\\]/.test(e.textContent)); }",
            timeout=timeout,
        )
    except Exception:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        stem = Path(notebook).stem
        page.screenshot(path=str(ARTIFACTS / f"echec_{stem}.png"))
        cells = page.eval_on_selector_all(  # each cell's prompt and the start of its output
            ".jp-CodeCell",
            "cs => cs.map(c => (c.querySelector('.jp-InputArea-prompt') || {}).textContent + ' '"
            " + ((c.querySelector('.jp-OutputArea') || {}).innerText || '').slice(0, 300))",
        )
        (ARTIFACTS / f"echec_{stem}.txt").write_text("\n".join(cells), encoding="utf-8")
        raise
    page.wait_for_timeout(500)  # the notebook scrolls to the last cell; let it settle


def glyph_box(page, selector: str, index: int) -> dict:
    """Viewport box of the ``index``-th UTF-16 unit of the first text node under ``selector``."""
    return page.evaluate(
        """([sel, i]) => {
            const node = document.querySelector(sel).firstChild;
            const range = document.createRange();
            range.setStart(node, i); range.setEnd(node, i + 1);
            const r = range.getBoundingClientRect();
            return {x: r.x, y: r.y, width: r.width, height: r.height};
        }""",
        [selector, index],
    )


def drag_select(page, start: dict, end: dict) -> None:
    """Press on the left of one glyph and release on the right of another, like a reader."""
    page.mouse.move(start["x"] + 1, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] - 1, end["y"] + end["height"] / 2, steps=12)
    page.mouse.up()


def cut_labels(scope) -> list[str]:
    """Labels of the visible buttons under ``scope`` (a Playwright locator) that their button
    cuts (« Proposer com… »): a user could not read them."""
    return scope.locator("button:visible").evaluate_all(
        "bs => bs.filter(b => b.scrollWidth > b.clientWidth + 1).map(b => b.textContent.trim())"
    )


def click_round_trips(
    page, count: int, *, stride: int = 5, plain_click: bool = False
) -> list[float]:
    """Milliseconds from a click on a code to the frame after its highlight is drawn (the coding
    panel's own ``miamTimings``), for ``count`` passages of the open document: each passage
    (every ``stride``-th span of plain words) is scrolled into view, dragged over — after a
    plain click on it first when ``plain_click``, as a reader does — then coded by a click on
    one of the first five codes. For the benchmarks."""
    times = []
    for i in range(count):
        offset = page.eval_on_selector_all(
            ".miam-cp-text [data-s]:not(.miam-cp-speaker):not(.miam-cp-hl)",
            "(spans, at) => { const ok = spans.filter(s => /^\\w{3}/.test(s.textContent)"
            " && s.textContent.length > 30); return ok[at % ok.length].dataset.s; }",
            i * stride,
        )
        target = f".miam-cp-text [data-s='{offset}']"
        for _ in range(2):  # blocks scrolled past are laid out only then: aim again
            page.eval_on_selector(target, "n => n.scrollIntoView({block: 'center'})")
            page.wait_for_timeout(250)
        start, end = glyph_box(page, target, 1), glyph_box(page, target, 12)
        if plain_click:
            page.mouse.click(start["x"] + 1, start["y"] + start["height"] / 2)
            page.wait_for_function(
                "() => document.querySelector('.miam-cp-status').textContent === ''"
            )
        drag_select(page, start, end)
        page.wait_for_function(
            "() => document.querySelector('.miam-cp-status').textContent.startsWith('Sélection')"
        )
        page.evaluate("() => { window.miamTimings.length = 0; }")
        page.click(f".miam-cp-apply >> nth={i % 5}")
        page.wait_for_function("() => window.miamTimings.length > 0")
        times.append(page.evaluate("() => window.miamTimings[0]"))
    return times


@contextlib.contextmanager
def panel_in_lab(root: Path, source: str) -> Iterator[object]:
    """A JupyterLab on ``root`` (whose ``projet/`` is the project) showing the coding panel that
    the one-cell notebook ``source`` builds, run top to bottom; yields the Chromium page once the
    panel has drawn its document. For the benchmarks."""
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
            "source": source}  # fmt: skip
    kernel = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    notebook = {"cells": [cell], "metadata": {"kernelspec": kernel}, "nbformat": 4,
                "nbformat_minor": 5}  # fmt: skip
    (root / "bench.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    env = isolated_env(root / "scratch", MIAM_PROJET=str(root / "projet"))
    with (
        running_lab(root, env, log=root / "lab.log") as base,
        chromium_page(root / "profil") as page,
    ):
        open_and_run(page, base, "bench.ipynb")
        page.wait_for_selector(".miam-cp-doc [data-s]", timeout=120_000)
        yield page
