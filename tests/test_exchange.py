"""REFI-QDA export: the archive validates against the official schema and reads back faithfully."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree
from refi_qda import schema_path

from miam_qual import ExportError, Project
from miam_qual.exchange import NAMESPACE, export_qdpx

NS = {"q": NAMESPACE}


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(schema_path("Project.xsd"))))


def test_demo_export_is_valid_and_faithful(demo_project: Project, tmp_path: Path, schema):
    demo_project.set_memo(
        "participant", "Habitante 1", "Très engagée dans le collectif.", author="camille"
    )
    archive = export_qdpx(demo_project, tmp_path / "demo.qdpx")
    with zipfile.ZipFile(archive) as zf:
        tree = etree.fromstring(zf.read("project.qde"))
        schema.assertValid(tree)
        codings = demo_project.codings()
        assert len(tree.findall(".//q:Coding", NS)) == len(codings)
        # transcripts with timecodes travel with their recording, every other document as text
        audio = tree.findall(".//q:AudioSource", NS)
        assert audio and len(tree.findall(".//q:TextSource", NS)) + len(audio) == len(
            demo_project.documents()
        )
        assert len(tree.findall(".//q:Code", NS)) == len(demo_project.codebook)
        # every selection's positions index the stored text in code points
        for source in tree.findall(".//q:TextSource", NS):
            text = zf.read(
                "sources/" + source.get("plainTextPath").removeprefix("internal://")
            ).decode("utf-8")
            assert text == demo_project.text(source.get("guid"))
            for selection in source.findall("q:PlainTextSelection", NS):
                start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
                row = codings[codings["selection_id"] == selection.get("guid")].iloc[0]
                assert text[start:end] == row["text"]
        for source in audio:
            transcript = source.find("q:Transcript", NS)
            text = zf.read(
                "sources/" + transcript.get("plainTextPath").removeprefix("internal://")
            ).decode("utf-8")
            assert text == demo_project.text(source.get("guid"))
            points = {
                p.get("guid"): int(p.get("position")) for p in transcript.findall("q:SyncPoint", NS)
            }
            for selection in transcript.findall("q:TranscriptSelection", NS):
                start, end = (
                    points[selection.get("fromSyncPoint")],
                    points[selection.get("toSyncPoint")],
                )
                row = codings[codings["selection_id"] == selection.get("guid")].iloc[0]
                assert text[start:end] == row["text"]
    prix = demo_project.codebook.get("prix")
    element = tree.find(f".//q:Code[@guid='{prix.guid}']", NS)
    assert element.get("name") == prix.label and element.get("color") == prix.color
    assert len(tree.findall("q:NoteRef", NS)) == 1  # the participant memo hangs on the project


def test_export_refuses_a_wrong_extension(demo_project: Project, tmp_path: Path):
    with pytest.raises(ExportError, match="extension .qdpx"):
        export_qdpx(demo_project, tmp_path / "demo.zip")
    assert not (tmp_path / "demo.zip").exists()


def test_cli_exports_refi(demo_project: Project, tmp_path: Path, schema):
    from click.testing import CliRunner

    from miam_qual.cli import main

    result = CliRunner().invoke(
        main, ["exporter-refi", str(tmp_path / "x.qdpx"), "-p", str(demo_project.root)]
    )
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "x.qdpx") as zf:
        schema.assertValid(etree.fromstring(zf.read("project.qde")))
