"""One plan as a Word document (DOCX): Table 1 as printed, then sections II and V.

Drawn from `table_rows()` like the PDF and Excel. python-docx has no API for the
properties that make a long table print well, so the table is written as WordprocessingML
directly: a header of two rows repeated on every page (`w:tblHeader`), rows that do
not split across pages (`w:cantSplit`), section and heading rows merged across the
seven columns (`w:gridSpan`) and kept with the row after them (`w:keepNext`), and a
fixed layout with widths in twentieths of a point. Building the rows as one XML
string and parsing it once is also what keeps a 300-row plan fast: python-docx's
`add_row()` and `row.cells` walk the whole table each time.
"""

import math
import re
from datetime import UTC
from io import BytesIO
from xml.sax.saxutils import escape

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt
from lxml import etree

from plans.documents.formats.cells import strip_control
from plans.documents.formats.rows import (
    COLUMN_SHARES,
    COLUMN_TITLES,
    NOTE_TITLE,
    approval_date_line,
    plan_appendices,
    plan_note,
    signature_name,
    table_rows,
)
from plans.models import Plan, PlanStatus

FONT = "Times New Roman"
# Where Times New Roman is missing (LibreOffice on Linux) the document names its
# metric twin, so lines break where they break in Word; the PDF uses the same fonts.
FONT_FALLBACK = "Liberation Serif"

PAGE_MM = (297, 210)  # A4 landscape
MARGINS_MM = {"top": 22, "bottom": 17, "left": 20, "right": 12}
HEADER_DISTANCE_MM = 8  # the «ПРОЕКТ» mark sits between this and the top margin
FOOTER_DISTANCE_MM = 7

TWIPS_PER_MM = 1440 / 25.4
BODY_MM = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]
BODY_TWIPS = round(BODY_MM * TWIPS_PER_MM)
# Shares of the body width (plans/documents/formats/rows.py; the editor uses them too).
TABLE_SHARES = COLUMN_SHARES
INDICATOR_SHARES = (7, 53, 12, 14, 14)
CELL_MARGIN_TWIPS = 70  # about 1.2 mm left and right, as the PDF's padding

TABLE_PT = 10
TABLE_LINE_TWIPS = 240  # single spacing

# A row that cannot split must fit on a page, or Word and LibreOffice cut it off.
# Rows estimated taller than this many lines may split; at 10 pt a landscape page
# holds about 36 lines under the repeated header.
KEEP_WHOLE_MAX_LINES = 30
# An average character of Times New Roman at 10 pt is about half an em wide.
CHAR_TWIPS = TABLE_PT * 20 // 2

DRAFT_MARK = "ПРОЕКТ"
DRAFT_COLOR = "B00000"
DRAFT_BOX_MM = 40
SECTION_SHADE = "EDEDED"
# Paragraph styles, named as Word's style list shows them to the school.
STYLES = {
    "approval": "Гриф утверждения",
    "title": "Заголовок плана",
    "label": "Номер таблицы",
    "appendix": "Заголовок раздела",
    "analysis": "Текст самоанализа",
    "note_title": "Заголовок пояснительной записки",
    "note": "Текст пояснительной записки",
    "footer": "Номер страницы",
}
INDICATOR_TITLES = ("№", "Показатель", "Ед. изм.", "Исходное значение", "Целевое значение")
SECTION_II_TITLE = "К разделу II. Показатели оценки системы работы и их целевые значения"
SECTION_V_TITLE = "К разделу V. Самоанализ профориентационной деятельности"


def plan_docx(plan: Plan) -> bytes:
    """The plan as .docx bytes. `plan` comes from `Plan.objects.for_editor()`: no queries."""
    document = docx.Document()
    _setup_document(document, plan)
    body = document.element.body

    _approval_block(document, plan)
    _title(document, plan)
    _note(document, plan)
    label = document.add_paragraph(style=STYLES["label"])
    label.add_run("Таблица 1")

    widths = _widths(TABLE_SHARES)
    rows = [_header_row(COLUMN_TITLES, widths), _numbers_row(widths)]
    for row in table_rows(plan):
        rows.append(_spanning_row(row, widths) if row.spans else _plan_row(row, widths))
    # The body ends with the section properties: the table goes before them.
    body.sectPr.addprevious(_table(widths, rows))

    appendices = plan_appendices(plan)
    if appendices.indicators:
        document.add_paragraph(SECTION_II_TITLE, style=STYLES["appendix"])
        widths = _widths(INDICATOR_SHARES)
        rows = [_header_row(INDICATOR_TITLES, widths)]
        rows += [
            _row([_cell(text, width) for text, width in zip(indicator, widths, strict=True)])
            for indicator in appendices.indicators
        ]
        body.sectPr.addprevious(_table(widths, rows))
    if appendices.analysis:
        document.add_paragraph(SECTION_V_TITLE, style=STYLES["appendix"])
        for heading, text in appendices.analysis:
            paragraph = document.add_paragraph(style=STYLES["analysis"])
            paragraph.add_run(f"{_text(heading)}.").bold = True
            paragraph._p.append(parse_xml(f"<w:r {nsdecls('w')}>{_runs(' ' + text)}</w:r>"))

    output = BytesIO()
    document.save(output)
    return output.getvalue()


# The document around the table: page, fonts, styles, header and footer.


def _setup_page(document):
    """A4 landscape, the fonts, the styles, «стр. N из M»: every document the same."""
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = (Mm(size) for size in PAGE_MM)
    for side, size in MARGINS_MM.items():
        setattr(section, f"{side}_margin", Mm(size))
    section.header_distance = Mm(HEADER_DISTANCE_MM)
    section.footer_distance = Mm(FOOTER_DISTANCE_MM)

    _set_defaults(document)
    _add_styles(document)
    _page_numbers(section.footer)
    return section


def _setup_document(document, plan: Plan) -> None:
    section = _setup_page(document)
    if plan.status != PlanStatus.APPROVED:
        _draft_mark(section.header)

    _drop_template_leftovers(document)
    properties = document.core_properties
    properties.title = _text(f"{plan.year.plan_title} – {plan.school.short_name}")
    properties.subject = f"{plan.year.title} учебный год"
    properties.author = properties.last_modified_by = "Профплан"
    properties.comments = properties.keywords = ""
    properties.language = "ru-RU"
    # python-docx writes the dates as UTC without converting them.
    properties.created = plan.created_at.astimezone(UTC)
    properties.modified = plan.updated_at.astimezone(UTC)


def _drop_template_leftovers(document) -> None:
    """python-docx's template carries a thumbnail of its own blank page (file managers
    would show it as the plan's preview) and Word 2010's copy of the styles, which
    would not carry ours."""
    unwanted = ("/metadata/thumbnail", "/stylesWithEffects")
    for rels in (document.part.package.rels, document.part.rels):
        for rel_id in [i for i, rel in rels.items() if rel.reltype.endswith(unwanted)]:
            del rels[rel_id]


def _set_defaults(document) -> None:
    """Times New Roman 10 pt, Russian, single spacing, no space after paragraphs:
    the defaults every paragraph and table cell inherits."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    defaults.getparent().replace(
        defaults,
        parse_xml(
            f"<w:docDefaults {nsdecls('w')}>"
            "<w:rPrDefault><w:rPr>"
            f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/>'
            f'<w:sz w:val="{TABLE_PT * 2}"/><w:szCs w:val="{TABLE_PT * 2}"/>'
            '<w:lang w:val="ru-RU" w:eastAsia="ru-RU" w:bidi="ar-SA"/>'
            "</w:rPr></w:rPrDefault>"
            "<w:pPrDefault><w:pPr>"
            f'<w:spacing w:after="0" w:line="{TABLE_LINE_TWIPS}" w:lineRule="auto"/>'
            "</w:pPr></w:pPrDefault>"
            "</w:docDefaults>"
        ),
    )
    document.styles["Normal"].font.name = FONT  # what Word shows as the style's font
    _font_fallback(document)


def _font_fallback(document) -> None:
    """Name Liberation Serif as Times New Roman's alternative in the font table, and
    mark the family as roman, so an office suite without Times substitutes a serif."""
    for rel in document.part.rels.values():
        if rel.reltype.endswith("/fontTable"):
            table = parse_xml(rel.target_part.blob)
            for font in table.iterfind(qn("w:font")):
                if font.get(qn("w:name")) == FONT:
                    alt = parse_xml(f'<w:altName {nsdecls("w")} w:val="{FONT_FALLBACK}"/>')
                    font.insert(0, alt)
                    font.find(qn("w:family")).set(qn("w:val"), "roman")
            # python-docx keeps the font table as an opaque part: replace its bytes.
            rel.target_part._blob = _serialize(table)


def _serialize(element) -> bytes:
    return etree.tostring(element, xml_declaration=True, encoding="UTF-8", standalone=True)


def _add_styles(document) -> None:
    styles = document.styles

    def paragraph_style(name: str, *, size: float, bold=False, align=None, **format_):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        style.font.size = Pt(size)
        style.font.bold = bold
        paragraph = style.paragraph_format
        if align is not None:
            paragraph.alignment = align
        for key, value in format_.items():
            setattr(paragraph, key, value)
        return style

    paragraph_style(STYLES["approval"], size=12, left_indent=Mm(BODY_MM * 0.62), line_spacing=1.3)
    paragraph_style(
        STYLES["title"],
        size=13,
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        space_after=Pt(2),
        keep_with_next=True,
    )
    paragraph_style(
        STYLES["label"],
        size=11,
        align=WD_ALIGN_PARAGRAPH.RIGHT,
        space_before=Pt(10),
        space_after=Pt(4),
        keep_with_next=True,
    )
    paragraph_style(
        STYLES["appendix"],
        size=11,
        bold=True,
        space_before=Pt(16),
        space_after=Pt(6),
        keep_with_next=True,
    )
    paragraph_style(STYLES["analysis"], size=TABLE_PT, space_after=Pt(6))
    paragraph_style(
        STYLES["note_title"],
        size=12,
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        space_before=Pt(10),
        space_after=Pt(4),
        keep_with_next=True,
    )
    paragraph_style(
        STYLES["note"],
        size=12,
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        first_line_indent=Mm(12.5),
        space_after=Pt(4),
    )
    paragraph_style(STYLES["footer"], size=9, align=WD_ALIGN_PARAGRAPH.RIGHT)


def _approval_block(document, plan: Plan) -> None:
    school = plan.school
    name = signature_name(_text(school.director_name)) or "_" * 16
    lines = [
        ("УТВЕРЖДАЮ", True),
        (f"{school.director_position} {school.short_name}", False),
        (f"{'_' * 16} {name}", False),
        (approval_date_line(plan.approved_at.date() if plan.approved_at else None), False),
    ]
    for text, bold in lines:
        paragraph = document.add_paragraph(style=STYLES["approval"])
        run = paragraph.add_run(_text(text))
        run.bold = bold
    paragraph.paragraph_format.space_after = Pt(12)


def _title(document, plan: Plan) -> None:
    for text in (plan.year.plan_title, plan.school.full_name, f"на {plan.year.title} учебный год"):
        document.add_paragraph(_text(text), style=STYLES["title"])


def _note(document, plan: Plan) -> None:
    """The plan's пояснительная записка between the title and «Таблица 1»; none: nothing."""
    paragraphs = plan_note(plan)
    if paragraphs:
        document.add_paragraph(NOTE_TITLE, style=STYLES["note_title"])
        for text in paragraphs:
            document.add_paragraph(_text(text), style=STYLES["note"])


def _page_numbers(footer) -> None:
    """«стр. N из M» with Word's PAGE and NUMPAGES fields, right-aligned."""
    paragraph = footer.paragraphs[0]
    paragraph.style = STYLES["footer"]
    runs = [_TEXT.format("стр. "), *_field("PAGE"), _TEXT.format(" из "), *_field("NUMPAGES")]
    for run in runs:
        paragraph._p.append(parse_xml(f"<w:r {nsdecls('w')}>{run}</w:r>"))


def _field(instruction: str) -> list[str]:
    """The runs of a field; "1" stands until the application counts the pages."""
    return [
        '<w:fldChar w:fldCharType="begin"/>',
        f'<w:instrText xml:space="preserve"> {instruction} </w:instrText>',
        '<w:fldChar w:fldCharType="separate"/>',
        "<w:t>1</w:t>",
        '<w:fldChar w:fldCharType="end"/>',
    ]


def _draft_mark(header) -> None:
    """«ПРОЕКТ» in red in a box at the top right of every page, inside the header:
    the top margin keeps it clear of the text and the table, the header distance
    clear of the page edge. One mark; the body carries none."""
    border = '<w:{} w:val="single" w:sz="12" w:space="2" w:color="{}"/>'
    borders = "".join(
        border.format(side, DRAFT_COLOR) for side in ("top", "left", "bottom", "right")
    )
    # A bordered paragraph spans the column; the indent leaves a box round the word.
    indent = round((BODY_MM - DRAFT_BOX_MM) * TWIPS_PER_MM)
    mark = parse_xml(
        f"<w:p {nsdecls('w')}><w:pPr>"
        f"<w:pBdr>{borders}</w:pBdr>"
        f'<w:ind w:left="{indent}" w:right="60"/><w:jc w:val="center"/>'
        "</w:pPr><w:r><w:rPr>"
        f'<w:b/><w:color w:val="{DRAFT_COLOR}"/><w:spacing w:val="40"/>'
        '<w:sz w:val="28"/><w:szCs w:val="28"/>'
        f"</w:rPr><w:t>{DRAFT_MARK}</w:t></w:r></w:p>"
    )
    header._element.replace(header.paragraphs[0]._p, mark)


# The table, as WordprocessingML text. Every text goes through _runs(), which escapes it.

_BREAKS = re.compile(r"\r\n|\r|\n")
_TEXT = '<w:t xml:space="preserve">{}</w:t>'


def _text(value: str) -> str:
    return strip_control(value or "")


def _runs(value: str) -> str:
    """The inside of a run: text with line breaks and tabs as Word's own elements."""
    parts = []
    for index, line in enumerate(_BREAKS.split(_text(value))):
        if index:
            parts.append("<w:br/>")
        for position, chunk in enumerate(line.split("\t")):
            if position:
                parts.append("<w:tab/>")
            if chunk:
                parts.append(_TEXT.format(escape(chunk)))
    return "".join(parts)


def _paragraph(value: str, *, bold=False, italic=False, center=False, keep_next=False) -> str:
    ppr = ("<w:keepNext/>" if keep_next else "") + ('<w:jc w:val="center"/>' if center else "")
    rpr = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
    inner = _runs(value)
    run = f"<w:r>{f'<w:rPr>{rpr}</w:rPr>' if rpr else ''}{inner}</w:r>" if inner else ""
    return f"<w:p>{f'<w:pPr>{ppr}</w:pPr>' if ppr else ''}{run}</w:p>"


def _cell(
    value: str,
    width: int,
    *,
    span: int = 1,
    shade: str = "",
    middle: bool = False,
    paragraphs: str = "",
    **paragraph,
) -> str:
    properties = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if span > 1:
        properties += f'<w:gridSpan w:val="{span}"/>'
    if shade:
        properties += f'<w:shd w:val="clear" w:color="auto" w:fill="{shade}"/>'
    if middle:
        properties += '<w:vAlign w:val="center"/>'
    content = _paragraph(value, **paragraph) + paragraphs
    return f"<w:tc><w:tcPr>{properties}</w:tcPr>{content}</w:tc>"


def _row(cells: list[str], *, header=False, keep_whole=True) -> str:
    properties = ("<w:cantSplit/>" if keep_whole else "") + ("<w:tblHeader/>" if header else "")
    properties = f"<w:trPr>{properties}</w:trPr>" if properties else ""
    return f"<w:tr>{properties}{''.join(cells)}</w:tr>"


def _widths(shares: tuple[int, ...]) -> list[int]:
    widths = [BODY_TWIPS * share // sum(shares) for share in shares]
    widths[1] += BODY_TWIPS - sum(widths)  # rounding goes to the widest text column
    return widths


def _header_row(titles, widths) -> str:
    cells = [
        _cell(title, width, bold=True, center=True, middle=True)
        for title, width in zip(titles, widths, strict=True)
    ]
    return _row(cells, header=True)


def _numbers_row(widths) -> str:
    cells = [_cell(str(n), width, center=True) for n, width in enumerate(widths, start=1)]
    return _row(cells, header=True)


def _spanning_row(row, widths) -> str:
    """A section or heading: one bold cell across the table, kept with the next row."""
    text = f"{row.number} {row.activity}".strip()
    shade = SECTION_SHADE if row.kind == "section" else ""
    cell = _cell(text, sum(widths), span=len(widths), shade=shade, bold=True, keep_next=True)
    return _row([cell])


def _plan_row(row, widths) -> str:
    columns = row.columns
    cells = [_cell(columns[0], widths[0])]
    load = row.load_text
    cells.append(
        _cell(columns[1], widths[1], paragraphs=_paragraph(load, italic=True) if load else "")
    )
    cells += [_cell(text, width) for text, width in zip(columns[2:], widths[2:], strict=True)]
    texts = [columns[0], f"{columns[1]}\n{load}" if load else columns[1], *columns[2:]]
    keep_whole = all(_fits_a_page(text, width) for text, width in zip(texts, widths, strict=True))
    return _row(cells, keep_whole=keep_whole)


def _fits_a_page(text: str, width: int) -> bool:
    """Whether a cell's text takes at most KEEP_WHOLE_MAX_LINES lines. No font
    metrics here: a rough count is enough to tell a paragraph from a page."""
    per_line = max(1, (width - 2 * CELL_MARGIN_TWIPS) // CHAR_TWIPS)
    # Each line adds at most one partly filled line: most cells pass on this bound.
    breaks = text.count("\n") + text.count("\r")
    if len(text) / per_line + breaks + 1 <= KEEP_WHOLE_MAX_LINES:
        return True
    lines = sum(max(1, math.ceil(len(line) / per_line)) for line in _BREAKS.split(text))
    return lines <= KEEP_WHOLE_MAX_LINES


def _table(widths: list[int], rows: list[str]):
    border = '<w:{} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
    borders = "".join(
        border.format(side) for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    margins = (
        f'<w:top w:w="30" w:type="dxa"/><w:left w:w="{CELL_MARGIN_TWIPS}" w:type="dxa"/>'
        f'<w:bottom w:w="30" w:type="dxa"/><w:right w:w="{CELL_MARGIN_TWIPS}" w:type="dxa"/>'
    )
    grid = "".join(f'<w:gridCol w:w="{width}"/>' for width in widths)
    return parse_xml(
        f"<w:tbl {nsdecls('w')}>"
        "<w:tblPr>"
        f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
        f"<w:tblBorders>{borders}</w:tblBorders>"
        '<w:tblLayout w:type="fixed"/>'
        f"<w:tblCellMar>{margins}</w:tblCellMar>"
        '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0"'
        ' w:lastColumn="0" w:noHBand="1" w:noVBand="1"/>'
        "</w:tblPr>"
        f"<w:tblGrid>{grid}</w:tblGrid>"
        f"{''.join(rows)}"
        "</w:tbl>"
    )
