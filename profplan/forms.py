"""What every text field of the plan's and the monitoring's forms does to its text.

Text pasted from Word carries its manual line breaks as a vertical tab (\\v) and
its paragraphs sometimes as U+2029; a browser sends them as they are. Shown on the
page (white-space: pre-line) or written to Excel they would glue two lines into one
word, and openpyxl refuses control characters outright. A NUL byte, which nobody
types but a hostile form can send, is refused by PostgreSQL in any text column.
"""

import re

from django import forms
from django.db import models

from .ids import parse_id

# Every line break str.splitlines() knows, Windows' \r\n first.
LINE_BREAKS = re.compile("\r\n|[\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
# The other control characters (a tab stays a tab).
CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f]")


def normalise_text(text: str) -> str:
    """Every line break a \\n, no control characters but \\t and \\n."""
    return CONTROL.sub("", LINE_BREAKS.sub("\n", text))


class PlainTextField(forms.CharField):
    """A CharField whose text is cleaned by normalise_text() before anything else."""

    def to_python(self, value):
        if isinstance(value, str):
            value = normalise_text(value)
        return super().to_python(value)


class KeysMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Ticked ids that no key column can hold («99999999999999999999») are a form
    error, not an overflow in the `pk__in` query Django makes of them."""

    def clean(self, value):
        for key in value if isinstance(value, list | tuple) else []:
            if parse_id(key) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": key},
                )
        return super().clean(value)


def limit_text(field: forms.CharField, limit: int) -> None:
    """Show the limit of a long text and refuse more with a Russian message. The
    browser's own `maxlength` is dropped: it cuts pasted text silently, and a
    school must never lose text it typed; the form keeps it and asks to shorten."""
    field.widget.attrs.pop("maxlength", None)
    field.widget.attrs["data-limit"] = str(limit)
    hint = f"Не более {limit:,} знаков.".replace(",", "\u00a0")
    field.help_text = f"{field.help_text} {hint}".strip() if field.help_text else hint
    field.error_messages["max_length"] = (
        "Текст слишком длинный: %(show_value)d знаков, допускается не более %(limit_value)d. "
        "Сократите его — введённый текст остался в форме."
    )


def model_formfield(model_field, **kwargs):
    """`Meta.formfield_callback` of the site's ModelForms: text fields clean their text,
    many-to-many fields check their ids."""
    if isinstance(model_field, models.CharField | models.TextField) and not model_field.choices:
        kwargs.setdefault("form_class", PlainTextField)
        field = model_field.formfield(**kwargs)
        if model_field.max_length and isinstance(model_field, models.TextField):
            limit_text(field, model_field.max_length)
        return field
    elif isinstance(model_field, models.ManyToManyField):
        kwargs.setdefault("form_class", KeysMultipleChoiceField)
    return model_field.formfield(**kwargs)
