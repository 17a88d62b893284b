"""Listening in a real browser (notebook 03): a testimony picked in the coding panel, a passage
clicked, « Écouter à partir d'ici » — the <audio> element plays (its time advances), the cue heard
is outlined in the coding panel and the outline follows the voice into the next cue; a click on a
timecode of the list plays from there; a document without recording says so on the status line.

Uses the JupyterLab server and Chromium of ``test_in_lab`` (its module fixtures).
"""

from __future__ import annotations

import pytest

from miam_qual import Project
from miam_qual.widgets.layout import format_ms

from .lab import glyph_box, open_and_run
from .test_in_lab import ARTIFACTS, Lab, lab, page  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

DOCUMENT = "temoignage_01.vtt"
PLAYING = (
    "() => [...document.querySelectorAll('.miam-cp-block.playing [data-s]')]"
    ".map(s => Number(s.dataset.s))"
)
AUDIO_TIME = (
    "() => Math.max(...[...document.querySelectorAll('.miam-lp-audio')]"
    ".map(a => a.paused ? 0 : a.currentTime))"
)


def test_listen_from_a_passage_and_follow_it_in_jupyterlab(lab: Lab, page) -> None:  # noqa: F811
    with Project.open(lab.project, read_only=True) as project:
        cues = project.timecodes(DOCUMENT)
    open_and_run(page, lab.base, "notebooks/03_coder_les_entretiens.ipynb", workspace="ecouter")
    page.wait_for_selector(".miam-cp-doc [data-s]", timeout=60_000)
    page.wait_for_selector(".miam-lp")

    # the first document has no recording: said on the listening panel's status line
    page.click(".miam-lp-here")
    page.wait_for_function(
        "() => document.querySelector('.miam-lp-status').textContent.includes("
        "\"n'a pas d'enregistrement\")"
    )
    assert "error" in page.get_attribute(".miam-lp-status", "class")

    page.click(".miam-cp-findbar button:has-text('Documents…')")
    page.fill(".miam-cp-picker input[type=search]", "temoignage_01")
    page.wait_for_function("() => document.querySelectorAll('.miam-cp-pick').length === 1")
    page.click(".miam-cp-pick")
    page.wait_for_function(
        f"() => document.querySelector('.miam-cp-title strong').textContent === '{DOCUMENT}'"
    )
    page.wait_for_function(
        f"() => document.querySelectorAll('.miam-lp-cue').length === {len(cues)}"
    )

    # click in the second cue, then « Écouter à partir d'ici »
    second = cues.iloc[1]
    span = page.eval_on_selector_all(
        ".miam-cp-text [data-s]",
        "(spans, at) => spans.map(s => Number(s.dataset.s)).filter(s => s <= at).pop()",
        int(second["start"]) + 5,
    )
    target = f".miam-cp-text [data-s='{span}']"
    page.eval_on_selector(target, "n => n.scrollIntoView({block: 'center'})")
    box = glyph_box(page, target, int(second["start"]) + 5 - span)  # no emoji: code points = UTF-16
    page.mouse.click(box["x"] + 1, box["y"] + box["height"] / 2)
    page.click(".miam-lp-here")
    page.wait_for_function(
        "() => document.querySelector('.miam-lp-status').textContent"
        f" === 'Écoute de temoignage_01.wav à partir de {format_ms(int(second['begin_ms']))}.'"
    )
    try:
        page.wait_for_function(f"() => ({AUDIO_TIME})() > 0.5", timeout=15_000)
        page.wait_for_function(
            "() => document.querySelector('.miam-lp-cue.current')?.dataset.index === '1'"
        )
        outlined = page.evaluate(PLAYING)
        assert outlined and min(outlined) <= int(second["start"]) < max(outlined) + 200
        # the outline follows the voice into the next cue
        third = cues.iloc[2]
        wait_s = (int(third["begin_ms"]) - int(second["begin_ms"])) / 1000 + 10
        page.wait_for_function(
            "() => document.querySelector('.miam-lp-cue.current')?.dataset.index === '2'",
            timeout=wait_s * 1000,
        )
        assert page.evaluate(
            "() => CSS.highlights.get('miam-playing') !== undefined"
        )  # the cue's exact words
    finally:
        page.screenshot(path=str(ARTIFACTS / "listen_in_lab.png"))

    # a timecode of the list: plays from there; ■ stops
    page.click(".miam-lp-cue[data-index='4']")
    page.wait_for_function(
        "() => document.querySelector('.miam-lp-cue.current')?.dataset.index === '4'",
        timeout=15_000,
    )
    page.click(".miam-lp-btn:has-text('Arrêter')")
    page.wait_for_function(f"() => ({AUDIO_TIME})() === 0")
    page.wait_for_function("() => !document.querySelector('.miam-cp-block.playing')")
