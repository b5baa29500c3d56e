from django import template

from ..charts import number
from ..computed import executed_values
from ..models import Recommendation

register = template.Library()


@register.filter
def cell(value):
    """A table cell as a Russian reader expects it: «12,5», «—» for no value."""
    if isinstance(value, bool):
        return "да" if value else "нет"
    return number(value)


@register.inclusion_tag("monitoring/_school_recommendations.html")
def school_recommendations(user):
    """The school's five latest unanswered recommendations, for the plans' home page:
    monitoring shows them there itself, so that plans does not import monitoring. One
    query."""
    unanswered = Recommendation.objects.for_user(user).unanswered().select_related("indicator")
    return {"recommendations": list(unanswered[:5])}


@register.filter
def lookup(mapping, key):
    """`{{ executed|lookup:item.indicator_id }}`: None when the mapping has no such key."""
    return (mapping or {}).get(key)


@register.simple_tag
def executed_values_for(plan, executions):
    """{indicator id: count from the execution} for section II of `plan` (the editor's
    bundle, which holds section II) and its `executions`; no queries. Empty without
    executions (a plan not approved)."""
    if plan is None or not isinstance(executions, dict):
        return {}  # no execution in the context (a template variable that is missing is "")
    return executed_values(plan, executions, [item.indicator for item in plan.indicators.all()])


@register.inclusion_tag("monitoring/_executed_indicators.html")
def executed_indicators(plan, executions):
    """Section II's indicators counted from the execution, beside their targets: shown
    with the execution summary on the plans' pages (plans does not import monitoring,
    so monitoring shows them there itself). No queries for the editor's bundle."""
    values = executed_values_for(plan, executions)
    items = [item for item in plan.indicators.all() if item.indicator_id in values] if plan else []
    return {"items": [(item, values[item.indicator_id]) for item in items]}
