"""A set of grades 6–11 stored in one small integer (bit 0 = grade 6 … bit 5 = grade 11).

One column keeps a 300-row plan to one query and lets the database check the
range: any grade outside 6–11 makes the stored value 64 or more.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models

GRADES = (6, 7, 8, 9, 10, 11)
GRADE_CHOICES = [(grade, f"{grade} класс") for grade in GRADES]
ALL_GRADES_MASK = (1 << len(GRADES)) - 1


def grades_to_mask(grades) -> int:
    mask = 0
    for grade in grades:
        grade = int(grade)
        if grade not in GRADES:
            raise ValidationError(
                "Класс %(grade)s вне диапазона 6–11: профминимум реализуется в 6–11 классах.",
                code="grade_out_of_range",
                params={"grade": grade},
            )
        mask |= 1 << (grade - GRADES[0])
    return mask


def mask_to_grades(mask: int) -> tuple[int, ...]:
    return tuple(grade for grade in GRADES if mask & (1 << (grade - GRADES[0])))


def format_grades(grades) -> str:
    """ "6, 7, 9 кл." – as a school writes it in the plan."""
    grades = tuple(grades)
    return f"{', '.join(str(g) for g in grades)} кл." if grades else ""


def format_hours(value) -> str:
    """Decimal hours as people write them: 34, 1,5."""
    return f"{value.normalize():f}".replace(".", ",")


class GradesFormField(forms.TypedMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.pop("max_value", None)
        kwargs.pop("min_value", None)
        kwargs.setdefault("choices", GRADE_CHOICES)
        super().__init__(coerce=int, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            return list(mask_to_grades(value))
        return value


class GradesField(models.PositiveSmallIntegerField):
    """Python value: a sorted tuple of grades; database value: the bit mask."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else mask_to_grades(value)

    def to_python(self, value):
        if value is None or isinstance(value, tuple):
            return value
        if isinstance(value, int):
            return mask_to_grades(value)
        if isinstance(value, str):
            value = [part for part in value.replace(";", ",").split(",") if part.strip()]
        return tuple(sorted({int(v) for v in value}))

    def get_prep_value(self, value):
        if value is None or isinstance(value, int):
            return value
        return grades_to_mask(value)

    def validate(self, value, model_instance):
        # The stored mask is checked by grades_to_mask(); skip the integer checks.
        if not self.blank and not value:
            raise ValidationError(self.error_messages["blank"], code="blank")
        grades_to_mask(value or ())

    def run_validators(self, value):
        pass

    def value_to_string(self, obj):
        return ",".join(str(g) for g in self.value_from_object(obj) or ())

    def formfield(self, **kwargs):
        # Skip IntegerField.formfield(): its min/max validators do not apply to a set.
        return models.Field.formfield(self, form_class=GradesFormField, **kwargs)


# How long a text may be: a cell of Table 1 is a paragraph, not a book. The forms
# say so and refuse more with a Russian message (profplan.forms.model_formfield);
# the documents' cost is bounded by it (docs/scaling.md, the worst plan).
CELL_MAX_LENGTH = 2000
PERIOD_MAX_LENGTH = 500
NOTE_MAX_LENGTH = 4000  # a remark, an answer, a recommendation
ANALYSIS_MAX_LENGTH = 8000  # a part of the self-analysis (section V)
# The plan's пояснительная записка: a page before Table 1, not a second preamble.
EXPLANATORY_NOTE_MAX_LENGTH = 4000


def validate_links(value: str) -> None:
    """Column 6 «Ссылки на документ»: one http(s) address per line."""
    check = URLValidator(schemes=["http", "https"])
    for line in value.splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            check(line)
        except ValidationError:
            raise ValidationError(
                "«%(link)s» – не ссылка на документ. Укажите адрес, начинающийся с http:// "
                "или https://, по одному на строке.",
                code="invalid_link",
                params={"link": line[:100]},
            ) from None


def split_links(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]
