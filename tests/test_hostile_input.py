"""Hostile and absurd input is refused quickly, in bounded memory, with a French message.

The hostile files are built here, at test time: zip bombs (an honest one, one whose sizes lie, one
with too many members) in the three zipped formats, YAML alias bombs and deep nesting in every
YAML a user edits, oversized text files and absurd attribute values. Refusals that could cost
memory run in a subprocess that reports its own peak memory (``resource.getrusage``).
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import textwrap
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from miam_qual import (
    CodebookError,
    ConfigError,
    CorpusError,
    Project,
    UnreadableFile,
    read_source,
)
from miam_qual.sources.limits import (
    MAX_FRONT_MATTER_BYTES,
    MAX_MEMBER_BYTES,
    MAX_MEMBERS,
    MAX_TEXT_BYTES,
    check_text,
)

DATA = Path(__file__).parent / "data" / "sources"
REPO = Path(__file__).resolve().parent.parent
MB = 1_000_000

DOCX_PARAGRAPH = (
    b"<w:p><w:r><w:t>" + "Ça coûte cher, très cher. ".encode() * 4 + b"</w:t></w:r></w:p>"
)


# --- building hostile files -------------------------------------------------------------------


def repeated(unit: bytes, total: int, *, head: bytes = b"", tail: bytes = b""):
    """Yield ``head``, then ``unit`` repeated to about ``total`` bytes in 1 MB chunks, ``tail``."""
    yield head
    chunk = unit * max(1, (1 << 20) // len(unit))
    for _ in range(total // len(chunk) + 1):
        yield chunk
    yield tail


def rezip(template: Path, out: Path, member: str, chunks, *, level: int = 1) -> Path:
    """Copy ``template`` to ``out`` with ``member`` replaced by the streamed ``chunks``."""
    with (
        zipfile.ZipFile(template) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as target,
    ):
        for info in source.infolist():
            if info.filename == member:
                with target.open(member, "w", force_zip64=True) as handle:
                    for chunk in chunks:
                        handle.write(chunk)
            else:
                target.writestr(info, source.read(info))
    return out


def docx_xml_parts(template: Path) -> tuple[bytes, bytes]:
    with zipfile.ZipFile(template) as archive:
        xml = archive.read("word/document.xml")
    cut = xml.index(b"<w:body>") + len(b"<w:body>")
    return xml[:cut], xml[cut:]


def docx_bomb(tmp_path: Path, expanded: int, *, level: int = 1) -> Path:
    head, tail = docx_xml_parts(DATA / "entretien.docx")
    chunks = repeated(DOCX_PARAGRAPH, expanded, head=head, tail=tail)
    return rezip(DATA / "entretien.docx", tmp_path / "bombe.docx", "word/document.xml", chunks,
                 level=level)  # fmt: skip


def lie_about_size(path: Path, member: str, declared: int) -> None:
    """Rewrite ``member``'s central directory entry to declare ``declared`` bytes, with the CRC of
    its first ``declared`` bytes: the best lie, which ``zipfile`` alone does not catch before
    decompressing the whole member in one call."""
    with zipfile.ZipFile(path) as archive, archive.open(member) as handle:
        crc = zlib.crc32(handle.read(declared))
    data = bytearray(path.read_bytes())
    name = member.encode()
    at = 0
    while True:
        at = data.index(b"PK\x01\x02", at)
        (name_length,) = struct.unpack_from("<H", data, at + 28)
        if data[at + 46 : at + 46 + name_length] == name:
            break
        at += 4
    struct.pack_into("<I", data, at + 16, crc)
    struct.pack_into("<I", data, at + 24, declared)
    path.write_bytes(bytes(data))


def isolated(call: str, path: Path) -> dict:
    """Run ``call`` (Python using ``path``) in a fresh interpreter; returns the seconds it took,
    the error it raised and how much its peak memory grew (kB)."""
    script = textwrap.dedent(
        """
        import json, resource, sys, time
        from pathlib import Path
        import docx, odf.opendocument, openpyxl  # their import is not the refusal's cost
        from miam_qual import MiamError, read_source
        from miam_qual.codebook import load_codebook
        from miam_qual.config import load_config
        path = Path(sys.argv[1])
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        try:
            CALL
            outcome = "accepté"
        except MiamError as err:
            outcome = f"{type(err).__name__}: {err}"
        print(json.dumps({
            "seconds": time.perf_counter() - started,
            "outcome": outcome,
            "grown_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before,
        }))
        """
    ).replace("CALL", call)
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True, text=True, timeout=300, cwd=REPO, check=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- zipped formats ---------------------------------------------------------------------------


def test_docx_bomb_is_refused_at_once_in_bounded_memory(tmp_path):
    path = docx_bomb(tmp_path, 300 * MB)
    assert path.stat().st_size < 3 * MB  # a small file that expands a hundredfold
    result = isolated("read_source(path)", path)
    assert result["outcome"].startswith(
        "UnreadableFile: « bombe.docx », élément « word/document.xml » : trop volumineux une fois "
        "décompressé (300,"
    )
    assert result["seconds"] < 2
    assert result["grown_kb"] < 50_000


def test_member_whose_declared_size_lies_is_refused_in_bounded_memory(tmp_path):
    path = docx_bomb(tmp_path, 150 * MB, level=6)
    lie_about_size(path, "word/document.xml", 40_000)
    with zipfile.ZipFile(path) as archive:  # the lie holds: zipfile believes it
        assert archive.getinfo("word/document.xml").file_size == 40_000
    result = isolated("read_source(path)", path)
    assert result["outcome"] == (
        "UnreadableFile: « bombe.docx », élément « word/document.xml » : contient plus de données "
        "qu'il n'en annonce (archive piégée ou endommagée). Le fichier n'est pas ouvert."
    )
    assert result["seconds"] < 2
    assert result["grown_kb"] < 50_000  # zipfile alone would inflate all 150 MB in one call


def test_suspicious_compression_ratio_is_refused(tmp_path):
    path = docx_bomb(tmp_path, MAX_MEMBER_BYTES // 2, level=9)  # under the size limit
    with pytest.raises(UnreadableFile, match=r"élément « word/document.xml » : compressé \d+ fois"):
        read_source(path)


def test_odt_bomb_names_its_member(tmp_path):
    template = DATA / "entretien.odt"
    with zipfile.ZipFile(template) as archive:
        xml = archive.read("content.xml")
    cut = xml.index(b"<office:text>") + len(b"<office:text>")
    paragraph = b"<text:p>" + b"Le prix, toujours le prix. " * 4 + b"</text:p>"
    chunks = repeated(paragraph, 300 * MB, head=xml[:cut], tail=xml[cut:])
    path = rezip(template, tmp_path / "bombe.odt", "content.xml", chunks)
    started = time.perf_counter()
    with pytest.raises(UnreadableFile, match=r"^« bombe.odt », élément « content.xml » : trop"):
        read_source(path)
    assert time.perf_counter() - started < 2


def test_xlsx_bomb_names_its_member(tmp_path):
    template = DATA / "questionnaire.xlsx"
    with zipfile.ZipFile(template) as archive:
        sheet = next(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))
        xml = archive.read(sheet)
    cut = xml.index(b"</sheetData>")
    row = b'<row><c t="inlineStr"><is><t>oui</t></is></c></row>'
    path = rezip(template, tmp_path / "bombe.xlsx", sheet,
                 repeated(row, 300 * MB, head=xml[:cut], tail=xml[cut:]))  # fmt: skip
    result = isolated("read_source(path)", path)
    assert result["outcome"].startswith(
        f"UnreadableFile: « bombe.xlsx », élément « {sheet} » : trop"
    )
    assert result["seconds"] < 2 and result["grown_kb"] < 50_000


def test_archive_with_too_many_members_is_refused(tmp_path):
    path = tmp_path / "eclate.docx"
    with zipfile.ZipFile(DATA / "entretien.docx") as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        for number in range(MAX_MEMBERS):
            target.writestr(f"customXml/vide{number}.xml", b"")
    with pytest.raises(UnreadableFile, match=r"^« eclate.docx » : archive de 10 0\d\d éléments"):
        read_source(path)


def test_ordinary_office_files_still_read():
    for name in ("entretien.docx", "entretien.odt", "questionnaire.xlsx"):
        assert read_source(DATA / name)[0].text


# --- text files and absurd values -------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".txt", ".md", ".vtt", ".srt", ".csv"])
def test_text_file_above_the_limit_is_refused_without_being_read(tmp_path, suffix):
    path = tmp_path / f"enorme{suffix}"
    with path.open("wb") as handle:
        handle.truncate(MAX_TEXT_BYTES + 1)  # sparse: no disk, and reading it would cost 50 MB
    started = time.perf_counter()
    with pytest.raises(UnreadableFile, match=rf"^« enorme\{suffix} » : fichier trop volumineux"):
        read_source(path)
    assert time.perf_counter() - started < 0.5


def test_extracted_text_above_the_limit_is_refused():
    check_text("long.docx", "a" * MAX_TEXT_BYTES)
    with pytest.raises(UnreadableFile, match=r"^« long.docx » : texte trop long"):
        check_text("long.docx", "a" * (MAX_TEXT_BYTES + 1))


def test_front_matter_value_above_10000_characters_is_refused_with_its_line(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text(f"---\nsite: Haisnes\nparticipant: {'x' * 10_001}\n---\nTexte.\n", "utf-8")
    with pytest.raises(
        UnreadableFile, match=r"^« notes.md » : ligne 3 : valeur de « participant » trop longue"
    ):
        read_source(path)


def test_front_matter_value_that_is_a_list_is_refused_with_its_line(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text("---\nsite: [Haisnes, Hulluch]\n---\nTexte.\n", "utf-8")
    with pytest.raises(
        UnreadableFile, match=r"^« notes.md » : ligne 2 : « site » doit avoir une seule valeur"
    ):
        read_source(path)


def test_oversized_front_matter_is_refused(tmp_path):
    path = tmp_path / "notes.md"
    lines = "".join(f"cle{i}: valeur\n" for i in range(MAX_FRONT_MATTER_BYTES // 10))
    path.write_text(f"---\n{lines}---\nTexte.\n", "utf-8")
    with pytest.raises(UnreadableFile, match=r"^« notes.md » : ligne 2 : en-tête YAML trop long"):
        read_source(path)


def test_long_attribute_value_from_a_metadata_table_is_refused(project, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Une note de terrain.\n", "utf-8")
    with pytest.raises(CorpusError, match="valeur de 20 000 caractères pour l'attribut « site »"):
        project.import_files([path], by="test", site="x" * 20_000)
    assert project.documents().empty


# --- YAML bombs and deep nesting in every file a user edits -----------------------------------


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    lines = [f"b0: &b0 [{', '.join(['lol'] * width)}]"]
    lines += [f"b{i}: &b{i} [{', '.join([f'*b{i - 1}'] * width)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_alias_bomb_in_front_matter_is_refused_at_once(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text(f"---\n{alias_bomb()}participant: *b8\n---\nTexte.\n", "utf-8")
    assert path.stat().st_size < 1200
    started = time.perf_counter()
    with pytest.raises(
        UnreadableFile, match=r"^« notes.md » : ligne \d+ : plus de 100 000 valeurs"
    ):
        read_source(path)
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    "nested",
    ["a: " + "[" * 5000 + "]" * 5000, "".join("  " * i + f"k{i}:\n" for i in range(500))],
    ids=["flow", "block"],
)
def test_deep_nesting_in_front_matter_is_refused(tmp_path, nested):
    path = tmp_path / "notes.md"
    path.write_text(f"---\n{nested}\n---\nTexte.\n", "utf-8")
    started = time.perf_counter()
    with pytest.raises(UnreadableFile, match=r"^« notes.md » : ligne \d+ : "):
        read_source(path)
    assert time.perf_counter() - started < 0.5


def test_alias_bomb_in_projet_yml_stops_project_open(project):
    root = project.root
    project.close()
    config = root / "projet.yml"
    config.write_text(config.read_text("utf-8") + alias_bomb(), "utf-8")
    result = isolated("load_config(path)", config)
    assert result["outcome"].startswith("ConfigError: « projet.yml » : ligne ")
    assert "plus de 100 000 valeurs une fois les alias développés" in result["outcome"]
    assert result["seconds"] < 1 and result["grown_kb"] < 20_000
    with pytest.raises(ConfigError, match="bombe"):
        Project.open(root)


def test_alias_bomb_in_the_codebook_stops_project_open(project):
    root = project.root
    project.close()
    book = root / "codebooks" / "livre_de_codes.yml"
    book.write_text(alias_bomb(levels=10) + book.read_text("utf-8"), "utf-8")
    result = isolated("load_codebook(path)", book)
    assert result["outcome"].startswith("CodebookError: « livre_de_codes.yml » : ligne ")
    assert result["seconds"] < 1 and result["grown_kb"] < 20_000
    with pytest.raises(CodebookError, match="bombe"):
        Project.open(root)


def test_import_refuses_an_oversized_file_before_reading_it(project):
    path = project.root / "enorme.txt"
    with path.open("wb") as handle:
        handle.truncate(MAX_TEXT_BYTES * 4)  # sparse: 200 MB that cost nothing until read
    project.close()
    result = isolated(
        "__import__('miam_qual').Project.open(path.parent).import_files([path], by='test')",
        path,
    )
    assert result["outcome"].startswith("UnreadableFile: « enorme.txt » : fichier trop volumineux")
    assert result["seconds"] < 1 and result["grown_kb"] < 20_000
