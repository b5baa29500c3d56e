"""Plans with many rows, made fast (bulk insert), for the export tests and benchmarks."""

from decimal import Decimal

from plans.models import ItemKind, PlanRow, TemplateItem


def fill_rows(plan, count: int, **fields) -> list[PlanRow]:
    """Append `count` school rows spread over every item that takes rows. Rows in a
    level block get 2 hours for grades 6–11. `fields` override the texts."""
    targets = list(
        TemplateItem.objects.filter(year=plan.year, accepts_rows=True)
        .exclude(kind=ItemKind.ROW)
        .select_related("parent")
        .order_by("pk")
    )
    rows = []
    for index in range(count):
        parent = targets[index % len(targets)]
        in_block = parent.direction_id is not None or (
            parent.parent is not None and parent.parent.level_id is not None
        )
        values = {
            "activity": f"Мероприятие № {index + 1}: экскурсия на предприятие",
            "period": "в течение года",
            "responsible": "Классные руководители",
            "documents": "Методические рекомендации",
            "links": "https://bvbinfo.ru/",
            "results": "Проведено",
            "hours": Decimal(2) if in_block else None,
            "grades": (6, 7, 8, 9, 10, 11) if in_block else (),
        } | fields
        rows.append(PlanRow(plan=plan, parent=parent, anchor=None, order=1000 + index, **values))
    return PlanRow.objects.bulk_create(rows)
