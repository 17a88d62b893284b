"""Finding in the coding panel in a real browser (notebook 03, 1366×768): pick a document by a
word of its name, search a word with Ctrl+F, code a hit by key, then code all hits after the
preview and undo them in one step — each checked in the database.

Uses the JupyterLab server and Chromium of ``test_in_lab`` (its module fixtures).
"""

from __future__ import annotations

import pytest

from miam_qual import Project
from miam_qual.search import search_text

from .lab import open_and_run
from .test_in_lab import CODER, SMALL, Lab, lab, page  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def mine(server: Lab) -> set[tuple]:
    with Project.open(server.project) as project:
        frame = project.codings(coder=CODER)
        return set(
            zip(frame["document"], frame["start"], frame["end"], frame["code_id"], strict=True)
        )


def status(tab) -> str:
    return tab.inner_text(".miam-cp-status")


def test_pick_search_and_code_hits_in_jupyterlab(lab: Lab, page) -> None:  # noqa: F811
    page.set_viewport_size(SMALL)
    before = mine(lab)
    open_and_run(page, lab.base, "notebooks/03_coder_les_entretiens.ipynb", workspace="trouver")
    page.wait_for_selector(".miam-cp-doc [data-s]", timeout=60_000)
    assert page.eval_on_selector(".miam-cp-findbar", "b => b.getBoundingClientRect().height") < 50

    # the picker: a word of the name, one click opens the document
    page.click(".miam-cp-findbar button:has-text('Documents…')")
    page.fill(".miam-cp-picker input[type=search]", "restauration")
    page.wait_for_function("() => [...document.querySelectorAll('.miam-cp-pick')].length === 1")
    page.click(".miam-cp-pick")
    page.wait_for_function(
        "() => document.querySelector('.miam-cp-title strong').textContent"
        " === 'entretien_restauration_scolaire.odt'"
    )
    assert page.is_hidden(".miam-cp-picker")

    # Ctrl+F inside the panel goes to its search box (not JupyterLab's), Enter searches
    page.click(".miam-cp-doc [data-s] >> nth=3")
    page.keyboard.press("Control+f")
    assert page.evaluate("() => document.activeElement.classList.contains('miam-cp-search')")
    page.keyboard.type("CANTINE")
    page.keyboard.press("Enter")
    page.wait_for_selector(".miam-cp-hit")
    with Project.open(lab.project) as project:
        hits = search_text(project, "cantine", document="entretien_restauration_scolaire.odt")
    assert page.locator(".miam-cp-hit").count() == len(hits) > 1
    assert status(page) == f"{len(hits)} occurrences de « CANTINE » dans ce document."

    # a click on a hit selects it; the usual key codes it
    page.click(".miam-cp-hit >> nth=1")
    page.wait_for_function("() => document.querySelector('.miam-cp-hit.current')")
    assert (
        "".join(page.eval_on_selector_all(".miam-cp-sel", "s => s.map(e => e.textContent)"))
        == (hits["match"].iloc[1])
    )
    assert status(page).startswith(f"Occurrence 2 sur {len(hits)} : « {hits['match'].iloc[1]} »")
    key_code = page.eval_on_selector(
        ".miam-cp-code kbd", "k => k.parentElement.querySelector('[data-code]').dataset.code"
    )
    page.keyboard.press("1")
    page.wait_for_function("() => document.querySelectorAll('.miam-cp-here').length === 1")
    document = "entretien_restauration_scolaire.odt"
    hit = (document, int(hits["start"].iloc[1]), int(hits["end"].iloc[1]))
    assert mine(lab) - before == {(*hit, key_code)}

    # all hits with the code chosen in the list: a preview first, nothing written before Confirmer
    code = page.eval_on_selector(".miam-cp-find-all select", "s => s.value")
    page.click(".miam-cp-find-all button")
    page.wait_for_selector(".miam-cp-preview")
    assert f"Coder les {len(hits)} occurrences de « CANTINE »" in page.inner_text(
        ".miam-cp-preview"
    )
    assert mine(lab) - before == {(*hit, key_code)}
    page.click(".miam-cp-preview >> text=Confirmer")
    page.wait_for_function("() => !document.querySelector('.miam-cp-preview')")
    spans = {
        (document, int(s), int(e), code) for s, e in zip(hits["start"], hits["end"], strict=True)
    }
    assert mine(lab) - before == spans | {(*hit, key_code)}
    page.keyboard.press("Control+z")  # one step removes them all
    page.wait_for_function(
        "() => document.querySelector('.miam-cp-status').textContent.startsWith('Annulé')"
    )
    assert mine(lab) - before == {(*hit, key_code)}
