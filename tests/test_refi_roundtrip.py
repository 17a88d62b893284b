"""Round trips through REFI-QDA: export → schema → import gives the same documents, codes, codings,
memos, participants and timecodes (emoji, CRLF, a BOM, questionnaires, transcripts); ``.qdc``
codebooks both ways with a merge preview; every export passes the privacy gate."""

from __future__ import annotations

import collections
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from refi_qda import schema_path

from miam_qual import ExportError, Project
from miam_qual.exchange import (
    NAMESPACE,
    export_qdc,
    export_qdpx,
    import_qdc,
    import_refi,
    preview_import,
)
from miam_qual.importing import UndeclaredAttributeWarning
from miam_qual.privacy.pseudonyms import LeakError, Pseudonyms

DATA = Path(__file__).parent / "data"
NS = {"q": NAMESPACE}
EMOJI_TEXT = "\ufeffHabitante 4 : Le marché 🍅🥕, c'est la fête !\r\nEnquêtrice : Et les prix ?\r\nHabitante 4 : Trop chers 😞 pour nous.\r\n"


@pytest.fixture(scope="module")
def schemas() -> dict[str, etree.XMLSchema]:
    return {
        name: etree.XMLSchema(etree.parse(str(schema_path(name))))
        for name in ("Project.xsd", "Codebook.xsd")
    }


@pytest.fixture
def rich(project: Project, tmp_path: Path) -> Project:
    """Emoji, CRLF and a BOM; a questionnaire; a timed transcript; two coders; every memo kind;
    participants with attributes and consent; a code with inclusion, exclusion, example."""
    project.import_participants(DATA / "core" / "participants.csv", by="camille")
    marche = tmp_path / "marché_emoji.txt"
    marche.write_bytes(EMOJI_TEXT.encode("utf-8"))
    project.import_files(
        [marche, DATA / "sources" / "bom_crlf.txt", DATA / "sources" / "temoignage.vtt"],
        participant="Habitante 4",
    )
    with pytest.warns(UndeclaredAttributeWarning):  # its « age » and « quartier » columns
        project.import_files([DATA / "sources" / "questionnaire.csv"])
    project.set_consent("Habitante 3", "analyse", True, date="2025-01-10")  # the transcript's
    text = project.text("marché_emoji.txt")
    fete = text.index("🍅🥕")
    project.code("marché_emoji.txt", fete, fete + 2, "prix", coder="camille", memo="deux emojis")
    project.code("marché_emoji.txt", fete, fete + 2, "qualite", coder="karim")
    sad = text.index("Trop chers 😞")
    project.code("marché_emoji.txt", sad, sad + 12, ["prix", "qualite"], coder="karim")
    vtt = project.text("temoignage.vtt")
    project.code("temoignage.vtt", 2, len(vtt) - 3, "prix", coder="camille")
    answers = project.documents(kind="questionnaire")["document"]
    for name in answers:
        answer = project.text(name)
        project.code(name, 0, min(len(answer), 14), "prix", coder="karim")
    project.update_code(
        "prix", inclusion="Tout ce qui touche au coût.", exclusion="Les salaires.",
        example="« Trop cher pour nous »", keywords=["cher", "budget"], by="camille",
    )  # fmt: skip
    project.set_memo("document", "bom_crlf.txt", "Entretien court.", author="camille")
    project.set_memo("code", "prix", "À revoir en équipe.", author="karim")
    project.set_memo("participant", "Habitante 4", "Très engagée.", author="camille")
    project.set_memo("project", "", "Journal de terrain : semaine 1.", author="karim")
    return project


def signature(project: Project) -> dict:
    """What a round trip must keep, independent of ids and GUIDs."""
    book = project.codebook

    def path(code_id: str) -> str:
        return " › ".join(book.get(i).label for i in [*reversed(book.ancestors(code_id)), code_id])

    documents = project.documents()
    memos = project.memos()
    readable = {g: n for g, n in zip(documents["document_id"], documents["document"], strict=True)}
    readable.update({c.guid: path(c.id) for c in book})
    codings = project.codings()
    readable.update(
        {c: f"{d}[{s}:{e}] {path(k)} {w}" for c, d, s, e, k, w in zip(
            codings["coding_id"], codings["document"], codings["start"], codings["end"],
            codings["code_id"], codings["coder"], strict=True)}
    )  # fmt: skip
    everyone = project.participants()
    readable.update(zip(everyone["participant_id"], everyone["participant"], strict=True))
    people = everyone.drop(columns="participant_id")
    people = people[[c for c in people.columns if not c.startswith("consentement_")]]
    return {
        "documents": sorted(
            (n, project.text(n), k == "transcript")
            for n, k in zip(documents["document"], documents["kind"], strict=True)
        ),
        "codes": sorted(
            (
                path(c.id),
                c.codable,
                c.color,
                c.definition,
                c.inclusion,
                c.exclusion,
                c.example,
                tuple(c.keywords),
            )
            for c in book
        ),  # fmt: skip
        "codings": collections.Counter(
            zip(
                codings["document"],
                codings["start"],
                codings["end"],
                codings["text"],
                codings["code_id"].map(path),
                codings["coder"],
                strict=True,
            )
        ),  # fmt: skip
        "memos": sorted(
            (k, readable.get(t, t), x, a)
            for k, t, x, a in zip(
                memos["target_kind"],
                memos["target_id"],
                memos["text"],
                memos["author"],
                strict=True,
            )
        ),  # fmt: skip
        "participants": sorted(map(tuple, people.fillna("").astype(str).values.tolist())),
        "documents_participants": sorted(
            zip(
                documents["document"],
                documents.get("participant", [None] * len(documents)),
                strict=True,
            )
        ),  # fmt: skip
    }


@pytest.mark.parametrize(
    "positions, transcripts", [("points", "audio"), ("utf16", "audio"), ("points", "texte")]
)
def test_export_then_import_gives_the_same_project(
    rich: Project, tmp_path: Path, schemas, positions: str, transcripts: str
):
    archive = export_qdpx(
        rich, tmp_path / "projet.qdpx", positions=positions, transcripts=transcripts
    )
    with zipfile.ZipFile(archive) as zf:
        tree = etree.fromstring(zf.read("project.qde"))
    schemas["Project.xsd"].assertValid(tree)
    assert ("UTF-16" in tree.get("origin")) == (positions == "utf16")
    names = [s.get("name") for s in tree.iter(f"{{{NAMESPACE}}}TextSource")] + [
        s.get("name") for s in tree.iter(f"{{{NAMESPACE}}}AudioSource")
    ]
    stems = [n.rsplit(".", 1)[0].casefold() for n in names]
    assert len(set(stems)) == len(stems)  # unique even as file names (questionnaire answers)
    prix = tree.find(".//q:Code[@name='Prix et budget']/q:Description", NS).text
    assert "Inclusion : Tout ce qui touche au coût." in prix and "Exclusion : Les salaires." in prix
    copy = Project.create(tmp_path / "copie", name="Copie")
    report = import_refi(copy, archive, by="lea")
    assert not report.lost and not report.conflicts
    before, after = signature(rich), signature(copy)
    for part in before:
        assert after[part] == before[part], part
    for name in rich.documents()["document"]:
        if transcripts == "audio":
            assert copy.timecodes(name).equals(rich.timecodes(name)), name
    assert copy.validate() == []
    # and back: the copy's export imported into the original adds nothing (once the copy has
    # the consents, which an exchange never carries: without them its export withholds words)
    copy.import_participants(DATA / "core" / "participants.csv", by="lea")
    copy.set_consent("Habitante 3", "analyse", True, date="2025-01-10")
    again = import_refi(rich, export_qdpx(copy, tmp_path / "retour.qdpx"), by="lea")
    assert again.nothing_new, str(again)


def test_utf16_positions_count_emoji_twice(rich: Project, tmp_path: Path):
    texts = {}
    for unit in ("points", "utf16"):
        archive = export_qdpx(rich, tmp_path / f"{unit}.qdpx", positions=unit)
        with zipfile.ZipFile(archive) as zf:
            tree = etree.fromstring(zf.read("project.qde"))
            source = next(
                s for s in tree.iter(f"{{{NAMESPACE}}}TextSource")
                if s.get("name") == "marché_emoji.txt"
            )  # fmt: skip
            text = zf.read("sources/" + source.get("plainTextPath")[11:]).decode("utf-8")
            texts[unit] = [
                (int(s.get("startPosition")), int(s.get("endPosition")))
                for s in source.findall("q:PlainTextSelection", NS)
            ]
    assert not text.startswith("\ufeff") and "\r" not in text  # LF, no BOM
    start, end = texts["points"][0]
    assert text[start:end] == "🍅🥕"
    as_utf16 = text.encode("utf-16-le")
    u_start, u_end = texts["utf16"][0]
    assert as_utf16[2 * u_start : 2 * u_end].decode("utf-16-le") == "🍅🥕"
    assert (u_start, u_end) != (start, end)


PIECES = st.one_of(
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff\u2028\u2029"
        ),
        min_size=1, max_size=12,
    ),
    st.sampled_from(["\r\n", "\n", "é", "😀", "e\u0301", "\t", "Habitante 4 : "]),
)  # fmt: skip


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.lists(PIECES, min_size=1, max_size=8).map("".join).filter(lambda t: t.strip()),
    bom=st.booleans(),
    unit=st.sampled_from(["points", "utf16"]),
    cut=st.tuples(st.floats(0, 0.5), st.floats(0.5, 1)),
)
def test_any_text_round_trips_with_its_excerpts(
    tmp_path_factory, body: str, bom: bool, unit: str, cut: tuple[float, float]
):
    folder = tmp_path_factory.mktemp("rt")
    source = folder / "texte.txt"
    source.write_bytes(("\ufeff" if bom else "").encode() + body.encode("utf-8"))
    project = Project.create(folder / "a", codebook=DATA / "codebooks" / "valide.yml")
    project.add_coder("camille")
    project.import_files([source])
    text = project.text("texte.txt")
    start = int(cut[0] * (len(text) - 1))
    end = max(start + 1, int(cut[1] * len(text)))
    code = next(c.id for c in project.codebook if c.codable)
    project.code("texte.txt", start, end, code, coder="camille")
    archive = export_qdpx(project, folder / "a.qdpx", positions=unit)
    copy = Project.create(folder / "b")
    import_refi(copy, archive, by="camille")
    assert copy.text("texte.txt") == text
    assert list(copy.codings()["text"]) == [text[start:end]]
    project.close()
    copy.close()


# -- codebooks alone ------------------------------------------------------------------------------
def test_qdc_export_is_valid_and_imports_back_into_an_empty_codebook(
    rich: Project, tmp_path: Path, schemas
):
    path = export_qdc(rich, tmp_path / "livre.qdc")
    schemas["Codebook.xsd"].assertValid(etree.parse(str(path)))
    copy = Project.create(tmp_path / "copie")
    report = import_qdc(copy, path, by="lea")
    assert report.counts["codes_nouveaux"] == len(rich.codebook)
    assert signature(copy)["codes"] == signature(rich)["codes"]
    history = copy.codebook_history()
    assert set(history["action"]) == {"ajout"} and set(history["who"]) == {"lea"}
    assert copy.validate() == []


def test_a_qdc_merges_into_an_existing_codebook_with_a_preview(
    rich: Project, tmp_path: Path, schemas
):
    other = Project.create(tmp_path / "autre")
    for code in rich.codebook:  # the same codebook, then one change, one addition
        other.add_code(code.id, code.label, parent=code.parent, definition=code.definition,
                       color=code.color, codable=code.codable)  # fmt: skip
    other.update_code("proximite", definition="Une autre définition.")
    other.add_code("cantine_bio", "Cantine bio", parent="acces")
    path = export_qdc(other, tmp_path / "autre.qdc")
    schemas["Codebook.xsd"].assertValid(etree.parse(str(path)))
    before = rich.codebook.to_yaml()
    preview = preview_import(rich, path)
    assert rich.codebook.to_yaml() == before  # nothing written
    actions = dict(zip(preview.codes["code_id"], preview.codes["action"], strict=True))
    assert actions["cantine_bio"] == "nouveau" and actions["proximite"] == "conflit"
    assert actions["acces"] == "identique"
    assert any("proximite" in c and "définition différente" in c for c in preview.conflicts), (
        preview.conflicts
    )
    report = import_qdc(rich, path, by="camille")
    assert report.counts["codes_nouveaux"] == 1
    assert rich.codebook.get("cantine_bio").parent == "acces"
    assert rich.codebook.get("proximite").definition != "Une autre définition."  # kept
    assert import_qdc(rich, path, by="camille").nothing_new


def test_exports_pass_the_privacy_gate(rich: Project, tmp_path: Path, monkeypatch):
    names = Pseudonyms.load(rich.root)
    names.add("Samia Benali", "Habitante 4")
    names.save()
    rich.update_code("prix", definition="Ce que dit Samia Benali du prix.")
    qdc = export_qdc(rich, tmp_path / "livre.qdc").read_text(encoding="utf-8")
    assert "Benali" not in qdc and "Ce que dit Habitante 4 du prix." in qdc
    monkeypatch.setattr(Pseudonyms, "apply", lambda self, text: text or "")
    for export, name in ((export_qdc, "x.qdc"), (export_qdpx, "x.qdpx")):
        with pytest.raises(LeakError):
            export(rich, tmp_path / "arrêt" / name)
        assert not (tmp_path / "arrêt" / name).exists()
    with pytest.raises(ExportError, match="prive"):
        export_qdc(rich, rich.root / "prive" / "x.qdc")
