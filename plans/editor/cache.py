"""The editor page's main part, rendered once per state of the plan and kept in the
cache (the views add what changes without the plan's version: the execution, the
notices of a new template revision)."""

import functools
import hashlib

from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.people import signature
from plans.editor.entries import editor_entries, open_comments
from plans.forms import LevelsForm
from plans.models import Plan
from plans.numbering import plan_lines
from plans.profminimum import check_plan
from plans.querysets import comment_threads
from profplan.digest import source_digest
from profplan.fragments import fragment_sources

# The content of the editor page is rendered once per state of the plan and kept
# in the cache: opening a plan is what people do most, and it is read far more often
# than it changes. The key is made of versions that every write moves on: the plan's
# `version` (rows, grades, transitions, remarks and answers, section II, the
# self-analysis, the reviewer's admin: all go through services.plan_touch or a
# transition), the year's `reference_revision` (any save or delete of the template,
# levels, directions, catalogue or indicators: plans/signals.py), the code that renders
# it, and who is looking (can edit, can answer remarks, sees people's names). The version is read before the
# content, so the content is never older than its key. Names of people (remark authors,
# the history) are not in the key: a renamed user shows under the old name until the
# entry expires.
EDITOR_CACHE_SECONDS = 600


# The templates and code that render the cached content: a new release never serves
# pages rendered by the old one. Every template `_editor_main.html` includes, the code
# that computes what they show (the lines and their numbers, the check, the hours),
# and what other apps show inside it (profplan/fragments.py).
EDITOR_SOURCES = (
    "templates/plans/_editor_main.html",
    "templates/plans/_open_comments.html",
    "templates/plans/_check.html",
    "templates/plans/_table.html",
    "plans/templatetags/plan_table.py",
    "plans/editor/row_html.py",
    "plans/editor/cache.py",
    "accounts/people.py",
    "plans/editor/entries.py",
    "plans/documents/formats/rows.py",
    "plans/numbering.py",
    "plans/profminimum.py",
    "plans/hours.py",
    "plans/fields.py",
    "plans/forms.py",
    "plans/editor/views.py",
    "profplan/fragments.py",
)
EDITOR_FRAGMENTS = ("plans.editor.section_ii",)


def editor_sources() -> tuple[str, ...]:
    return EDITOR_SOURCES + tuple(
        source for place in EDITOR_FRAGMENTS for source in fragment_sources(place)
    )


@functools.cache
def editor_code() -> str:
    """The digest of `editor_sources()`, once per process (after the apps registered
    their fragments)."""
    return source_digest(*editor_sources())


def editor_main(
    plan: Plan,
    can_edit: bool,
    can_answer: bool,
    names: bool = True,
    answer_rows: frozenset = frozenset(),
) -> str:
    """The HTML of the editor's main part for `plan` as this user sees it; `names`:
    the user sees who wrote the remarks and took the decisions (`access.sees_people`),
    else their side («школа», «региональный центр»).

    `answer_rows`: rows whose remarks the user answers though not all of them (a team
    member's assigned rows); they are in the key, so a member never gets the deputy's
    page nor another member's, and a new assignment is a new key."""
    rows = ",".join(str(pk) for pk in sorted(answer_rows)) if not can_answer else ""
    key = (
        f"plan-editor:{editor_code()}:{plan.pk}:{plan.version}:{plan.year.reference_revision}:"
        f"{int(can_edit)}{int(can_answer)}{int(names)}:"
        f"{hashlib.sha256(rows.encode()).hexdigest()[:16]}"
    )
    main = cache.get(key)
    if main is None:
        context = editor_context(plan.pk, can_edit, can_answer, names)
        context["answer_rows"] = frozenset() if can_answer else frozenset(answer_rows)
        main = render_to_string("plans/_editor_main.html", context)
        cache.set(key, main, EDITOR_CACHE_SECONDS)
    return main


def editor_context(plan_pk: int, can_edit: bool, can_answer: bool, names: bool = True) -> dict:
    """Everything below the editor's header, from the plan's bundle: a fixed number
    of queries whatever the rows."""
    plan = Plan.objects.for_editor().get(pk=plan_pk)
    lines = plan_lines(plan)
    threads = comment_threads(plan, names)
    levels = list(plan.year.levels.all())
    entries = editor_entries(plan, lines, threads)
    events = list(plan.events.select_related("by").order_by("-at", "-pk"))
    for event in events:
        event.signed = signature(event.by, names=names)
    return {
        "plan": plan,
        "entries": entries,
        "open_comments": open_comments(lines, threads),
        "plan_comments": threads.get(None, []),
        "check": check_plan(plan, lines),
        "can_edit": can_edit,
        "can_answer": can_answer,
        "rows_url": rows_url(plan),
        "submissions": plan.submissions.order_by("-number"),
        "plan_indicators": plan.indicators.all(),
        "events": events,
        "levels_form": LevelsForm(
            levels=levels, initial_levels={g.grade: g.level_id for g in plan.grades.all()}
        ),
    }


def rows_url(plan: Plan) -> str:
    """/plans/<pk>/rows/: reversed once per page, not six times per row (a 300-row
    plan would spend a fifth of its rendering time in reverse())."""
    return reverse("plans:row-new", args=[plan.pk]).removesuffix("new/")
