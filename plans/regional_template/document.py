"""The regional template as a document: the preamble, then Table 1 with every numbered line.

The centre's own document for a year (the seed is the one of 2023-2024): what every
school copies. `template_context(year)` reads it in a fixed number of queries; the
Word and PDF writers beside it (docx.py `template_docx`, pdf.py `template_pdf`) print it with
the same table, fonts and page as a school's plan. Lines are printed as the
template has them: the seed's number (`TemplateItem.code`, with or without the
final dot) in column 1 and the title in column 2; a section spans the table.
"""

from dataclasses import dataclass

from plans.models import BlockKind, ItemKind, SchoolYear, TemplateBlock, TemplateItem


@dataclass(slots=True)
class TemplateLine:
    number: str
    title: str
    kind: str
    depth: int

    @property
    def spans(self) -> bool:
        return self.kind == ItemKind.SECTION


def template_tree(items) -> list[tuple[TemplateItem, int]]:
    """(item, depth) in document order: each item, then its children by `order`."""
    children: dict[int | None, list[TemplateItem]] = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)
    for siblings in children.values():
        siblings.sort(key=lambda item: (item.order, item.pk))
    ordered: list[tuple[TemplateItem, int]] = []

    def walk(parent_id, depth):
        for item in children.get(parent_id, ()):
            ordered.append((item, depth))
            walk(item.pk, depth + 1)

    walk(None, 0)
    return ordered


def template_lines(items) -> list[TemplateLine]:
    return [
        TemplateLine(number=item.code, title=item.title, kind=item.kind, depth=depth)
        for item, depth in template_tree(items)
    ]


def template_context(year: SchoolYear) -> dict:
    """Everything the template's document shows; two queries."""
    blocks = list(TemplateBlock.objects.filter(year=year).order_by("order", "pk"))
    preamble = [block for block in blocks if block.kind not in TABLE_BLOCKS]
    return {
        "year": year,
        "preamble": preamble,
        "table_label": next(
            (block.text for block in blocks if block.kind == BlockKind.TABLE_LABEL), ""
        ),
        "caption": next((block.text for block in blocks if block.kind == BlockKind.CAPTION), ""),
        "lines": template_lines(TemplateItem.objects.filter(year=year)),
    }


# «Таблица 1» and its caption stand right above the table, wherever they are in the list.
TABLE_BLOCKS = frozenset({BlockKind.TABLE_LABEL, BlockKind.CAPTION})


def split_bold(text: str, bold: str) -> list[tuple[str, bool]]:
    """The text in runs, the first occurrence of `bold` printed bold."""
    if not bold or bold not in text:
        return [(text, False)]
    before, _, after = text.partition(bold)
    return [
        (part, is_bold) for part, is_bold in ((before, False), (bold, True), (after, False)) if part
    ]


def template_filename(year: SchoolYear, extension: str) -> str:
    from plans.documents.formats import _UNSAFE

    stem = f"Примерный план профориентации {year.title}"
    return f"{_UNSAFE.sub('_', stem).strip('_')}.{extension}"
