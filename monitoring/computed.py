"""Indicators computed from a school's plan, by way of the профминимум check.

Pure Python over a plan fetched with `Plan.objects.for_editor()`, as
`plans.profminimum.check_plan` needs: no queries of its own.
"""

from decimal import ROUND_HALF_UP, Decimal

from plans.profminimum import PlanCheck, check_plan

from .models import ComputedKind, Indicator


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def computed_value(indicator: Indicator, check: PlanCheck) -> Decimal | None:
    """The value of a computed indicator for the plan behind `check`; None when the plan
    gives no basis (no grade has a level)."""
    with_level = [grade for grade in check.grades if grade.level is not None]
    if indicator.computed == ComputedKind.MIN_GRADE_HOURS:
        if not with_level:
            return None
        return min(grade.planned_hours for grade in with_level)
    if indicator.computed == ComputedKind.LEVEL_SHARE:
        matching = [g for g in check.grades if g.level and g.level.pk == indicator.level_id]
        return _percent(len(matching), len(check.grades))
    if indicator.computed == ComputedKind.DIRECTIONS_COVERED:
        # Each grade owes the directions of its level's block; the share is taken over
        # those (grade, direction) pairs, optionally only for the indicator's direction.
        pairs = [
            covered
            for grade in with_level
            for direction, covered in grade.directions
            if indicator.direction_id is None or direction.pk == indicator.direction_id
        ]
        return _percent(sum(pairs), len(pairs))
    return None


def plan_computed_values(plan, indicators) -> dict[int, Decimal | None]:
    """{indicator id: value} for the computed ones among `indicators`; `plan` may be None."""
    computed = [indicator for indicator in indicators if indicator.is_computed]
    if not computed:
        return {}
    if plan is None:
        return {indicator.pk: None for indicator in computed}
    check = check_plan(plan)
    return {indicator.pk: computed_value(indicator, check) for indicator in computed}
