"""PDF reports from pure Python (fpdf2): headings, text, tables and bar charts, with page-numbered footers."""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Self

from fpdf import FPDF
from fpdf.enums import Align, TableBordersLayout, XPos, YPos
from fpdf.fonts import FontFace

_ENCODING = "windows-1252"
_FONT = "Helvetica"
_INK = (31, 41, 51)
_MUTED = (82, 96, 109)
_BAR = (29, 78, 137)
_TRACK = (228, 231, 235)
_HEADING_SIZES = {1: 18.0, 2: 14.0, 3: 12.0}
_BODY_SIZE = 10.5
_LINE = 5.5  # mm per body line

# Characters outside Windows-1252 with an obvious stand-in that NFKD decomposition does not provide.
_TRANSLITERATE = str.maketrans(
    {
        "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i", "Ŧ": "T", "ŧ": "t",
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2212": "-",
        "\u2190": "<-", "\u2192": "->", "\u2194": "<->", "\u21d2": "=>",
        "\u2264": "<=", "\u2265": ">=", "\u2260": "!=", "\u2248": "~", "\u2713": "v", "\u2717": "x",
        "\t": "    ",
    }
)  # fmt: skip


def pdf_safe_text(text: str) -> str:
    """Text the core fonts can draw: Windows-1252 kept, others transliterated, the rest replaced by "?".

    We use the PDF core fonts (Helvetica) so no font file is needed anywhere. They cover Windows-1252:
    Western European letters, curly quotes, dashes, €. Other characters become a close form where one
    exists (ł -> l, ő -> o, ﬁ -> fi, ≤ -> <=), otherwise "?". Full Unicode would need a TTF font
    shipped with the package and registered with `FPDF.add_font`, which we deliberately do not do yet.
    """
    out: list[str] = []
    for ch in text.translate(_TRANSLITERATE):
        if ch == "\n" or (_encodable(ch) and unicodedata.category(ch) != "Cc"):
            out.append(ch)
            continue
        if unicodedata.category(ch) == "Cc":
            continue  # other control characters would only confuse the layout
        # NFKD splits accented letters (ő -> o + ˝) and compatibility forms (ﬁ -> fi, Ａ -> A).
        plain = "".join(c for c in unicodedata.normalize("NFKD", ch) if _encodable(c) and not unicodedata.combining(c))
        out.append(plain or "?")
    return "".join(out)


def _encodable(ch: str) -> bool:
    try:
        ch.encode(_ENCODING)
    except UnicodeEncodeError:
        return False
    return True


class _Pages(FPDF):
    """FPDF with our footer; fpdf2 calls footer() as each page is finished."""

    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self._footer_text = footer_text

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(_FONT, size=8)
        self.set_text_color(*_MUTED)
        self.cell(self.epw / 2, 6, self._footer_text, align=Align.L)
        # "{nb}" is fpdf2's alias for the page count, substituted when the document is closed.
        self.cell(self.epw / 2, 6, f"Page {self.page_no()} of {{nb}}", align=Align.R)


class PdfDocument:
    """A report, built top to bottom. `generated_at` is passed in: the caller owns the clock."""

    def __init__(self, title: str, *, generated_at: datetime, author: str = "Assay", language: str = "en") -> None:
        if generated_at.tzinfo is None:
            raise ValueError("generated_at must be timezone-aware")
        stamp = generated_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        pdf = _Pages(pdf_safe_text(f"{title} · Generated {stamp}"))
        pdf.core_fonts_encoding = _ENCODING
        pdf.set_title(title)
        pdf.set_author(author)
        pdf.set_creator("Assay")
        pdf.set_lang(language)
        # Without this fpdf2 stamps the wall-clock time, and identical reports would differ.
        pdf.set_creation_date(generated_at)
        pdf.set_margins(left=18, top=18, right=18)
        pdf.set_auto_page_break(auto=True, margin=20)
        pdf.add_page()
        pdf.set_text_color(*_INK)
        self._pdf = pdf
        self._output: bytes | None = None

    def heading(self, text: str, level: int = 1) -> Self:
        pdf = self._open()
        size = _HEADING_SIZES.get(level)
        if size is None:
            raise ValueError("heading level must be 1, 2 or 3")
        # Keep a heading with at least a few lines of what follows it.
        if pdf.get_y() > pdf.t_margin + 1 and pdf.will_page_break(size * 0.6 + 4 * _LINE):
            pdf.add_page()
        safe = pdf_safe_text(text)
        pdf.start_section(safe, level=level - 1, strict=False)  # also a PDF bookmark
        pdf.ln(2 if level > 1 else 0)
        pdf.set_font(_FONT, style="B", size=size)
        pdf.multi_cell(0, size * 0.5, safe, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)
        return self

    def paragraph(self, text: str) -> Self:
        pdf = self._open()
        pdf.set_font(_FONT, size=_BODY_SIZE)
        pdf.multi_cell(0, _LINE, pdf_safe_text(text), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)
        return self

    def key_value_table(self, rows: Sequence[tuple[str, str]]) -> Self:
        """Two columns, names in bold: for the facts at the top of a report (organisation, date, scope)."""
        if not rows:
            return self
        pdf = self._open()
        pdf.set_font(_FONT, size=_BODY_SIZE)
        with pdf.table(
            col_widths=(1, 2),
            first_row_as_headings=False,
            borders_layout=TableBordersLayout.HORIZONTAL_LINES,
            text_align=Align.L,
            line_height=_LINE,
            padding=1.5,
        ) as table:
            for key, value in rows:
                row = table.row()
                row.cell(pdf_safe_text(key), style=FontFace(emphasis="BOLD"))
                row.cell(pdf_safe_text(value))
        pdf.ln(4)
        return self

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Self:
        """A data table; the header row repeats on every page the table spans."""
        if not header:
            raise ValueError("a table needs at least one column")
        for number, row in enumerate(rows, start=1):
            if len(row) != len(header):
                raise ValueError(f"row {number} has {len(row)} cells; the header has {len(header)}")
        pdf = self._open()
        pdf.set_font(_FONT, size=_BODY_SIZE - 1)
        with pdf.table(
            text_align=Align.L,
            line_height=_LINE - 0.5,
            padding=1.5,
            headings_style=FontFace(emphasis="BOLD", fill_color=_TRACK),
            repeat_headings=1,
        ) as table:
            heading_row = table.row()
            for name in header:
                heading_row.cell(pdf_safe_text(name))
            for cells in rows:
                body_row = table.row()
                for cell in cells:
                    body_row.cell(pdf_safe_text(cell))
        pdf.ln(4)
        return self

    def bar_chart(
        self, labels: Sequence[str], values: Sequence[float], max_value: float, *, title: str | None = None
    ) -> Self:
        """Horizontal bars on a 0..max_value scale, drawn with rectangles; each value is also printed as text."""
        _check_chart(labels, values, max_value)
        pdf = self._open()
        row_height, bar_height = 7.0, 4.0
        label_width = min(60.0, pdf.epw * 0.35)
        value_width = 22.0
        track_width = pdf.epw - label_width - value_width - 4
        if title:
            pdf.set_font(_FONT, style="B", size=_BODY_SIZE)
            pdf.multi_cell(0, _LINE, pdf_safe_text(title), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(_FONT, size=_BODY_SIZE - 1)
        for label, value in zip(labels, values, strict=True):
            if pdf.will_page_break(row_height):
                pdf.add_page()
                pdf.set_font(_FONT, size=_BODY_SIZE - 1)
            x, y = pdf.l_margin, pdf.get_y()
            pdf.set_text_color(*_INK)
            pdf.cell(label_width, row_height, _fit(pdf, pdf_safe_text(label), label_width), align=Align.L)
            bar_x, bar_y = x + label_width + 2, y + (row_height - bar_height) / 2
            pdf.set_fill_color(*_TRACK)
            pdf.rect(bar_x, bar_y, track_width, bar_height, style="F")
            if value > 0:
                pdf.set_fill_color(*_BAR)
                pdf.rect(bar_x, bar_y, track_width * value / max_value, bar_height, style="F")
            pdf.set_xy(bar_x + track_width + 2, y)
            pdf.cell(value_width, row_height, f"{value:g} / {max_value:g}", align=Align.R)
            pdf.set_xy(x, y + row_height)
        pdf.ln(4)
        return self

    def image(self, data: bytes, *, width_mm: float, alt: str) -> Self:
        """A PNG or JPEG image `width_mm` wide (height kept in proportion), with alternative text."""
        if not data or width_mm <= 0:
            raise ValueError("an image needs data and a positive width")
        pdf = self._open()
        pdf.image(io.BytesIO(data), w=width_mm, alt_text=pdf_safe_text(alt))
        pdf.ln(2)
        return self

    def to_bytes(self) -> bytes:
        """The finished PDF. The document is closed by this call; later additions raise RuntimeError."""
        if self._output is None:
            self._output = bytes(self._pdf.output())
        return self._output

    def _open(self) -> FPDF:
        if self._output is not None:
            raise RuntimeError("the PDF was already rendered with to_bytes()")
        self._pdf.set_text_color(*_INK)
        return self._pdf


def _check_chart(labels: Sequence[str], values: Sequence[float], max_value: float) -> None:
    if len(labels) != len(values):
        raise ValueError(f"{len(labels)} labels but {len(values)} values")
    if not (math.isfinite(max_value) and max_value > 0):
        raise ValueError("max_value must be a positive number")
    if not all(math.isfinite(v) and 0 <= v <= max_value for v in values):
        raise ValueError(f"values must lie between 0 and max_value={max_value:g}")


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """The text, cut with an ellipsis if it would overflow a cell `width` wide."""
    room = width - 2 * pdf.c_margin
    if pdf.get_string_width(text) <= room:
        return text
    while text and pdf.get_string_width(text + "…") > room:
        text = text[:-1]
    return text.rstrip() + "…"
