"""The catalogue of typical activities of a year and the names of its levels and
directions, written by the centre.

The catalogue is not part of Table 1: editing it after publication makes no new
revision of the template. Every save moves the year's `reference_revision`
(plans/signals.py), so the schools' editor pages show the new catalogue at once;
`bulk_update` sends no signal, so `activity_move` moves it itself.

An activity's place: its group (direction and level, as schools see the catalogue),
then `order` within the year; a move swaps it with its neighbour in the group.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from plans.models import ActivityTemplate, Direction, Level, SchoolYear
from plans.services.ordering import save_order
from profplan.forms import normalise_text

# What the centre fills in; the year and the order are the service's.
ACTIVITY_FIELDS = [
    "title",
    "direction",
    "level",
    "typical_hours",
    "period",
    "responsible",
    "documents",
    "links",
    "results",
]


def _fill(activity: ActivityTemplate, data: dict) -> None:
    for field in ACTIVITY_FIELDS:
        if field in data:
            setattr(activity, field, data[field])
    activity.title = (activity.title or "").strip()
    activity.full_clean()


@transaction.atomic
def activity_add(*, year: SchoolYear, data: dict) -> ActivityTemplate:
    """A new typical activity, last in its group."""
    last = ActivityTemplate.objects.filter(year=year).aggregate(last=Max("order"))["last"]
    activity = ActivityTemplate(year=year, order=(last or 0) + 1)
    _fill(activity, data)
    activity.save()
    return activity


@transaction.atomic
def activity_update(*, activity: ActivityTemplate, data: dict) -> ActivityTemplate:
    _fill(activity, data)
    activity.save()
    return activity


def _group(activity: ActivityTemplate) -> tuple:
    return activity.direction_id, activity.level_id


@transaction.atomic
def activity_move(*, activity: ActivityTemplate, step: int) -> ActivityTemplate:
    """One place up (step −1) or down (+1) within its group (direction and level)."""
    items = list(
        ActivityTemplate.objects.filter(year_id=activity.year_id)
        .select_for_update()
        .order_by("order", "pk")
    )
    group = [item for item in items if _group(item) == _group(activity)]
    index = next(i for i, item in enumerate(group) if item.pk == activity.pk)
    target = index + step
    if not 0 <= target < len(group):
        raise ValidationError(
            "Мероприятие уже первое в своей группе."
            if step < 0
            else "Мероприятие уже последнее в своей группе."
        )
    a, b = items.index(group[index]), items.index(group[target])
    items[a], items[b] = items[b], items[a]
    save_order(items)
    SchoolYear.objects.filter(pk=activity.year_id).reference_changed()
    activity.order = items.index(group[index]) + 1
    return activity


@transaction.atomic
def activity_delete(*, activity: ActivityTemplate) -> None:
    """Plans keep what they copied from it: a row never points at the catalogue."""
    activity.delete()


def _name(obj, name: str, *, noun: str, of: str, limit: int) -> str:
    """A new name for `obj` (a level or a direction): one line of text (spaces
    collapsed), not empty, not too long, not another's of the same year."""
    taken = {
        other.casefold()
        for other in type(obj)
        .objects.filter(year_id=obj.year_id)
        .exclude(pk=obj.pk)
        .values_list("name", flat=True)
    }
    name = " ".join(normalise_text(name or "").split())
    if not name:
        raise ValidationError(f"Название {of} не может быть пустым.")
    if len(name) > limit:
        raise ValidationError(
            f"Название {of} слишком длинное: {len(name)} знаков, допускается не более {limit}."
        )
    if name.casefold() in taken:
        raise ValidationError(f"{noun} «{name}» в этом году уже есть: выберите другое название.")
    return name


@transaction.atomic
def level_rename(*, level: Level, name: str) -> Level:
    """The level's name as the plans print it («базовый»); its code and hours stay."""
    level.name = _name(level, name, noun="Уровень", of="уровня", limit=100)
    level.save(update_fields=["name"])
    return level


@transaction.atomic
def direction_rename(*, direction: Direction, name: str) -> Direction:
    """The direction's name as the catalogue groups it; the headings of the level
    blocks in Table 1 keep their own titles (renamed as items)."""
    direction.name = _name(direction, name, noun="Направление", of="направления", limit=200)
    direction.save(update_fields=["name"])
    return direction
