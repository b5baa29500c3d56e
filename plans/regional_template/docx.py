"""The regional template's Word file: the preamble in the template's own styles, then
Table 1 with every numbered line, drawn with the same table, fonts and page as a
school's plan (the building blocks of plans/documents/formats/docx.py)."""

from io import BytesIO

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from plans.documents.formats.docx import (
    _BREAKS,
    COLUMN_TITLES,
    SECTION_SHADE,
    STYLES,
    TABLE_SHARES,
    _cell,
    _draft_mark,
    _drop_template_leftovers,
    _header_row,
    _numbers_row,
    _row,
    _setup_page,
    _table,
    _text,
    _widths,
)
from plans.regional_template.document import split_bold

TEMPLATE_STYLES = {
    "text": "Текст примерного плана",
    "footnote": "Сноска",
    "step": "Шаг управленческого цикла",
}


def template_docx(context: dict) -> bytes:
    """The template's document from `template_context(year)`: no queries."""
    year = context["year"]
    document = docx.Document()
    section = _setup_page(document)
    if not getattr(year, "is_published", True):
        _draft_mark(section.header)
    _drop_template_leftovers(document)
    _add_template_styles(document)
    properties = document.core_properties
    properties.title = _text(f"Примерный план {year.title}")
    properties.subject = f"{year.title} учебный год"
    properties.author = properties.last_modified_by = "Профплан"
    properties.comments = properties.keywords = ""
    properties.language = "ru-RU"

    styles = {
        "title": STYLES["title"],
        "paragraph": TEMPLATE_STYLES["text"],
        "document": TEMPLATE_STYLES["text"],
        "footnote": TEMPLATE_STYLES["footnote"],
        "cycle_step": TEMPLATE_STYLES["step"],
        "contact": TEMPLATE_STYLES["text"],
    }
    for block in context["preamble"]:
        paragraph = document.add_paragraph(style=styles.get(block.kind, TEMPLATE_STYLES["text"]))
        # The list of documents is printed with the template's own dashes.
        text = f"– {block.text}" if block.kind == "document" else block.text
        for part, bold in split_bold(_text(text), block.bold):
            _add_lines(paragraph, part, bold=bold)
    if context["table_label"]:
        document.add_paragraph(_text(context["table_label"]), style=STYLES["label"])
    if context["caption"]:
        document.add_paragraph(_text(context["caption"]), style=STYLES["title"])

    widths = _widths(TABLE_SHARES)
    rows = [_header_row(COLUMN_TITLES, widths), _numbers_row(widths)]
    for line in context["lines"]:
        if line.spans:
            text = f"{line.number} {line.title}".strip()
            cell = _cell(
                text, sum(widths), span=len(widths), shade=SECTION_SHADE, bold=True, keep_next=True
            )
            rows.append(_row([cell]))
        else:
            heading = line.kind == "heading"
            cells = [
                _cell(line.number, widths[0], bold=heading, keep_next=heading),
                _cell(line.title, widths[1], bold=heading, keep_next=heading),
            ]
            cells += [_cell("", width) for width in widths[2:]]
            rows.append(_row(cells))
    document.element.body.sectPr.addprevious(_table(widths, rows))

    output = BytesIO()
    document.save(output)
    return output.getvalue()


def _add_lines(paragraph, text: str, *, bold: bool = False) -> None:
    """Text with its line breaks as Word's own breaks (the title's four lines)."""
    for index, line in enumerate(_BREAKS.split(text)):
        run = paragraph.add_run()
        if bold:
            run.bold = True
        if index:
            run.add_break()
        run.add_text(line)


def _add_template_styles(document) -> None:
    styles = document.styles
    text = styles.add_style(TEMPLATE_STYLES["text"], WD_STYLE_TYPE.PARAGRAPH)
    text.base_style = styles["Normal"]
    text.font.size = Pt(12)
    text.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    text.paragraph_format.first_line_indent = Mm(12.5)
    text.paragraph_format.space_after = Pt(4)
    footnote = styles.add_style(TEMPLATE_STYLES["footnote"], WD_STYLE_TYPE.PARAGRAPH)
    footnote.base_style = styles["Normal"]
    footnote.font.size = Pt(9)
    footnote.paragraph_format.space_after = Pt(6)
    step = styles.add_style(TEMPLATE_STYLES["step"], WD_STYLE_TYPE.PARAGRAPH)
    step.base_style = styles["List Bullet"]
    step.font.size = Pt(12)
    step.paragraph_format.space_after = Pt(2)
