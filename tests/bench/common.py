"""Helpers shared by the benchmarks.

`make bench-smoke` (`python -m tests.bench --smoke`) runs the same code at a small
size: `size(full, smoke)` picks a module's sizes, and every median is of one run
with no warm-up. Its figures mean nothing; it shows that every bench still runs to
the end and prints every figure it declares (CI runs it).
"""

import os
import statistics
import time
from collections.abc import Callable

# Set by tests/bench/__main__.py before any bench module is imported.
SMOKE = os.environ.get("PROFPLAN_BENCH_SMOKE") == "1"


def size(full, smoke):
    """`full` for `make bench`, `smoke` for `make bench-smoke`."""
    return smoke if SMOKE else full


def median_seconds(function: Callable[[], object], repeat: int = 5, warmup: int = 1) -> float:
    return median_wall_and_cpu(function, repeat, warmup)[0]


def median_wall_and_cpu(
    function: Callable[[], object], repeat: int = 5, warmup: int = 1
) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of this process (SQLite runs in it too). On a
    machine shared with other work the CPU figure is the steadier one."""
    repeat, warmup = size(repeat, 1), size(warmup, 0)
    for _ in range(warmup):
        function()
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall), statistics.median(cpu)


def alternate_medians(first, second, repeat: int = 9) -> tuple[float, float]:
    """Median wall seconds of `first` and of `second`, measured in turn after a
    warm-up of each, so a change of load on the shared machine falls on both alike."""
    repeat = size(repeat, 1)
    if not SMOKE:
        first(), second()
    a, b = [], []
    for _ in range(repeat):
        for function, timings in ((first, a), (second, b)):
            started = time.perf_counter()
            function()
            timings.append(time.perf_counter() - started)
    return statistics.median(a), statistics.median(b)


def all_levels(levels: dict[str, int]) -> dict[int, int]:
    """Grades 6–7 basic, 8–9 main, 10–11 advanced: every level block in use."""
    by_grade = {6: "basic", 7: "basic", 8: "main", 9: "main", 10: "advanced", 11: "advanced"}
    return {grade: levels[code] for grade, code in by_grade.items()}


def big_plan(school_name: str = "Школа для замеров", rows: int = 300, text: str = ""):
    """A plan with `rows` school rows spread over every item that takes rows, with
    all three levels in use. Returns the plan."""
    from decimal import Decimal

    from plans.models import (
        ItemKind,
        Level,
        Municipality,
        PlanRow,
        School,
        SchoolYear,
        TemplateItem,
    )
    from plans.services import plan_create

    year = SchoolYear.objects.get(title="2023-2024")
    levels = {level.code: level.pk for level in Level.objects.filter(year=year)}
    school = School.objects.create(
        full_name=school_name, short_name=school_name, municipality=Municipality.objects.first()
    )
    plan = plan_create(
        school=school,
        year=year,
        levels=all_levels(levels),
    )
    targets = list(
        TemplateItem.objects.filter(year=year, accepts_rows=True).exclude(kind=ItemKind.ROW)
    )
    existing = plan.rows.filter(fixed_item=None).count()
    new_rows = []
    for index in range(max(0, rows - existing)):
        parent = targets[index % len(targets)]
        in_block = parent.parent is not None and parent.parent.level_id is not None
        new_rows.append(
            PlanRow(
                plan=plan,
                parent=parent,
                anchor=None,
                order=100 + index,
                activity=text
                or f"Мероприятие № {index + 1}: экскурсия на предприятие и профессиональная проба",
                period="в течение года",
                responsible="Классные руководители",
                documents="Методические рекомендации",
                links="https://bvbinfo.ru/",
                results="Проведено",
                hours=Decimal(2) if in_block else None,
                grades=(6, 7, 8, 9, 10, 11) if in_block else (),
            )
        )
    PlanRow.objects.bulk_create(new_rows)
    return plan


def test_environment() -> None:
    """Django's test environment for the test client (ALLOWED_HOSTS gets 'testserver'),
    once per process: several bench modules use the client in one `make bench`."""
    from django.test import utils

    if getattr(utils._TestState, "saved_data", None) is None:
        utils.setup_test_environment()
