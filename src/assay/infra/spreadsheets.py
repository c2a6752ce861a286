"""XLSX workbooks (openpyxl): one sheet per table, a bold frozen header with filters, text kept as text.

Cells that begin like a formula (= + - @) are written as plain strings, never formulas: a spreadsheet
is opened by someone else's Excel, and a cell of user text must not run there. openpyxl turns any
string assigned to a cell that starts with "=" into a formula (and an apostrophe prefix would just be
stored as part of the text), so every string cell is explicitly typed as a string after assignment.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

Value = str | int | float | None
Sheet = tuple[str, Sequence[Sequence[Value]]]

MAX_SHEET_TITLE = 31  # Excel's limit
MAX_COLUMN_WIDTH = 60  # characters; longer text wraps
MIN_COLUMN_WIDTH = 8
MAX_CELL_TEXT = 32_767  # Excel's limit on the characters in one cell
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# Control characters XML 1.0 cannot carry; openpyxl refuses them (IllegalCharacterError).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_RESERVED = "history"  # Excel reserves this sheet name for its change tracking


def sheet_title(name: str) -> str:
    """A valid sheet name: Excel allows 1–31 characters, none of []:*?/\\, no apostrophe at either end,
    and not "History". Forbidden characters become "-", whitespace runs one space, and an empty
    result "Sheet"."""
    clean = " ".join(_FORBIDDEN.sub("-", _ILLEGAL.sub("", name)).split()).strip("'")
    clean = clean[:MAX_SHEET_TITLE].strip().strip("'")
    if clean.casefold() == _RESERVED:
        clean += " (sheet)"
    return clean or "Sheet"


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """A workbook with one sheet per (name, rows), in order; each sheet's first row is its header.

    The header is bold and frozen, with filters over the table; columns are as wide as their longest
    line (at most MAX_COLUMN_WIDTH) and text wraps. Names are made valid with `sheet_title` and, where
    two clash (Excel compares them case-insensitively), numbered.
    """
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    book = Workbook()
    book.remove(book.active)
    book.properties.creator = "Assay"
    used: set[str] = set()
    for name, rows in sheets:
        sheet = book.create_sheet(_unique_title(name, used))
        widths: dict[int, int] = {}
        header, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                cell = sheet.cell(row=r, column=c)
                _set(cell, value)
                cell.alignment = wrap
                if r == 1:
                    cell.font = header
                widths[c] = max(widths.get(c, 0), _display_width(cell.value))
        for c, width in widths.items():
            sheet.column_dimensions[get_column_letter(c)].width = min(
                max(width + 2, MIN_COLUMN_WIDTH), MAX_COLUMN_WIDTH
            )
        columns = max((len(row) for row in rows), default=0)
        if columns:
            sheet.freeze_panes = "A2"
            sheet.auto_filter.ref = f"A1:{get_column_letter(columns)}{len(rows)}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _unique_title(name: str, used: set[str]) -> str:
    base = title = sheet_title(name)
    n = 2
    while title.casefold() in used:
        suffix = f" ({n})"
        title = base[: MAX_SHEET_TITLE - len(suffix)].rstrip() + suffix
        n += 1
    used.add(title.casefold())
    return title


def _set(cell: Cell, value: Value) -> None:
    if value is None or isinstance(value, bool | int):
        cell.value = value
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cell {cell.coordinate}: {value} is not a number a spreadsheet can hold")
        cell.value = value
        return
    text = _ILLEGAL.sub("", str(value))[:MAX_CELL_TEXT]
    cell.value = text
    cell.data_type = "s"  # after assignment: openpyxl would otherwise store a leading "=" as a formula


def _display_width(value: object) -> int:
    if value is None:
        return 0
    return max((len(line) for line in str(value).splitlines()), default=0)
