from django import template

from ..charts import number
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
