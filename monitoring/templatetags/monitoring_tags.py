from django import template

from ..charts import number

register = template.Library()


@register.filter
def cell(value):
    """A table cell as a Russian reader expects it: «12,5», «—» for no value."""
    if isinstance(value, bool):
        return "да" if value else "нет"
    return number(value)
