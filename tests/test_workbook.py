"""The package's XLSX writer (``miam_qual.workbook``), read back with openpyxl and pandas."""

from __future__ import annotations

import io
import re
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from miam_qual.workbook import CELL_LIMIT, CUT_MARK, Sheet, column_letters, workbook_bytes


def read(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_values_come_back_as_written_and_typed():
    rows = [
        ["=SOMME(A1:A9)", 3, 2.5, True, None, "www.exemple.fr", "0612", "_x000D_ reste écrit"],
        ["<r><t>gras</t></r> & « guillemets »", np.int64(7), np.float64(0.25), np.bool_(False),
         "", "Ligne 1\nLigne 2\tfin", ["prix", "goût"], "😀 œuf"],
    ]  # fmt: skip
    data = workbook_bytes([Sheet("Données", list("ABCDEFGH"), rows)])
    sheet = read(data)["Données"]
    first = [(c.value, c.data_type) for c in sheet[2]]
    assert first == [
        ("=SOMME(A1:A9)", "s"), (3, "n"), (2.5, "n"), (True, "b"), (None, "n"),
        ("www.exemple.fr", "s"), ("0612", "s"), ("_x000D_ reste écrit", "s"),
    ]  # fmt: skip
    assert [c.value for c in sheet[3]] == [
        "<r><t>gras</t></r> & « guillemets »", 7, 0.25, False, None, "Ligne 1\nLigne 2\tfin",
        "prix, goût", "😀 œuf",
    ]  # fmt: skip
    assert not sheet._hyperlinks
    # pandas reads the same table
    frame = pd.read_excel(io.BytesIO(data), dtype=object)
    assert frame.iloc[0, 0] == "=SOMME(A1:A9)" and frame.iloc[0, 6] == "0612"


def test_missing_values_are_empty_cells_and_the_next_cells_keep_their_column():
    rows = [
        [float("nan"), pd.NA, pd.NaT, float("inf"), None, ""],
        [None, "b", None, None, 4, "f"],
        ["a", "b", "c", None, "e", None],
    ]
    data = workbook_bytes([Sheet("Vides", list("ABCDEF"), rows)])
    sheet = read(data)["Vides"]
    assert [c.value for c in sheet[2]] == [None] * 6
    assert [c.value for c in sheet[3]] == [None, "b", None, None, 4, "f"]
    assert [c.value for c in sheet[4]] == ["a", "b", "c", None, "e", None]
    assert pd.read_excel(io.BytesIO(data)).iloc[1].tolist()[4] == 4
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    # every cell names its place (Excel and LibreOffice would read them in sequence without,
    # but not every reader does): an empty cell is simply absent
    assert re.findall(r'<c r="(\w+)"', xml) == [
        *(f"{c}1" for c in "ABCDEF"), "B3", "E3", "F3", "A4", "B4", "C4", "E4",
    ]  # fmt: skip


def test_header_is_styled_frozen_and_filtered():
    frame = pd.DataFrame({"text": ["un", "deux"], "n": [1, 2]})
    data = workbook_bytes(
        [
            Sheet.from_frame(
                "Segments codés", frame, headers=["Extrait", "Nombre"], widths={"text": 70}
            )
        ]
    )
    sheet = read(data)["Segments codés"]
    assert [c.value for c in sheet[1]] == ["Extrait", "Nombre"]
    header = sheet["A1"]
    assert header.font.b and header.font.color.rgb == "FFFFFFFF"
    assert header.fill.fgColor.rgb == "FF2E7D32" and header.alignment.wrap_text
    assert sheet["A2"].font.b is False
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:B3"
    assert sheet.column_dimensions["A"].width == pytest.approx(70.71)
    assert sheet.column_dimensions["B"].width == pytest.approx(
        12.71
    )  # from the header: 12 at least
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
    assert "_xlnm._FilterDatabase" in workbook and "'Segments codés'!$A$1:$B$3" in workbook


def test_every_part_is_well_formed_xml_and_sheets_keep_their_order():
    sheets = [Sheet("L'un & l'autre", ["x"], [[1]]), Sheet("Deux", ["y"], [["b"]])]
    data = workbook_bytes(sheets)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            etree.fromstring(archive.read(name))  # raises on malformed XML
        assert "'L''un &amp; l''autre'!$A$1:$A$2" in archive.read("xl/workbook.xml").decode()
    book = read(data)
    assert book.sheetnames == ["L'un & l'autre", "Deux"]
    assert book["Deux"]["A2"].value == "b"


def test_control_characters_go_and_long_text_is_cut_visibly():
    long = "mot " * 10_000
    emoji = "é😀" * 12_000  # 24,000 characters, 36,000 UTF-16 units: Excel counts the units
    rows = [["a\x00b\x07c\x1fd\ufffe", long, emoji, "😀" * 16_000]]
    sheet = read(workbook_bytes([Sheet("Textes", list("abcd"), rows)]))["Textes"]
    assert sheet["A2"].value == "abcd"
    for cell, text in ((sheet["B2"], long), (sheet["C2"], emoji)):
        cut = cell.value
        assert cut.endswith(CUT_MARK) and text.startswith(cut[: -len(CUT_MARK)])
        assert len(cut.encode("utf-16-le")) // 2 in (CELL_LIMIT, CELL_LIMIT - 1)  # no half emoji
    assert sheet["D2"].value == "😀" * 16_000  # 32,000 units: within the limit, kept whole


def test_refuses_what_excel_would_refuse():
    with pytest.raises(ValueError, match="title"):
        workbook_bytes([Sheet("Revue : fils", ["a"], [])])
    with pytest.raises(ValueError, match="title"):
        workbook_bytes([Sheet("x" * 32, ["a"], [])])
    for title in ("'Codes", "Codes'", "History"):
        with pytest.raises(ValueError, match="title"):
            workbook_bytes([Sheet(title, ["a"], [])])
    with pytest.raises(ValueError, match="Two sheets"):
        workbook_bytes([Sheet("Codes", ["a"], []), Sheet("codes", ["a"], [])])
    with pytest.raises(ValueError, match="Row 3"):
        workbook_bytes([Sheet("Codes", ["a", "b"], [[1, 2], [1]])])
    with pytest.raises(ValueError, match="at least one"):
        workbook_bytes([])


def test_an_empty_table_keeps_its_header():
    frame = pd.DataFrame(columns=["document", "code"])
    sheet = read(workbook_bytes([Sheet.from_frame("Vide", frame)]))["Vide"]
    assert [c.value for c in sheet[1]] == ["document", "code"] and sheet.max_row == 1


def test_column_letters():
    assert [column_letters(i) for i in (0, 25, 26, 51, 52, 701, 702)] == [
        "A", "Z", "AA", "AZ", "BA", "ZZ", "AAA",
    ]  # fmt: skip


_XML_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\ufffe\uffff"), max_size=60
).map(lambda t: "".join(c for c in t if c in "\t\n\r" or ord(c) >= 32))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_XML_TEXT, min_size=2, max_size=2), max_size=8))
def test_any_text_round_trips(rows):
    sheet = read(workbook_bytes([Sheet("Textes", ["a", "b"], rows)]))["Textes"]
    back = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    # openpyxl reads a lone carriage return inside a cell as a line feed, as XML parsers must
    expected = [[(v.replace("\r\n", "\n").replace("\r", "\n") or None) for v in r] for r in rows]
    while expected and expected[-1] == [None, None]:
        expected.pop()  # trailing empty rows have no cell to read back
    assert back[: len(expected)] == expected
