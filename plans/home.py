"""The home page: a school's plans (the centre's and coordinator's lists are in
monitoring/), and «Начать план» for the current year."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts import access
from plans import services
from plans.forms import StartPlanForm
from plans.models import Plan, SchoolYear
from profplan.ids import id_or_404


@login_required
def home(request):
    user = request.user
    plans = list(Plan.objects.for_user(user).for_list())
    context = {"plans": plans}
    if access.is_school_deputy(user):  # a team member reads the plans, starts none
        year = SchoolYear.objects.for_user(user).current()  # the school's region's
        context["current_year"] = year
        context["can_start"] = (
            year is not None and year.is_published and not any(p.year_id == year.pk for p in plans)
        )
        context["template_draft"] = (
            year is not None
            and not year.is_published
            and not any(p.year_id == year.pk for p in plans)
        )
        context["has_earlier_plan"] = (
            any(p.year.start_date < year.start_date for p in plans) if year else False
        )
        context["start_form"] = StartPlanForm()
    return render(request, "plans/home.html", context)


@login_required
@require_POST
def plan_start(request):
    if not access.is_school_deputy(request.user):
        raise PermissionDenied
    # Only a template of the school's own region: another region's year is not found.
    year = get_object_or_404(
        SchoolYear.objects.for_user(request.user), pk=id_or_404(request.POST.get("year"))
    )
    existing = Plan.objects.filter(school_id=request.user.school_id, year=year).first()
    if existing:  # a second click or a second tab: open the plan the first one made
        return redirect("plans:edit", existing.pk)
    form = StartPlanForm(request.POST)
    copy = form.is_valid() and form.cleaned_data["mode"] == "copy"
    try:
        plan = services.plan_start(school=request.user.school, year=year, copy_last_year=copy)
    except ValidationError as error:  # the year's template is a draft
        messages.error(request, " ".join(error.messages))
        return redirect("plans:home")
    messages.success(request, f"План на {year} учебный год создан.")
    return redirect("plans:edit", plan.pk)
