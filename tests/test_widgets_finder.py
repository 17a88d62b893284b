"""Finding in the coding workbench: the document picker, text search, hits coded one by one or
all at once (session without a browser, then the panel's messages)."""

from __future__ import annotations

from pathlib import Path

import pytest

from miam_qual import Project
from miam_qual.widgets import CodingPanel, CodingSession
from miam_qual.widgets.finder import HIT_LIMIT


@pytest.fixture(autouse=True)
def private_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIAM_CONFIG_DIR", str(tmp_path / "config"))


def send(panel: CodingPanel, action: str, **content: object) -> None:
    panel._on_message(panel, {"action": action, "seq": panel.ack + 1, **content}, None)


def test_pick_a_document_by_attribute_words_and_jump_to_it(demo_project: Project) -> None:
    session = CodingSession(demo_project, "stagiaire")
    found = session.pick_documents("saint elie bilan")
    assert found is not None
    expected = demo_project.documents(site="cité Saint-Élie", vague="bilan")["document"]
    assert found["document"].tolist() == expected.tolist()
    assert session.status == f"{len(found)} documents pour « saint elie bilan »."
    last = demo_project.documents()["document"].iloc[-1]
    (guid,) = session.pick_documents(last.split("#")[-1])["document_id"]
    session.open(guid)  # one jump, however far: no pressing ▶ sixty times
    assert session.position == len(demo_project.documents()) - 1
    assert session.pick_documents("nulle part").empty
    assert session.status_level == "erreur" and "Aucun document" in session.status
    assert session.pick_documents(sitte="Haisnes") is None
    assert "Filtre inconnu « sitte »" in session.status


def test_not_yet_coded_by_me(demo_project: Project) -> None:
    every = len(demo_project.documents())
    intern = CodingSession(demo_project, "stagiaire")
    assert len(intern.pick_documents(uncoded_only=True)) == every
    assert intern.status == f"{every} documents pas encore codés par vous."
    camille = CodingSession(demo_project, "camille")
    coded = set(demo_project.codings(coder="camille")["document_id"])
    left = camille.pick_documents(uncoded_only=True)
    assert 0 < len(left) < every and not set(left["document_id"]) & coded
    assert len(left) == every - len(coded)


def test_search_go_to_a_hit_and_code_it_with_the_usual_click(demo_project: Project) -> None:
    session = CodingSession(demo_project, "stagiaire")
    hits = session.search("EPICERIE", scope="corpus")
    assert hits is not None and len(hits) > 10 and hits["document_id"].nunique() > 5
    assert session.status.startswith(f"{len(hits)} occurrences de « EPICERIE » dans tout le corpus")
    far = int(hits.index[hits["document_id"] != session.document_id][-1])
    span = session.go_to_hit(far)
    hit = hits.iloc[far]
    assert session.document_id == hit["document_id"]
    assert span == (hit["start"], hit["end"]) and session.selected_text == hit["match"]
    assert session.status.startswith(f"Occurrence {far + 1} sur {len(hits)} : « {hit['match']} »")
    session.apply("prix")
    mine = demo_project.codings(coder="stagiaire")
    assert mine[["document_id", "start", "end", "code_id"]].values.tolist() == [
        [hit["document_id"], hit["start"], hit["end"], "prix"]
    ]
    assert session.next_hit() == (hits.iloc[(far + 1) % len(hits)]["start"],
                                  hits.iloc[(far + 1) % len(hits)]["end"])  # fmt: skip
    local = session.search("épicerie")  # the open document only
    assert local is not None and set(local["document_id"]) == {session.document_id}
    assert session.search("  ") is None and "au moins une lettre" in session.status
    assert session.search("épicerie", scope="partout") is None
    assert session.go_to_hit(10_000) is None and session.status_level == "erreur"


def test_code_all_hits_after_a_preview_and_undo_them_in_one_step(demo_project: Project) -> None:
    session = CodingSession(demo_project, "stagiaire")
    hits = session.search("cantine", scope="corpus")
    assert hits is not None and len(hits) > 5
    session.go_to_hit(0)
    session.apply("qualite")  # one hit already coded with that code by this coder
    preview = session.preview_code_all("qualite")
    assert preview == {
        "code": "qualite", "label": demo_project.codebook.get("qualite").label,
        "query": "cantine", "count": len(hits), "new": len(hits) - 1,
        "documents": hits["document_id"].nunique(),
    }  # fmt: skip
    assert "Confirmez ou annulez" in session.status and "1 déjà codée ainsi" in session.status
    assert len(demo_project.codings(coder="stagiaire")) == 1  # a preview writes nothing
    assert session.code_all_hits("qualite") == len(hits) - 1
    mine = demo_project.codings(coder="stagiaire")
    assert sorted(zip(mine["document_id"], mine["start"], mine["end"], strict=True)) == sorted(
        zip(hits["document_id"], hits["start"], hits["end"], strict=True)
    )
    assert session.status == (
        f"« {preview['label']} » appliqué à {len(hits)} occurrences de « cantine » "
        f"({len(hits) - 1} nouveaux codages). « Annuler » les retire toutes d'un coup."
    )
    assert session.undo()
    assert len(demo_project.codings(coder="stagiaire")) == 1  # the hit coded by hand stays
    assert session.redo() and len(demo_project.codings(coder="stagiaire")) == len(hits)


def test_code_all_refusals_write_nothing(demo_project: Project) -> None:
    session = CodingSession(demo_project, "stagiaire")
    before = len(demo_project.codings())
    assert session.preview_code_all("prix") is None and "lancez d'abord" in session.status
    session.search("marché", scope="corpus")
    assert session.code_all_hits("prix") is None and "Prévisualisez d'abord" in session.status
    assert session.preview_code_all("pas_un_code") is None
    assert session.status == "Code inconnu « pas_un_code » : choisissez un code du livre de codes."
    theme = next(c.id for c in demo_project.codebook if not c.codable)
    assert session.preview_code_all(theme) is None and "est un thème" in session.status
    session.preview_code_all("prix")
    assert session.code_all_hits("entraide") is None  # not the code previewed
    session.cancel_code_all()
    assert session.status == "Codage des occurrences annulé : rien n'a été écrit."
    assert session.code_all_hits("prix") is None
    session.search("e", scope="corpus")
    assert f"Plus de {HIT_LIMIT} occurrences" in session.status
    assert session.preview_code_all("prix") is None and "précisez la recherche" in session.status
    assert len(demo_project.codings()) == before
    assert "stagiaire" not in set(demo_project.coders()["coder"])


def test_panel_messages_for_the_picker_and_the_search(demo_project: Project) -> None:
    panel = CodingPanel(demo_project, "stagiaire")
    send(panel, "pick", query="haisnes", uncoded=False)
    haisnes = demo_project.documents(site="Haisnes")
    assert [d["name"] for d in panel.picker["documents"]] == haisnes["document"].tolist()
    assert panel.picker["documents"][0]["found_in"] == "Site : Haisnes"
    assert panel.status == {"text": f"{len(haisnes)} documents pour « haisnes ».", "level": "info"}
    send(panel, "open", document=panel.picker["documents"][-1]["id"])
    assert panel.doc["name"] == haisnes["document"].iloc[-1]
    send(panel, "prepare_search")  # the search box got the focus: nothing said, nothing written
    assert panel.status["level"] == "info"
    send(panel, "search", query="jardin", scope="corpus")
    found = panel.search
    assert found["count"] == len(found["hits"]) > 0 and not found["truncated"]
    assert {"before", "match", "after", "document", "speaker"} <= set(found["hits"][0])
    assert panel.status["text"].startswith(f"{found['count']} occurrence")
    send(panel, "hit", index=0)
    first = found["hits"][0]
    assert panel.doc["id"] == first["document_id"]
    assert panel.selection == [first["start"], first["end"]] and panel.search["current"] == 0
    send(panel, "shortcut", key=1)  # the usual key codes the hit
    assert len(demo_project.codings(coder="stagiaire")) == 1
    send(panel, "preview_all", code="entraide")
    assert panel.search["preview"]["count"] == found["count"]
    assert "Confirmez ou annulez" in panel.status["text"]
    send(panel, "code_all", code="entraide")
    assert panel.search["preview"] is None and panel.history["undo"]
    assert len(demo_project.codings(coder="stagiaire", code="entraide")) == found["count"]
    send(panel, "search", query="?!", scope="corpus")
    assert panel.status == {
        "text": "Rien à chercher dans « ?! » : tapez au moins une lettre ou un chiffre.",
        "level": "erreur",
    }
