"""`{% counted n opts %}` for the admin's templates: «3 плана», not «3 планы»
(plans/plurals.py)."""

from django import template

from plans.plurals import counted as counted_text

register = template.Library()


@register.simple_tag
def counted(count, opts):
    return counted_text(int(count or 0), opts)
