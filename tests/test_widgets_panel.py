"""CodingPanel without a browser: the messages the page sends, the state it gets back."""

from __future__ import annotations

from pathlib import Path

import pytest

import miam_qual.widgets as widgets
from miam_qual import Project
from miam_qual.widgets import CodingPanel


@pytest.fixture(autouse=True)
def private_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIAM_CONFIG_DIR", str(tmp_path / "config"))


def send(panel: CodingPanel, action: str, **content: object) -> None:
    panel._on_message(panel, {"action": action, "seq": panel.ack + 1, **content}, None)


def test_public_names() -> None:
    assert sorted(widgets.__all__) == [
        "CodebookEditor",
        "CodebookPanel",
        "CodingPanel",
        "CodingSession",
        "ExchangeImport",
        "ImportPanel",
        "ListenPanel",
        "Listening",
        "MemoEditor",
        "MemoPanel",
        "RetrievalPanel",
        "ReviewLoop",
        "ReviewLoopPanel",
        "SegmentRetrieval",
        "TextCorrection",
        "TrainingPanel",
        "french",
        "sentence_spans",
        "snap_to_words",
    ]
    assert widgets.CodingPanel is CodingPanel


def test_static_files_ship_with_the_widget() -> None:
    js = (Path(widgets.__file__).parent / "static" / "coder.js").read_text(encoding="utf-8")
    assert "export default" in js and "Array.from" in js  # UTF-16 → code points
    assert "stopPropagation" in js  # plain keys must not reach JupyterLab's command mode


def test_panel_round_trip_on_the_demo(demo_project: Project) -> None:
    panel = CodingPanel(demo_project, "stagiaire")
    doc = panel.doc
    assert doc["text"] == demo_project.text(doc["id"]) and doc["blocks"]
    assert doc["blocks"][0]["start"] >= 0 and doc["blocks"][-1]["end"] <= len(doc["text"])
    assert panel.progress == [0, len(demo_project.documents())]
    first = next(b for b in doc["blocks"] if b["end"] - b["body"] > 20)
    send(panel, "select", start=first["body"] + 1, end=first["body"] + 12)
    start, end = panel.selection
    assert start == first["body"]  # snapped back to the word's start
    send(panel, "shortcut", key=1)
    code = panel.shortcuts[0]
    assert [(c["code"], c["start"], c["end"], c["mine"]) for c in panel.codings] == [
        (code, start, end, True)
    ]
    assert panel.ack == 2 and panel.history == {"undo": True, "redo": False}
    rows = demo_project.codings(coder="stagiaire")
    assert rows[["code_id", "start", "end"]].values.tolist() == [[code, start, end]]
    assert panel.progress[0] == 1
    send(panel, "memo", id=panel.here[0]["id"], text="à revoir")
    assert demo_project.codings(coder="stagiaire")["memo"].tolist() == ["à revoir"]
    send(panel, "remove", id=panel.here[0]["id"])
    assert demo_project.codings(coder="stagiaire").empty and panel.codings == []
    send(panel, "undo")
    assert len(demo_project.codings(coder="stagiaire")) == 1
    send(panel, "shortcut", key=42)
    assert panel.status == {"text": "Aucun code sur la touche 42.", "level": "erreur"}
    send(panel, "select", start=None, end=3)
    assert panel.status["level"] == "erreur"
    send(panel, "nonsense")
    assert "Action inconnue" in panel.status["text"]


def test_panel_navigation_others_and_grid(demo_project: Project) -> None:
    panel = CodingPanel(demo_project, "camille")
    first = panel.doc["id"]
    send(panel, "next")
    assert panel.doc["id"] != first and panel.doc["position"] == 1
    send(panel, "others", value=True)
    coders = {c["coder"] for c in panel.codings}
    assert panel.show_others and (not panel.codings or coders <= {"camille", "karim"})
    quest = demo_project.documents(kind="questionnaire")["document"].iloc[0]
    send(panel, "open", document=quest)
    send(panel, "grid", value=True)
    assert panel.grid["questions"] and len(panel.grid["rows"]) > 1
    row = panel.grid["rows"][1]
    question = next(iter(row["cells"]))
    send(panel, "cell", document=row["document_id"], question=question)
    assert panel.doc["id"] == row["document_id"]
    assert panel.doc["text"][slice(*panel.selection)] == row["cells"][question]["text"]
    send(panel, "coder", name="Léa")
    assert panel.coder == "Léa" and "Léa" in panel.coders


def test_panel_in_vivo(demo_project: Project) -> None:
    panel = CodingPanel(demo_project, "stagiaire")
    text = panel.doc["text"]
    start = text.index(next(w for w in text.split() if len(w) > 6))
    send(panel, "select", start=start, end=start + 3)
    send(panel, "create", label="Mot fort", parent="acces", definition="Un mot qui compte.")
    assert "mot_fort" in {c["id"] for c in panel.codes}
    assert demo_project.codings(coder="stagiaire")["code_id"].tolist() == ["mot_fort"]
