"""The review loop in a real browser (notebook 04, 1366×768): Run All writes nothing; the panel fits
the screen; a coding chosen in « Commenter » is contested on the button, the
contestation is listed in « À revoir » with its passage, and « Marquer comme réglé » settles it —
down to the database.

Uses the JupyterLab server and Chromium of ``test_in_lab`` (its module fixtures).
"""

from __future__ import annotations

import pytest
from notebook_guard import differences, fingerprint

from miam_qual import Project
from miam_qual.widgets import ReviewLoop

from .lab import cut_labels, open_and_run
from .test_in_lab import ARTIFACTS, CODER, SMALL, Lab, lab, page  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser
IDLE = (
    "() => { const w = window.jupyterapp.shell.currentWidget;"
    " return w.sessionContext.session.kernel.status === 'idle'; }"
)


def settled(tab) -> None:
    """Let the kernel take the last change in: a value typed while it is busy is buffered by the
    widget manager, and a button click sent meanwhile would overtake it."""
    tab.wait_for_timeout(300)
    tab.wait_for_function(IDLE, timeout=10_000)


def test_contest_a_coding_then_settle_it_in_jupyterlab(lab: Lab, page) -> None:  # noqa: F811
    with Project.open(lab.project) as project:
        if CODER not in set(project.coders()["coder"]):  # alone, this test registers its coder
            project.add_coder(CODER)
        label, coding = ReviewLoop(project, author=CODER).target_choices()[0]
        already = len(project.threads())
    page.set_viewport_size(SMALL)
    before = fingerprint(lab.project)
    open_and_run(page, lab.base, "notebooks/04_revue_des_themes.ipynb", workspace="boucle")
    assert differences(before, fingerprint(lab.project)) == []  # Run All wrote nothing

    panel = page.locator(".jp-OutputArea-output:has(.lm-TabBar-tab:has-text('À revoir'))").last
    panel.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    box = panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= SMALL["width"], box
    assert box["height"] <= SMALL["height"] - 200, box  # leaves room for JupyterLab's bars
    for title in panel.locator(".lm-TabBar-tabLabel").all():
        assert title.evaluate("e => e.scrollWidth <= e.clientWidth")  # no title is cut
    page.screenshot(path=str(ARTIFACTS / "revue_des_codages_1366x768.png"))
    assert cut_labels(panel) == []

    panel.locator(".lm-TabBar-tab", has_text="Commenter").click()
    panel.locator(".widget-select select:visible").select_option(label=label)
    settled(page)
    panel.locator("textarea:visible").fill("Ce passage parle d'autre chose.")
    settled(page)
    panel.locator("button.jupyter-button:visible", has_text="Contester").click()
    panel.locator("text=Codage contesté").wait_for(timeout=10_000)
    with Project.open(lab.project, read_only=True) as reopened:
        [row] = reopened.to_review()[lambda f: f["coding_id"] == coding].to_dict("records")
        assert (row["kind"], row["author"]) == ("contestation", CODER)
        assert len(reopened.threads()) == already + 1
        choices = dict((v, k) for k, v in ReviewLoop(reopened, author=CODER).item_choices())
        item = choices[row["thread_id"]]  # the demo's own threads are listed too

    panel.locator(".lm-TabBar-tab", has_text="À revoir").click()
    panel.locator(".widget-select select:visible").select_option(label=item)
    settled(page)
    panel.locator("p:visible", has_text="Ce passage parle d'autre chose.").wait_for(timeout=10_000)
    panel.locator("button.jupyter-button:visible", has_text="Marquer comme réglé").click()
    panel.locator("text=Marqué comme réglé").wait_for(timeout=10_000)
    panel.screenshot(path=str(ARTIFACTS / "revue_des_codages_regle.png"))
    with Project.open(lab.project, read_only=True) as reopened:
        [row] = reopened.threads(coding).to_dict("records")
        assert (row["status"], row["settled_by"]) == ("réglé", CODER)
