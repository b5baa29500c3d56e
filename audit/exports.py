"""The audit trail in Excel, as the admin's list shows it (filters and search applied)."""

from django.utils import timezone
from openpyxl import Workbook

from plans.documents.formats import download_response
from plans.documents.formats.cells import cell, make_style

from .models import AuditKind

# A region's year may hold hundreds of thousands of events. openpyxl writes about 1,500
# rows a second here (10,000 rows: 7.5 s with the machine loaded), within the request:
# more than this must be narrowed by the filters (a month, a school, a person).
EXPORT_LIMIT = 20_000

KIND_LABELS = dict(AuditKind.choices)

COLUMNS = [
    ("Когда", 18),
    ("Логин", 18),
    ("Кто", 30),
    ("Адрес", 16),
    ("Событие", 30),
    ("Школа", 30),
    ("Регион", 20),
    ("Что", 70),
]


def events_xlsx(events) -> bytes:
    """`events` (an AuditEvent queryset) as a workbook: one row per event, newest first
    as in the admin. Every text goes through `cell()`: a file name or a login typed
    as «=HYPERLINK(…)» stays text."""
    import io

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Журнал событий")
    for index, (_, width) in enumerate(COLUMNS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    header = make_style(sheet, bold=True, fill="DDDDDD")
    text = make_style(sheet)
    moment = make_style(sheet, number_format="DD.MM.YYYY HH:MM:SS")
    sheet.append([cell(sheet, title, header) for title, _ in COLUMNS])
    rows = events.select_related("user", "school", "region").iterator(chunk_size=2000)
    for event in rows:
        sheet.append(
            [
                # Excel has no time zones: the local time, as the admin shows it.
                cell(sheet, timezone.localtime(event.at).replace(tzinfo=None), moment),
                cell(sheet, event.username, text),
                cell(sheet, event.user.get_full_name() if event.user else "", text),
                cell(sheet, event.address or "", text),
                cell(sheet, KIND_LABELS.get(event.kind, event.kind), text),
                cell(sheet, event.school.short_name if event.school else "", text),
                cell(sheet, event.region.short_name if event.region else "", text),
                cell(sheet, event.detail, text),
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def events_xlsx_response(events):
    stamp = timezone.localtime().strftime("%Y-%m-%d_%H-%M")
    return download_response(events_xlsx(events), f"Журнал_событий_{stamp}.xlsx")
