"""How many lines a text takes in a column: the estimate behind printed row heights.

Excel stores no row heights for wrapped text, and LibreOffice Calc does not fit
them when it opens a file, so the workbook sets each row's height itself. The
PDF asks the same question of a row: is it taller than a page (and so must be
let split, see `taller_than_page`)? Counting characters is enough for both: it
is linear in the text and needs no fonts.
"""

from plans.documents.formats.rows import TableRow

# The PDF's Table 1 (static/css/pdf.css): A4 landscape less 20 + 12 mm margins,
# the colgroup's percentages, 1.2 mm padding each side, 10 pt Liberation Serif with
# 1.2 line height, and the body height under the repeated header.
_PDF_TABLE_MM = 297 - 20 - 12
_PDF_COLUMN_PERCENT = (7, 24, 11, 13, 16, 13, 16)
# A generous 0.42 em a character (Cyrillic runs nearer 0.5 em): the estimate errs
# towards fewer lines, so a row that fits on a page is never let split.
_PDF_CHAR_MM = 0.42 * 10 * 25.4 / 72
_PDF_LINE_MM = 1.2 * 10 * 25.4 / 72
_PDF_BODY_MM = 210 - 20 - 15 - 16  # page height, margins, header rows
PDF_COLUMN_CHARS = tuple(
    (_PDF_TABLE_MM * percent / 100 - 2.4) / _PDF_CHAR_MM for percent in _PDF_COLUMN_PERCENT
)
PDF_PAGE_LINES = int(_PDF_BODY_MM / _PDF_LINE_MM)


def text_lines(text: str | None, chars_per_line: float) -> int:
    """Lines of `text` wrapped word by word at `chars_per_line`, as a word processor
    does: each paragraph (explicit newline) takes at least one line, a word longer
    than a line is cut into as many as it needs. Linear in the text."""
    if not text:
        return 0
    width = max(int(chars_per_line), 1)
    lines = 0
    for paragraph in str(text).split("\n"):
        lines += 1
        used = 0
        for word in paragraph.split():
            if used and used + 1 + len(word) <= width:
                used += 1 + len(word)
                continue
            if used:
                lines += 1
            # A word longer than a line fills whole lines and leaves the rest.
            extra, used = divmod(len(word), width)
            if extra and not used:
                extra, used = extra - 1, width
            lines += extra
    return lines


def taller_than_page(row: TableRow) -> bool:
    """Whether the PDF's row of `row` cannot fit on one page even alone under the
    header (its tallest cell, at the PDF's column widths)."""
    if row.spans:
        return False
    texts = (row.number, f"{row.activity}\n{row.load_text}", *row.columns[2:])
    return (
        max(text_lines(text, chars) for text, chars in zip(texts, PDF_COLUMN_CHARS, strict=True))
        > PDF_PAGE_LINES
    )
