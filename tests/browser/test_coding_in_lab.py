"""The whole path once, in a real browser: JupyterLab, notebook 03, mouse, keyboard, database.

Skipped when Debian's Chromium is absent, unless ``MIAM_NAVIGATEUR_REQUIS=1`` (CI), where a
missing browser is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from miam_qual import Project
from miam_qual.widgets import snap_to_words

from .lab import (
    CHROMIUM,
    chromium_page,
    drag_select,
    glyph_box,
    isolated_env,
    open_and_run,
    running_lab,
)

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "artifacts"
NOTEBOOK = "notebooks/03_coder_les_entretiens.ipynb"
CODER = "stagiaire"


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = f"Chromium absent ({CHROMIUM}) : test du panneau dans le navigateur non exécuté."
    if os.environ.get("MIAM_NAVIGATEUR_REQUIS") == "1":
        pytest.fail(reason + " MIAM_NAVIGATEUR_REQUIS=1 exige ce test.")
    pytest.skip(reason)


def utf16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def rows(project_root: Path) -> set[tuple]:
    with Project.open(project_root) as project:
        frame = project.codings()
        return set(
            zip(
                *(
                    frame[c]
                    for c in ("coding_id", "document", "start", "end", "text", "code_id", "coder")
                ),
                strict=True,
            )
        )


def test_code_a_passage_in_jupyterlab(built_demo: Path, tmp_path: Path) -> None:
    require_chromium()
    work = tmp_path / "travail"
    shutil.copytree(built_demo, work / "demo_projet")
    (work / "notebooks").mkdir(parents=True)
    shutil.copy(REPO / NOTEBOOK, work / NOTEBOOK)
    before = rows(work / "demo_projet")
    env = isolated_env(
        tmp_path / "scratch", MIAM_PROJET=str(work / "demo_projet"), MIAM_CODEUR=CODER
    )
    errors: list[str] = []
    with (
        running_lab(work, env, log=tmp_path / "lab.log") as base,
        chromium_page(tmp_path / "profil") as page,
    ):
        page.on("pageerror", lambda err: errors.append(str(err)))
        open_and_run(page, base, NOTEBOOK)
        page.wait_for_selector(".miam-cp-doc [data-s]", timeout=60_000)
        document = page.inner_text(".miam-cp-title strong")
        offset = page.eval_on_selector_all(  # the first passage long enough to drag over
            ".miam-cp-text [data-s]:not(.miam-cp-speaker)",
            "spans => spans.find(s => s.textContent.split(/\\s+/).length > 8).dataset.s",
        )
        target = f".miam-cp-text [data-s='{offset}']"
        span = page.wait_for_selector(target, state="attached")
        span.evaluate("n => n.scrollIntoView({block: 'center'})")  # away from the sticky toolbar
        page.wait_for_timeout(300)
        piece = span.evaluate("n => n.textContent")
        offset = int(offset)
        words = [m.start() for m in re.finditer(r"\w+", piece)]
        first, last = words[1], words[4] + 1  # from the 2nd word to inside the 5th
        drag_select(
            page,
            glyph_box(page, target, utf16(piece, first)),
            glyph_box(page, target, utf16(piece, last)),
        )
        try:
            page.wait_for_function(
                "() => document.querySelector('.miam-cp-status').textContent.startsWith('Sélection')"
            )
        finally:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "coding_in_lab_selection.png"))
        with Project.open(work / "demo_projet") as project:
            start, end = snap_to_words(project.text(document), offset + first, offset + last + 1)
            text = project.text(document)[start:end]
        assert page.inner_text(".miam-cp-excerpt") == f"« {text} »"

        shortcut = page.eval_on_selector(
            ".miam-cp-code kbd", "k => k.parentElement.querySelector('[data-code]').dataset.code"
        )
        assert page.inner_text(".miam-cp-code kbd") == "1"
        page.keyboard.press("1")
        page.wait_for_function("() => document.querySelectorAll('.miam-cp-here').length === 1")
        clicked = page.eval_on_selector_all(
            ".miam-cp-apply",
            "(bs, skip) => bs.map(b => b.dataset.code).find(c => c !== skip)",
            shortcut,
        )
        page.click(f".miam-cp-apply[data-code='{clicked}']")
        page.wait_for_function("() => document.querySelectorAll('.miam-cp-here').length === 2")
        page.click(".miam-cp-here:has(.miam-cp-remove) >> nth=0 >> .miam-cp-remove")
        page.wait_for_function("() => document.querySelectorAll('.miam-cp-here').length === 1")
        assert page.query_selector(".miam-cp-hl") is not None  # the highlight is drawn
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "coding_in_lab.png"))
        page.locator(".miam-cp").screenshot(path=str(ARTIFACTS / "coding_panel.png"))
    after = rows(work / "demo_projet")
    assert before <= after
    added = {row[1:] for row in after - before}
    kept = {shortcut, clicked} - {row[5] for row in after - before}
    assert len(kept) == 1  # one of the two codes was removed again
    assert added == {(document, start, end, text, ({shortcut, clicked} - kept).pop(), CODER)}
    assert not errors, errors
