"""`{{ person|person_label }}`: «Иванова А. П., педагог-навигатор», as the document's
column «Ответственные, исполнители» names an assignee."""

from django import template

from plans.team.assignments import person_label as label

register = template.Library()


@register.filter
def person_label(person) -> str:
    return label(person)
