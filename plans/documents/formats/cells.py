"""Cells for every workbook Profplan writes: text that stays text, styles shared.

Schools paste text from Word and from the web. Two things in it break a workbook:
a value starting with "=" becomes a formula (and "+", "-", "@", tab or CR start
one as soon as somebody edits the cell in Excel), and control characters such as
\\x0b make openpyxl refuse to write at all. `cell()` is the one way our exports put
a value in a sheet, so no export can forget either rule.
"""

import re

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# What openpyxl refuses (its ILLEGAL_CHARACTERS_RE) plus DEL: everything below
# 0x20 but tab, LF and CR; and what XML 1.0 refuses beyond that (lone surrogates,
# U+FFFE, U+FFFF), which lxml would refuse when the DOCX export writes it.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_EXCEL_MAX_TEXT = 32_767
FONT_NAME = "Times New Roman"


def strip_control(value: str) -> str:
    """`value` without the characters no Office file may hold; tab, LF and CR stay."""
    return _CONTROL.sub("", value)


def clean_text(value: str) -> str:
    return strip_control(value)[:_EXCEL_MAX_TEXT]


def cell(sheet, value, style: StyleArray | None = None) -> Cell:
    """A cell for `sheet` (write-only or not) holding `value` as data, never as a formula.

    `style` comes from `make_style()`; it is copied, so shared styles stay intact.
    """
    if isinstance(value, str):
        value = clean_text(value) or None
    # row and column are placeholders: the sheet numbers the cell when it is appended.
    result = Cell(sheet, row=1, column=1, value=value, style_array=style)
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        # data_type must be set after the value: assigning a value re-detects it.
        result.data_type = "s"
        result.quotePrefix = True
    return result


def make_style(
    sheet,
    *,
    bold: bool = False,
    wrap: bool = True,
    border: bool = True,
    fill: str | None = None,
    horizontal: str | None = None,
    number_format: str | None = None,
    size: int = 10,
) -> StyleArray:
    """A style registered in the sheet's workbook, to pass to `cell()` for many cells.

    Building a style once and copying its indices is what keeps styled write-only
    sheets fast; a Font() per cell is not."""
    probe = Cell(sheet)
    probe.font = Font(name=FONT_NAME, size=size, bold=bold)
    probe.alignment = Alignment(wrap_text=wrap, vertical="top", horizontal=horizontal)
    if border:
        thin = Side(style="thin")
        probe.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    if fill:
        probe.fill = PatternFill("solid", fgColor=fill)
    if number_format:
        probe.number_format = number_format
    return probe._style
