"""The notebooks in a real browser: JupyterLab, mouse, keyboard, database.

- notebook 03: a passage selected with the mouse and coded by key and by click, down to the
  database;
- notebook 02 on a 1366×768 screen: Run All writes nothing; the codebook panel fits the screen and
  saves a change;
- notebook 04 on a 1366×768 screen: Run All writes nothing; the report is written on its button
  only, into the project's dated ``exports/<date>_rapports``, shown with links JupyterLab opens.
- notebook 03's edit mode: a word typed inside a coded passage; the coding follows, is shown
  « modifié » and is confirmed.

One JupyterLab server and one Chromium serve the four tests (starting them is most of the cost);
each test opens its notebook in its own JupyterLab workspace, on a page of its own, and the
kernels are stopped between tests. The tests share one copy of the demo project: each compares
the project before and after its own actions only.

Skipped when Debian's Chromium is absent, unless ``MIAM_NAVIGATEUR_REQUIS=1`` (CI), where a
missing browser is a failure.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from notebook_guard import differences, fingerprint

from miam_qual import Project
from miam_qual.widgets import snap_to_words

from .lab import (
    CHROMIUM,
    FLAGS,
    drag_select,
    glyph_box,
    isolated_env,
    open_and_run,
    require_chromium,
    running_lab,
    stop_kernels,
)

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "artifacts"
NOTEBOOKS = [
    "02_livre_de_codes.ipynb",
    "03_coder_les_entretiens.ipynb",
    "04_revue_des_themes.ipynb",
]
CODER = "stagiaire"
SMALL = {"width": 1366, "height": 768}


@dataclass
class Lab:
    base: str
    project: Path
    browser: object  # a Playwright persistent context


@pytest.fixture(scope="module")
def lab(built_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    scratch = tmp_path_factory.mktemp("lab")
    work = scratch / "travail"
    shutil.copytree(built_demo, work / "demo_projet")
    (work / "notebooks").mkdir(parents=True)
    for notebook in NOTEBOOKS:
        shutil.copy(REPO / "notebooks" / notebook, work / "notebooks" / notebook)
    env = isolated_env(
        scratch / "scratch", MIAM_PROJET=str(work / "demo_projet"), MIAM_CODEUR=CODER
    )
    env.pop("MIAM_EXPORTS", None)  # the default: exports/<date>_<kind> inside the project
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with (
        running_lab(work, env, log=scratch / "lab.log") as base,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch_persistent_context(
            str(scratch / "profil"), executable_path=str(CHROMIUM), headless=True, args=FLAGS,
            viewport={"width": 1500, "height": 1000},
        )  # fmt: skip
        try:
            yield Lab(base, work / "demo_projet", browser)
        finally:
            browser.close()


@pytest.fixture
def page(lab: Lab) -> Iterator[object]:
    """A fresh page (tab) on the shared browser; its page errors must stay empty."""
    tab = lab.browser.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda err: errors.append(str(err)))
    try:
        yield tab
    finally:
        tab.close()
        stop_kernels(lab.base)
    assert errors == [], errors


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


def test_code_a_passage_in_jupyterlab(lab: Lab, page) -> None:
    before = rows(lab.project)
    open_and_run(page, lab.base, "notebooks/03_coder_les_entretiens.ipynb", workspace="coder")
    page.wait_for_selector(".miam-cp-doc [data-s]", timeout=60_000)
    document = page.wait_for_function(  # read once the top bar shows the open document's name
        "() => { const t = document.querySelector('.miam-cp-title strong');"
        " const name = t && t.isConnected ? t.textContent.trim() : '';"
        " return name && name !== 'Aucun document' ? name : null; }"
    ).json_value()
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
        page.screenshot(path=str(ARTIFACTS / "coding_in_lab_selection.png"))
    with Project.open(lab.project) as project:
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
    top = page.eval_on_selector(".miam-cp-apply", "b => b.getBoundingClientRect().top")
    page.click(f".miam-cp-apply[data-code='{clicked}']")
    page.wait_for_function("() => document.querySelectorAll('.miam-cp-here').length === 2")
    # the list did not move under the mouse, and the keyboard stayed in the panel after the click
    assert page.eval_on_selector(".miam-cp-apply", "b => b.getBoundingClientRect().top") == top
    page.keyboard.press("Control+z")
    page.wait_for_function("() => document.querySelectorAll('.miam-cp-here').length === 1")
    assert page.inner_text(".miam-cp-status").startswith("Annulé : codage")
    page.keyboard.press("Control+y")
    page.wait_for_function("() => document.querySelectorAll('.miam-cp-here').length === 2")
    page.click(".miam-cp-here:has(.miam-cp-remove) >> nth=0 >> .miam-cp-remove")
    page.wait_for_function("() => document.querySelectorAll('.miam-cp-here').length === 1")
    assert page.query_selector(".miam-cp-hl") is not None  # the highlight is drawn
    # the coding's stripe runs beside the lines it covers, in its code's colour
    kept_id = page.eval_on_selector(".miam-cp-here", "n => n.dataset.coding")
    page.wait_for_selector(f".miam-cp-stripe[data-coding='{kept_id}']")
    stripe = page.locator(f".miam-cp-stripe[data-coding='{kept_id}']").bounding_box()
    marked = page.eval_on_selector_all(
        ".miam-cp-hl",
        "(ns, id) => ns.filter(n => n.dataset.codings.split(' ').includes(id))"
        ".flatMap(n => [...n.getClientRects()]).map(r => [r.top, r.bottom])",
        kept_id,
    )
    assert marked and stripe["height"] >= 4
    assert abs(stripe["y"] - min(t for t, _ in marked)) <= 2
    assert abs(stripe["y"] + stripe["height"] - max(b for _, b in marked)) <= 2
    page.screenshot(path=str(ARTIFACTS / "coding_in_lab.png"))
    page.locator(".miam-cp").screenshot(path=str(ARTIFACTS / "coding_panel.png"))

    after = rows(lab.project)
    assert before <= after
    added = {row[1:] for row in after - before}
    kept = {shortcut, clicked} - {row[5] for row in after - before}
    assert len(kept) == 1  # one of the two codes was removed again
    assert added == {(document, start, end, text, ({shortcut, clicked} - kept).pop(), CODER)}


def test_codebook_panel_fits_the_screen_and_saves(lab: Lab, page) -> None:
    page.set_viewport_size(SMALL)
    before = fingerprint(lab.project)
    open_and_run(page, lab.base, "notebooks/02_livre_de_codes.ipynb", workspace="livre")
    assert differences(before, fingerprint(lab.project)) == []  # Run All wrote nothing

    panel = page.locator(".jp-OutputArea-output:has(.widget-select)").first
    panel.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    box = panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= SMALL["width"], box
    assert box["height"] <= SMALL["height"] - 200, box  # leaves room for JupyterLab's bars
    page.screenshot(path=str(ARTIFACTS / "livre_de_codes_1366x768.png"))
    cut = panel.locator("button.jupyter-button:visible").evaluate_all(
        "bs => bs.filter(b => b.scrollWidth > b.clientWidth + 1).map(b => b.textContent)"
    )
    assert cut == []  # every visible button shows its whole label

    page.locator(".widget-select select").first.select_option(label="\u2003› Prix et budget")
    label = page.locator(".widget-text:has(label:text-is('Libellé')) input").first
    page.wait_for_function(
        "e => e.value === 'Prix et budget'", arg=label.element_handle(), timeout=10_000
    )
    label.fill("Prix et budget des familles")
    page.locator("button.jupyter-button", has_text="Enregistrer").click()
    page.wait_for_selector("text=« Prix et budget des familles » enregistré (libellé).")
    tab = page.locator(".lm-TabBar-tab", has_text="Déplacer, fusionner, supprimer")
    title = tab.locator(".lm-TabBar-tabLabel")
    assert title.evaluate("e => e.scrollWidth <= e.clientWidth")  # the title is not cut
    tab.click()
    page.locator("button.jupyter-button", has_text="Supprimer…").click()
    page.wait_for_selector("text=ne peut pas être supprimé : il porte")
    panel.screenshot(path=str(ARTIFACTS / "livre_de_codes_refus.png"))

    with Project.open(lab.project) as reopened:
        assert reopened.codebook.get("prix").label == "Prix et budget des familles"
        change = reopened.codebook_history().iloc[-1]
        assert (change["who"], change["action"], change["code_id"]) == (
            CODER,
            "modification",
            "prix",
        )
        assert "prix" in reopened.codebook  # the refused deletion left it


def test_report_is_written_on_click_only(lab: Lab, page) -> None:
    page.set_viewport_size(SMALL)
    before = fingerprint(lab.project)
    open_and_run(page, lab.base, "notebooks/04_revue_des_themes.ipynb", workspace="revue")
    assert differences(before, fingerprint(lab.project)) == []  # Run All wrote nothing
    filters = page.locator(".jp-OutputArea-output:has(.widget-dropdown)").first  # the review's
    labels = filters.locator(".widget-dropdown select").evaluate_all(
        "s => s.map(e => e.options[e.selectedIndex]?.text)"
    )
    assert labels.count("(tous)") == len(labels) - 2, labels  # theme and wave set in code
    page.locator("button.jupyter-button", has_text="Écrire le rapport").click()
    page.wait_for_selector("text=3 fichier(s) écrit(s)", timeout=180_000)
    form = page.locator(".jp-OutputArea-output:has(button:has-text('Écrire le rapport'))")
    form.first.screenshot(path=str(ARTIFACTS / "rapport_ecrit.png"))

    folder = f"exports/{dt.date.today().isoformat()}_rapports"
    written = ["revue_des_themes.docx", "revue_des_themes.html", "revue_des_themes.xlsx"]
    assert sorted(p.name for p in (lab.project / folder).iterdir()) == written
    changes = differences(before, fingerprint(lab.project))
    # the click wrote the report, and the word counts kept for the next report (nlp.py)
    cache = [
        c for c in changes if c.startswith(("dossier ajouté : .cache", "fichier ajouté : .cache"))
    ]
    assert cache[0] == "dossier ajouté : .cache" and len(cache) == 2, cache
    assert re.fullmatch(r"fichier ajouté : \.cache/mots_\w+\.json", cache[1]), cache
    kept = next((lab.project / ".cache").iterdir())
    assert kept.stat().st_mode & 0o077 == 0  # it holds words of the passages: owner only
    assert [c for c in changes if c not in cache] == [
        "dossier ajouté : exports",
        f"dossier ajouté : {folder}",
        *(f"fichier ajouté : {folder}/{name}" for name in written),
    ]
    link = form.first.locator("a", has_text="revue_des_themes.html")
    target = link.evaluate("a => new URL(a.getAttribute('href'), location.href).pathname")
    assert target == f"/lab/workspaces/revue/tree/demo_projet/{folder}/revue_des_themes.html"

    # the coded segments, in one Excel file, on their own button
    page.locator("button.jupyter-button", has_text="Exporter les segments codés").click()
    page.wait_for_selector("text=1 fichier(s) écrit(s)", timeout=60_000)
    segments = page.locator(".jp-OutputArea-output:has(button:has-text('Exporter les segments'))")
    segments.first.screenshot(path=str(ARTIFACTS / "segments_ecrits.png"))
    written = lab.project / f"exports/{dt.date.today().isoformat()}_segments/segments_codes.xlsx"
    with Project.open(lab.project) as project:
        expected = len(project.codings())
    rows = openpyxl.load_workbook(written)["Segments codés"].max_row - 1
    assert 0 < rows <= expected  # the words of whoever refused analysis are left out


def test_correct_a_word_inside_a_coded_passage(lab: Lab, page) -> None:
    """Issue 11: open the edit mode where one codes, type as in a text editor, save; the coding
    follows the words, shows « modifié » and is confirmed — down to the database."""
    with Project.open(lab.project) as project:
        document = str(project.documents()["document"].iloc[0])  # the one the panel opens first
        text = project.text(document)
        units = project.units(document)
        para = next(
            u for u in units.itertuples() if len(re.findall(r"\w+", text[u.start : u.end])) > 12
        )
        words = [m.span() for m in re.finditer(r"\w+", text[para.start : para.end])]
        start, end = para.start + words[2][0], para.start + words[7][1]
        code = next(c.id for c in project.codebook if c.codable)
        if CODER not in set(project.coders()["coder"]):  # alone, this test codes first
            project.add_coder(CODER)
        coding = project.code(document, start, end, code, coder=CODER)
        passage = text[start:end]
    insert_at = words[4][1]  # inside the coded passage, after its 3rd word (in the paragraph)

    open_and_run(page, lab.base, "notebooks/03_coder_les_entretiens.ipynb", workspace="corriger")
    page.wait_for_selector(f".miam-cp-stripe[data-coding='{coding}']", timeout=60_000)
    page.click(f".miam-cp-stripe[data-coding='{coding}']")  # selects the coded passage
    page.wait_for_function(
        "() => document.querySelector('.miam-cp-status').textContent.startsWith('Sélection')"
    )
    page.keyboard.press("e")  # the edit mode's key (the button « Corriger le texte… » too)
    box = page.wait_for_selector("textarea.miam-cp-editbox")
    assert box.evaluate("b => b.value") == text[para.start : para.end]
    assert box.evaluate("b => document.activeElement === b")  # the caret is in the box
    box.evaluate(
        f"b => b.setSelectionRange({utf16(text[para.start :], insert_at)}, {utf16(text[para.start :], insert_at)})"
    )
    page.keyboard.type(" vraiment")  # typed key by key, as a person would
    page.keyboard.press("Shift+ArrowLeft")  # a text editor's keys stay in the box: select « t »
    page.keyboard.type("t")  # …and retype it
    page.locator(".miam-cp-editor").screenshot(path=str(ARTIFACTS / "correction_ouverte.png"))
    page.keyboard.press("Control+Enter")
    page.wait_for_function(
        "() => document.querySelector('.miam-cp-status').textContent.startsWith('Texte corrigé (version 2)')"
    )
    page.wait_for_selector("textarea.miam-cp-editbox", state="detached")
    shown = page.eval_on_selector_all(  # every piece of text drawn sits at its new offset
        ".miam-cp-text [data-s]", "ns => ns.map(n => [Number(n.dataset.s), n.textContent])"
    )

    expected = passage[: insert_at - words[2][0]] + " vraiment" + passage[insert_at - words[2][0] :]
    with Project.open(lab.project) as project:
        now = project.coding(coding)
        assert project.text(document)[now["start"] : now["end"]] == expected
        assert project.modified_codings(document)["coding_id"].tolist() == [coding]
        corrected = project.text(document)
    assert shown and all(corrected[s : s + len(piece)] == piece for s, piece in shown)
    page.wait_for_selector(".miam-cp-hl.miam-cp-modified")
    note = page.wait_for_selector(f".miam-cp-here[data-coding='{coding}'] .miam-cp-modified-note")
    assert note.inner_text().startswith(f"Texte corrigé : avant « {passage} »")
    page.locator(".miam-cp").screenshot(path=str(ARTIFACTS / "correction_a_confirmer.png"))
    assert "null" not in page.inner_text(".miam-cp-side")
    note.query_selector("button").click()
    page.wait_for_selector(".miam-cp-modified-note", state="detached")
    assert page.query_selector(".miam-cp-hl.miam-cp-modified") is None
    with Project.open(lab.project) as project:
        assert project.modified_codings(document).empty
        assert project.text_versions(document)["version"].tolist() == [1, 2]
        assert project.validate() == []
