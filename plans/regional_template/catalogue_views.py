"""The catalogue of typical activities of a year, for the centre: its list grouped by
direction and level as schools see it, and the form of one activity.

The same door as the template's pages (`template_views._year`: the centre's staff
only, 403 for a school or a coordinator). A fixed number of queries for any number
of activities. Refusals come back as Russian messages; a form with errors comes
back with everything typed in it (422).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from plans.forms import ActivityTemplateForm, catalogue_group_key, catalogue_group_name
from plans.models import ActivityTemplate, Direction
from plans.regional_template import catalogue as services
from plans.regional_template.views import _year
from profplan.ids import parse_id


def _normalise(text: str) -> str:
    # SQLite's LIKE folds only ASCII; the catalogue is read whole anyway.
    return text.casefold().replace("ё", "е")


def _matches(activity: ActivityTemplate, group: str, words: list[str]) -> bool:
    text = _normalise(" ".join([group, activity.title, activity.period, activity.responsible]))
    return all(word in text for word in words)


@login_required
def catalogue(request, pk):
    """/templates/<pk>/catalogue/: the year's typical activities by direction, each
    direction by level (any level first), with hours; `q` keeps the activities whose
    words hold every word of it (the page also filters as you type)."""
    year = _year(request, pk)
    activities = list(
        ActivityTemplate.objects.filter(year=year)
        .select_related("direction", "level")
        .order_by("order", "pk")
    )
    query = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    words = _normalise(query).split()
    directions = list(Direction.objects.filter(year=year))
    sections: dict = {None: {"direction": None, "groups": {}}}
    sections.update({d.pk: {"direction": d, "groups": {}} for d in directions})
    for activity in activities:
        name = catalogue_group_name(activity.direction, activity.level)
        group = sections[activity.direction_id]["groups"].setdefault(
            catalogue_group_key(activity), {"name": name, "level": activity.level, "items": []}
        )
        group["items"].append(activity)
    shown = 0
    for section in sections.values():
        groups = [section["groups"][key] for key in sorted(section["groups"])]
        for group in groups:
            items = group["items"]
            group["lines"] = [
                {
                    "activity": activity,
                    "first": index == 0,
                    "last": index == len(items) - 1,
                    "hidden": bool(words) and not _matches(activity, group["name"], words),
                }
                for index, activity in enumerate(items)
            ]
            group["hidden"] = all(line["hidden"] for line in group["lines"])
            shown += sum(not line["hidden"] for line in group["lines"])
        section["groups"] = groups
    context = {
        "year": year,
        "sections": list(sections.values()),
        "total": len(activities),
        "shown": shown,
        "query": query,
    }
    return render(request, "plans/templates/catalogue.html", context)


def _activity_form_page(request, year, form, activity=None, status=200):
    return render(
        request,
        "plans/templates/activity_form.html",
        {"year": year, "form": form, "activity": activity},
        status=status,
    )


def _back(year, activity=None):
    url = reverse("plans:catalogue", args=[year.pk])
    return redirect(f"{url}#activity-{activity.pk}" if activity else url)


@login_required
def activity_new(request, pk):
    """/templates/<pk>/catalogue/new/: a new typical activity; `direction` and `level`
    in the address preselect its group (an unknown one is ignored)."""
    year = _year(request, pk)
    if request.method == "POST":
        form = ActivityTemplateForm(request.POST, year=year)
        if form.is_valid():
            try:
                activity = services.activity_add(year=year, data=form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"Мероприятие «{activity}» добавлено в каталог.")
                return _back(year, activity)
        return _activity_form_page(request, year, form, status=422)
    initial = {field: parse_id(request.GET.get(field)) for field in ("direction", "level")}
    return _activity_form_page(request, year, ActivityTemplateForm(initial=initial, year=year))


@login_required
def activity_edit(request, pk, activity_pk):
    """/templates/<pk>/catalogue/<activity_pk>/: every field of one activity."""
    year = _year(request, pk)
    activity = get_object_or_404(ActivityTemplate, pk=activity_pk, year=year)
    if request.method == "POST":
        form = ActivityTemplateForm(request.POST, instance=activity, year=year)
        if form.is_valid():
            try:
                services.activity_update(activity=activity, data=form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"Мероприятие «{activity}» сохранено.")
                return _back(year, activity)
        return _activity_form_page(request, year, form, activity, status=422)
    form = ActivityTemplateForm(instance=activity, year=year)
    return _activity_form_page(request, year, form, activity)


@login_required
@require_POST
def activity_action(request, pk, activity_pk):
    """Up, down or delete one activity of the list."""
    year = _year(request, pk)
    activity = get_object_or_404(ActivityTemplate, pk=activity_pk, year=year)
    action = request.POST.get("action", "")
    try:
        if action in ("up", "down"):
            services.activity_move(activity=activity, step=-1 if action == "up" else 1)
            return _back(year, activity)
        if action == "delete":
            title = str(activity)
            services.activity_delete(activity=activity)
            messages.success(request, f"Мероприятие «{title}» удалено из каталога.")
            return _back(year)
        raise ValidationError("Неизвестное действие.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back(year, activity)
