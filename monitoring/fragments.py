"""What monitoring shows on plans' pages (profplan/fragments.py): plans' templates
mark the places, monitoring fills them here, so plans knows nothing of monitoring's
tags, templates or URLs. Registered in `MonitoringConfig.ready()`."""

from django.template.loader import get_template

from profplan.fragments import fragment_register

from .templatetags.monitoring_tags import (
    executed_indicators,
    executed_values_for,
    school_recommendations,
)

PLAN_INDICATORS = "templates/monitoring/_plan_indicators.html"


def _render(name: str, context, **values) -> str:
    """`name` rendered with `values` only, as an inclusion tag renders (`context.new`
    keeps autoescaping and the request)."""
    return get_template(name).template.render(context.new(values))


def editor_section_ii(context) -> str:
    """Section II in the editor: inside the editor's cached part, so it reads only the
    editor's context (`plan_indicators` from the bundle), never the request."""
    return _render(
        "monitoring/_plan_section_ii.html",
        context,
        plan=context.get("plan"),
        plan_indicators=context.get("plan_indicators"),
        can_edit=context.get("can_edit"),
    )


def review_section_ii(context) -> str:
    """Section II on the centre's review screen, with the counts from the execution of
    an approved plan beside the targets."""
    execution = context.get("execution") or {}
    plan = context.get("plan")
    return _render(
        "monitoring/_plan_indicators.html",
        context,
        plan_indicators=context.get("plan_indicators"),
        executed=executed_values_for(plan, execution.get("executions")),
    )


def execution_summary(context) -> str:
    """Section II's indicators counted from the execution, under the hours delivered."""
    values = executed_indicators(context.get("bundle"), context.get("executions"))
    return _render("monitoring/_executed_indicators.html", context, **values)


def home_recommendations(context) -> str:
    """The school's latest unanswered recommendations on the plans' home page."""
    values = school_recommendations(context.get("user"))
    return _render("monitoring/_school_recommendations.html", context, **values)


def execution_region_intro(context) -> str:
    return _render("monitoring/_execution_region_link.html", context)


def register_fragments() -> None:
    fragment_register(
        "plans.editor.section_ii",
        editor_section_ii,
        sources=(
            "templates/monitoring/_plan_section_ii.html",
            PLAN_INDICATORS,
            "monitoring/fragments.py",
            "monitoring/templatetags/monitoring_tags.py",
            "monitoring/charts.py",
        ),
    )
    fragment_register("plans.review.section_ii", review_section_ii)
    fragment_register("plans.execution.summary", execution_summary)
    fragment_register("plans.home.school", home_recommendations)
    fragment_register("plans.execution_region.intro", execution_region_intro)
