"""Notebooks 02 and 04 in a real browser on a 1366×768 screen: Run All writes nothing; the
codebook panel fits the screen and saves a change; the report is written on its button only.

Skipped when Debian's Chromium is absent, unless ``MIAM_NAVIGATEUR_REQUIS=1`` (CI).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from notebook_guard import differences, fingerprint

from miam_qual import Project

from .lab import chromium_page, isolated_env, open_and_run, running_lab
from .test_coding_in_lab import ARTIFACTS, REPO, require_chromium

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 1366, 768
CODER = "stagiaire"


def workspace(built_demo: Path, tmp_path: Path, notebook: str) -> Path:
    work = tmp_path / "travail"
    shutil.copytree(built_demo, work / "demo_projet")
    (work / "notebooks").mkdir(parents=True)
    shutil.copy(REPO / "notebooks" / notebook, work / "notebooks" / notebook)
    return work


def test_codebook_panel_fits_the_screen_and_saves(built_demo: Path, tmp_path: Path) -> None:
    require_chromium()
    work = workspace(built_demo, tmp_path, "02_livre_de_codes.ipynb")
    project = work / "demo_projet"
    env = isolated_env(tmp_path / "scratch", MIAM_PROJET=str(project), MIAM_CODEUR=CODER)
    before = fingerprint(project)
    errors: list[str] = []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with (
        running_lab(work, env, log=tmp_path / "lab.log") as base,
        chromium_page(tmp_path / "profil", width=WIDTH, height=HEIGHT) as page,
    ):
        page.on("pageerror", lambda err: errors.append(str(err)))
        open_and_run(page, base, "notebooks/02_livre_de_codes.ipynb")
        assert differences(before, fingerprint(project)) == []  # Run All wrote nothing

        panel = page.locator(".jp-OutputArea-output:has(.widget-select)").first
        panel.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        box = panel.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, box
        assert box["height"] <= HEIGHT - 200, box  # leaves room for JupyterLab's bars
        page.screenshot(path=str(ARTIFACTS / "livre_de_codes_1366x768.png"))

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
    assert errors == []
    with Project.open(project) as reopened:
        assert reopened.codebook.get("prix").label == "Prix et budget des familles"
        change = reopened.codebook_history().iloc[-1]
        assert (change["who"], change["action"], change["code_id"]) == (
            CODER,
            "modification",
            "prix",
        )
        assert "prix" in reopened.codebook  # the refused deletion left it


def test_report_is_written_on_click_only(built_demo: Path, tmp_path: Path) -> None:
    require_chromium()
    work = workspace(built_demo, tmp_path, "04_revue_des_themes.ipynb")
    project = work / "demo_projet"
    exports = tmp_path / "exports"
    env = isolated_env(
        tmp_path / "scratch", MIAM_PROJET=str(project), MIAM_CODEUR=CODER, MIAM_EXPORTS=str(exports)
    )
    before = fingerprint(project)
    errors: list[str] = []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with (
        running_lab(work, env, log=tmp_path / "lab.log") as base,
        chromium_page(tmp_path / "profil", width=WIDTH, height=HEIGHT) as page,
    ):
        page.on("pageerror", lambda err: errors.append(str(err)))
        open_and_run(page, base, "notebooks/04_revue_des_themes.ipynb")
        assert not exports.exists()
        labels = page.locator(".widget-dropdown select").evaluate_all(
            "s => s.map(e => e.options[e.selectedIndex]?.text)"
        )
        assert labels.count("(tous)") == len(labels) - 2, labels  # theme and wave set in code
        page.locator("button.jupyter-button", has_text="Écrire le rapport").click()
        page.wait_for_selector("text=3 fichier(s) écrit(s)", timeout=180_000)
        form = page.locator(".jp-OutputArea-output:has(button:has-text('Écrire le rapport'))")
        form.first.screenshot(path=str(ARTIFACTS / "rapport_ecrit.png"))
    assert errors == []
    folder = exports / "demo_projet" / "rapports"
    assert sorted(p.name for p in folder.iterdir()) == [
        "revue_des_themes.docx", "revue_des_themes.html", "revue_des_themes.xlsx",
    ]  # fmt: skip
    assert differences(before, fingerprint(project)) == []  # the report went outside the project
