"""The home page: a school's plans and «Начать план» for the current year; for those
who read many schools (the centre, the ministry, a coordinator) the plans of their
region or municipality, filtered by year, municipality, status and school. A team
member's home is «Мои мероприятия» (plans/team/my_views.py)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts import access
from plans import services
from plans.forms import StartPlanForm
from plans.models import Municipality, Plan, PlanStatus, SchoolYear
from profplan.ids import id_or_404


class PlanFilterForm(forms.Form):
    """The list's filters (GET): what the centre filters in the admin's list, for
    everyone who reads many schools. An unknown value is ignored, not an error."""

    year = forms.ModelChoiceField(
        label="Учебный год", queryset=SchoolYear.objects.none(), required=False, empty_label="все"
    )
    municipality = forms.ModelChoiceField(
        label="Муниципалитет",
        queryset=Municipality.objects.none(),
        required=False,
        empty_label="все",
    )
    status = forms.ChoiceField(
        label="Статус", choices=[("", "все"), *PlanStatus.choices], required=False
    )
    q = forms.CharField(label="Школа", max_length=100, required=False, strip=True)

    def __init__(self, data, *, user):
        super().__init__(data)
        self.fields["year"].queryset = SchoolYear.objects.for_user(user).order_by("-start_date")
        if access.reads_region(user):
            self.fields["municipality"].queryset = Municipality.objects.for_user(user)
        else:  # a coordinator's list is one municipality already
            del self.fields["municipality"]

    def narrow(self, plans):
        if not self.is_valid():
            return plans
        data = self.cleaned_data
        if data["year"]:
            plans = plans.filter(year=data["year"])
        if data.get("municipality"):
            plans = plans.filter(school__municipality=data["municipality"])
        if data["status"]:
            plans = plans.filter(status=data["status"])
        if data["q"]:
            plans = plans.filter(
                Q(school__short_name__icontains=data["q"])
                | Q(school__full_name__icontains=data["q"])
                | Q(school__inn=data["q"])
            )
        return plans


@login_required
def home(request):
    user = request.user
    if access.is_team_member(user):
        # A teacher comes for their own activities; the school's plans are linked there.
        return redirect("plans:my")
    plans = Plan.objects.for_user(user).for_list()
    context = {}
    if access.reads_region(user) or access.sees_municipality(user):
        filters = PlanFilterForm(request.GET or None, user=user)
        plans = filters.narrow(plans)
        # The workbook and the archive below are of the year chosen here (else the current).
        context["filters"] = filters
        context["chosen_year"] = filters.is_valid() and filters.cleaned_data["year"] or None
    plans = list(plans)
    context["plans"] = plans
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
