"""The rest of a coding day in a real browser (notebook 03, 1366×768): retrieve a code's segments
in the retrieval view and jump back to one in the coding panel; write a memo on a code in the memo
panel — each checked in the database.

Uses the JupyterLab server and Chromium of ``test_in_lab`` (its module fixtures).
"""

from __future__ import annotations

import pytest

from miam_qual import Project
from miam_qual.widgets import MemoEditor, SegmentRetrieval

from .lab import cut_labels, open_and_run
from .test_in_lab import CODER, SMALL, Lab, lab, page  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser
CODE = "isolement"


def test_retrieve_jump_back_and_write_a_memo_in_jupyterlab(lab: Lab, page) -> None:  # noqa: F811
    with Project.open(lab.project) as project:
        code_label = dict((v, k) for k, v in SegmentRetrieval(project).code_choices())[CODE]
        editor = MemoEditor(project, author=CODER)
        editor.set_kind("code")
        memo_label = dict((v, k) for k, v in editor.targets())
        segments = project.codings(CODE)
        coded = set(zip(segments["document"], segments["text"], strict=True))
    page.set_viewport_size(SMALL)
    open_and_run(page, lab.base, "notebooks/03_coder_les_entretiens.ipynb", workspace="journee")
    page.wait_for_selector(".miam-cp-doc [data-s]", timeout=60_000)

    # the retrieval view: a code's segments, then « Aller au passage » on the third
    view = page.locator(".jp-OutputArea-output:has(button:has-text('Afficher'))").first
    view.scroll_into_view_if_needed()
    view.locator(".widget-dropdown select").first.select_option(label=code_label)
    view.locator("button:has-text('Afficher')").click()
    view.locator("text=passage(s)").first.wait_for(timeout=20_000)
    jumps = view.locator("button:has-text('Aller au passage')")
    assert jumps.count() >= 3
    jumps.nth(2).click()
    page.wait_for_function(
        "() => document.querySelector('.miam-cp-excerpt').textContent.startsWith('« ')"
    )
    document = page.inner_text(".miam-cp-title strong")
    excerpt = page.inner_text(".miam-cp-excerpt")[2:-2]
    assert (document, excerpt) in coded  # the coding panel opened that document, that passage
    selected = page.locator(".miam-cp-sel").first
    selected.scroll_into_view_if_needed()
    assert selected.is_visible()
    page.locator(".miam-cp").screenshot(path="tests/artifacts/retour_au_passage.png")
    cut = cut_labels(page.locator(".miam-cp")) + cut_labels(view)
    assert cut == [], "\n".join(cut)

    # the memo panel: a memo on the code, written on its button only
    memos = page.locator(".jp-OutputArea-output:has(.widget-toggle-buttons)").first
    memos.scroll_into_view_if_needed()
    memos.locator(".widget-toggle-buttons button", has_text="Codes").click()
    memos.locator(".widget-select select").select_option(label=memo_label[CODE])
    text = "Isolement : distinguer l'isolement subi du choix de vivre seul."
    memos.locator("textarea").fill(text)
    with Project.open(lab.project, read_only=True) as project:
        assert text not in set(project.memos("code")["text"])  # typing writes nothing
    assert cut_labels(memos) == []
    memos.locator("button:has-text('Enregistrer')").click()
    memos.locator("text=enregistré").first.wait_for(timeout=10_000)
    with Project.open(lab.project, read_only=True) as project:
        notes = project.memos("code")
        book = project.codebook
        mine = notes[(notes["author"] == CODER) & (notes["target_id"] == book.get(CODE).guid)]
        assert mine["text"].tolist() == [text]
