"""Thin views: fetch through `for_user()` (another school's data answers 404), validate
with a form, change state through monitoring/services.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import access
from plans.execution.reads import executions_for
from plans.forms import posted_version
from plans.models import Municipality, Plan, PlanStatus, School
from plans.services import PlanConflict, PlanNotEditable
from profplan.ids import parse_id

from . import services
from .charts import number
from .computed import executed_values, plan_computed_values
from .dashboard import dashboard_bundle
from .draft import ANALYSIS_TEXTS, DRAFT_NOTICE, self_analysis_draft
from .exports import dashboard_xlsx
from .forms import (
    AnswerForm,
    PlanIndicatorsForm,
    RecommendationSendForm,
    ReportValuesForm,
    SelfAnalysisForm,
    SurveyForm,
)
from .models import (
    SURVEY_GRADES,
    Campaign,
    Indicator,
    PlanIndicator,
    Recommendation,
    Report,
    ReportValue,
    Sector,
    SelfAnalysis,
    moscow_today,
)
from .querysets import schools_matching


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@login_required
def home(request):
    if access.may_see_dashboard(request.user):
        return redirect("monitoring:dashboard")
    reports = Report.objects.for_user(request.user).for_list()
    recommendations = Recommendation.objects.for_user(request.user).unanswered().count()
    return render(
        request,
        "monitoring/home.html",
        {"reports": reports, "unanswered": recommendations, "today": moscow_today()},
    )


def _report_plan(report):
    """The school's plan of the campaign's year with the editor's bundle, or None."""
    return (
        Plan.objects.for_editor()
        .filter(school_id=report.school_id, year_id=report.campaign.year_id)
        .first()
    )


def _report_context(report, form, indicators, plan, executed):
    campaign = report.campaign
    targets = {
        pi.indicator_id: pi.target
        for pi in PlanIndicator.objects.filter(
            plan__school_id=report.school_id, plan__year_id=campaign.year_id
        )
    }
    if report.is_submitted:
        stored = {v.indicator_id: v.value for v in report.values.all()}
        computed = {i.pk: stored.get(i.pk) for i in indicators if i.is_computed}
    else:
        computed = plan_computed_values(plan, indicators)
    return {
        "report": report,
        "campaign": campaign,
        "form": form,
        "rows": list(form.rows(targets, computed, executed)),
        "has_targets": bool(targets),
    }


def _get_report(request, pk):
    return get_object_or_404(
        Report.objects.for_user(request.user).select_related(
            "campaign__year", "school__municipality"
        ),
        pk=pk,
    )


@login_required
def report_detail(request, pk):
    """The school's report. While it is filled, the indicators counted from the
    execution of the plan are offered: «По отметкам об исполнении: N», prefilled where
    nothing is entered yet, and «Подставить» puts the number into the field."""
    report = _get_report(request, pk)
    editable = access.may_edit_report(request.user, report, moscow_today())
    indicators = list(report.campaign.indicators.order_by("order", "pk"))
    stored = {v.indicator_id: v.value for v in report.values.all()}
    initial = {f"indicator_{pk}": value for pk, value in stored.items()}
    plan = executed = None
    if not report.is_submitted:
        plan = _report_plan(report)
        if editable and plan is not None:
            executed = executed_values(plan, executions_for(plan, with_evidence=False), indicators)
    executed = executed or {}
    if request.method == "POST":
        if not editable:
            raise PermissionDenied("Отчёт не изменяется.")
        fill = parse_id(request.POST.get("fill"))
        if fill in executed:
            # «Подставить»: the form comes back with the count in its field and every
            # other typed value as it was; nothing is saved until «Сохранить».
            data = request.POST.copy()
            data[f"indicator_{fill}"] = number(executed[fill])
            form = ReportValuesForm(data, indicators=indicators, initial=initial)
            messages.info(request, "Подставлено число по отметкам об исполнении. Сохраните отчёт.")
        elif "fill" in request.POST:
            # The marks no longer give this number (changed meanwhile): nothing is saved.
            form = ReportValuesForm(request.POST, indicators=indicators, initial=initial)
            messages.error(request, "По отметкам об исполнении этого числа нет: введите значение.")
        else:
            form = ReportValuesForm(request.POST, indicators=indicators, initial=initial)
            if form.is_valid():
                try:
                    services.report_save_values(
                        report=report, values=form.values(), by=request.user
                    )
                    if request.POST.get("action") == "submit":
                        services.report_submit(report=report, by=request.user)
                        messages.success(request, "Отчёт сдан.")
                    else:
                        messages.success(request, "Значения сохранены.")
                    return redirect(report.get_absolute_url())
                except ValidationError as error:
                    messages.error(request, _error_text(error))
            else:
                messages.error(request, "Отчёт не сохранён: исправьте отмеченные значения.")
    else:
        # Prefilled where the school has entered nothing yet: the same number is not
        # typed twice (the hint beside the field says where it comes from).
        for indicator_pk, value in executed.items():
            if stored.get(indicator_pk) is None:
                initial[f"indicator_{indicator_pk}"] = value
        form = ReportValuesForm(indicators=indicators, initial=initial)
    if not editable:
        for field in form.fields.values():
            field.disabled = True
    context = _report_context(report, form, indicators, plan, executed)
    context.update(editable=editable, status=report.current_status_display)
    return render(request, "monitoring/report.html", context)


@login_required
def survey(request, pk):
    report = _get_report(request, pk)
    editable = access.may_edit_report(request.user, report, moscow_today())
    sectors = list(Sector.objects.all())
    stored = {s.grade: s for s in report.surveys.prefetch_related("sectors").order_by("grade")}

    def initial(grade):
        survey = stored.get(grade)
        if survey is None:
            return {}
        data = {"pupils": survey.pupils}
        data.update({p.value: getattr(survey, p.value) for p in survey.paths_for(grade)})
        data.update({f"sector_{c.sector_id}": c.count for c in survey.sectors.all()})
        return data

    data = request.POST if request.method == "POST" else None
    forms_ = [
        SurveyForm(data, grade=grade, sectors=sectors, initial=initial(grade))
        for grade in SURVEY_GRADES
    ]
    if request.method == "POST":
        if not editable:
            raise PermissionDenied("Отчёт не изменяется.")
        # Both grades are saved together or not at all, so a mistake in one does not
        # leave the other half-saved; every typed number stays in the form.
        if all(form.is_valid() for form in forms_):
            try:
                for form in forms_:
                    if form.is_blank:
                        continue
                    services.report_save_survey(
                        report=report,
                        grade=form.grade,
                        pupils=form.cleaned_data["pupils"],
                        paths=form.paths_data(),
                        sectors=form.sectors_data(),
                        by=request.user,
                    )
                messages.success(request, "Результаты опроса сохранены.")
                return redirect("monitoring:survey", pk=report.pk)
            except ValidationError as error:
                messages.error(request, _error_text(error))
        else:
            messages.error(request, "Опрос не сохранён: исправьте отмеченные числа.")
    if not editable:
        for form in forms_:
            for field in form.fields.values():
                field.disabled = True
    return render(
        request,
        "monitoring/survey.html",
        {"report": report, "forms": forms_, "editable": editable},
    )


@login_required
def recommendations(request):
    items = list(Recommendation.objects.for_user(request.user).for_list()[:300])
    # Did the indicator move? The school's value in the recommendation's campaign and
    # in its latest later campaign, read in one query for the whole list.
    codes = {r.indicator.code for r in items if r.indicator_id and r.campaign_id}
    history: dict[tuple[int, str], list] = {}
    if codes:
        rows = (
            ReportValue.objects.for_user(request.user)
            .submitted()
            .filter(
                indicator__code__in=codes,
                report__school_id__in={r.school_id for r in items},
            )
            .values(
                "report__school_id",
                "indicator__code",
                "report__campaign_id",
                "report__campaign__closes",
                "report__campaign__name",
                "value",
            )
            .order_by("report__campaign__closes")
        )
        for row in rows:
            history.setdefault((row["report__school_id"], row["indicator__code"]), []).append(row)
    for item in items:
        item.before = item.after = None
        if item.indicator_id and item.campaign_id:
            seen = history.get((item.school_id, item.indicator.code), [])
            item.before = next(
                (r for r in seen if r["report__campaign_id"] == item.campaign_id), None
            )
            later = [r for r in seen if r["report__campaign__closes"] > item.campaign.closes]
            item.after = later[-1] if later else None
    return render(
        request,
        "monitoring/recommendations.html",
        {
            "recommendations": items,
            "answer_form": AnswerForm(),
        },
    )


def _own_recommendation(request, pk) -> Recommendation:
    recommendation = get_object_or_404(Recommendation.objects.for_user(request.user), pk=pk)
    if not access.may_answer_recommendation(request.user, recommendation):
        # A coordinator or the regional centre reads it; only the school answers.
        raise PermissionDenied("Отвечает на рекомендацию школа.")
    return recommendation


@login_required
@require_POST
def recommendation_acknowledge(request, pk):
    recommendation = _own_recommendation(request, pk)
    services.recommendation_acknowledge(recommendation=recommendation, by=request.user)
    messages.success(request, "Рекомендация отмечена как прочитанная.")
    return redirect(f"{reverse('monitoring:recommendations')}#r{recommendation.pk}")


@login_required
@require_POST
def recommendation_answer(request, pk):
    recommendation = _own_recommendation(request, pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        services.recommendation_answer(
            recommendation=recommendation, answer=form.cleaned_data["answer"], by=request.user
        )
        messages.success(request, "Ответ отправлен в региональный центр.")
    else:
        messages.error(request, " ".join(form.errors["answer"]))
    return redirect(f"{reverse('monitoring:recommendations')}#r{recommendation.pk}")


def _own_region_choices(form, user) -> None:
    """The campaigns, schools, municipalities and indicators of the user's region only."""
    fields = form.fields
    fields["campaign"].queryset = Campaign.objects.for_user(user)
    fields["school"].queryset = School.objects.for_user(user).select_related("municipality")
    fields["municipality"].queryset = Municipality.objects.for_user(user)
    fields["indicator"].queryset = Indicator.objects.for_user(user).select_related("year")


@login_required
def recommendation_send(request):
    if not access.may_review(request.user):
        raise PermissionDenied("Рекомендации направляет региональный центр.")
    form = RecommendationSendForm(request.POST or None, initial=request.GET.dict() or None)
    _own_region_choices(form, request.user)
    matching = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["school"]:
            matching = [data["school"]]
        else:
            matching = list(
                schools_matching(
                    campaign=data["campaign"],
                    user=request.user,
                    indicator=data["indicator"],
                    below_target=data["below_target"],
                    not_submitted=data["not_submitted"],
                    municipality=data["municipality"],
                )
            )
        if request.POST.get("action") == "send":
            try:
                sent = services.recommendation_send(
                    text=data["text"],
                    by=request.user,
                    schools=matching,
                    indicator=data["indicator"],
                    campaign=data["campaign"],
                )
            except ValidationError as error:
                messages.error(request, _error_text(error))
            else:
                messages.success(request, f"Рекомендация направлена школам: {len(sent)}.")
                return redirect("monitoring:recommendation-send")
    return render(
        request, "monitoring/recommendation_send.html", {"form": form, "matching": matching}
    )


@login_required
def plan_indicators(request, plan_id):
    plan = get_object_or_404(
        Plan.objects.for_user(request.user).select_related("school", "year"), pk=plan_id
    )
    editable = access.may_edit_plan(request.user, plan)
    chosen = list(PlanIndicator.objects.filter(plan=plan).for_display())
    indicators = list(Indicator.objects.filter(year_id=plan.year_id))
    initial = {}
    for item in chosen:
        initial.update(
            {
                f"use_{item.indicator_id}": True,
                f"baseline_{item.indicator_id}": item.baseline,
                f"target_{item.indicator_id}": item.target,
            }
        )
    form = None
    if editable:
        form = PlanIndicatorsForm(
            request.POST if request.method == "POST" else None,
            indicators=indicators,
            initial=initial,
        )
        if request.method == "POST":
            if form.is_valid():
                try:
                    services.plan_indicators_save(
                        plan=plan,
                        rows=form.chosen(),
                        by=request.user,
                        version=posted_version(request.POST),
                    )
                except ValidationError as error:
                    messages.error(request, _error_text(error))
                except (PlanConflict, PlanNotEditable) as error:
                    # The form is shown again with what was typed and the plan's
                    # current version: saving again overwrites deliberately.
                    messages.error(request, error.message)
                else:
                    messages.success(request, "Показатели раздела II сохранены.")
                    return redirect("monitoring:plan-indicators", plan_id=plan.pk)
            else:
                messages.error(request, "Показатели не сохранены: исправьте отмеченные значения.")
    elif request.method == "POST":
        raise PermissionDenied("План изменяет только школа, пока он не сдан.")
    computed, executed = {}, {}
    if editable:
        full = Plan.objects.for_editor().get(pk=plan.pk)
        computed = plan_computed_values(full, indicators)
    elif plan.status == PlanStatus.APPROVED:
        # Beside the targets: what the marks of the approved plan count so far.
        full = Plan.objects.for_editor().get(pk=plan.pk)
        executions = executions_for(full, with_evidence=False)
        executed = executed_values(full, executions, [item.indicator for item in chosen])
    return render(
        request,
        "monitoring/plan_indicators.html",
        {
            "plan": plan,
            "plan_indicators": chosen,
            "form": form,
            "rows": list(form.rows(computed)) if form else [],
            "editable": editable,
            "executed": executed,
        },
    )


@login_required
def self_analysis(request, plan_id):
    plan = get_object_or_404(
        Plan.objects.for_user(request.user).select_related("school", "year"), pk=plan_id
    )
    editable = access.may_write_self_analysis(request.user, plan)
    analysis = SelfAnalysis.objects.filter(plan=plan).first()
    initial, drafted = {}, False
    if request.method != "POST" and editable and plan.status == PlanStatus.APPROVED:
        if analysis is None or not any(getattr(analysis, name) for name in ANALYSIS_TEXTS):
            # Nothing written yet: the school starts from what its marks say.
            draft = self_analysis_draft(plan.pk)
            initial, drafted = dict(draft.texts), True
            if analysis is None:
                initial.update(indicators=draft.indicator_ids, campaigns=draft.campaign_ids)
    form = SelfAnalysisForm(
        request.POST if request.method == "POST" else None,
        instance=analysis,
        plan=plan,
        initial=initial,
    )
    if request.method == "POST":
        if not editable:
            raise PermissionDenied("Самоанализ пишет школа.")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.self_analysis_save(
                    plan=plan,
                    by=request.user,
                    version=posted_version(request.POST),
                    indicators=data["indicators"],
                    campaigns=data["campaigns"],
                    results=data["results"],
                    problems=data["problems"],
                    effectiveness=data["effectiveness"],
                    next_steps=data["next_steps"],
                )
            except PlanConflict as error:
                # Shown again with what was typed and the plan's current version.
                messages.error(request, error.message)
            else:
                messages.success(request, "Самоанализ сохранён.")
                return redirect("monitoring:self-analysis", plan_id=plan.pk)
        else:
            messages.error(request, "Самоанализ не сохранён: исправьте отмеченные поля.")
    if not editable:
        for field in form.fields.values():
            field.disabled = True
    return render(
        request,
        "monitoring/self_analysis.html",
        {
            "plan": plan,
            "form": form,
            "editable": editable,
            "analysis": analysis,
            "drafted": drafted,
            "draft_notice": DRAFT_NOTICE,
        },
    )


def _dashboard_for(request, **kwargs):
    if not access.may_see_dashboard(request.user):
        raise PermissionDenied(
            "Сводка по региону доступна региональному центру, министерству и координаторам."
        )
    return dashboard_bundle(
        user=request.user,
        campaign_id=request.GET.get("campaign"),
        municipality_id=request.GET.get("municipality"),
        indicator_id=request.GET.get("indicator"),
        **kwargs,
    )


@login_required
def dashboard(request):
    return render(request, "monitoring/dashboard.html", {"dashboard": _dashboard_for(request)})


@login_required
def dashboard_download(request):
    bundle = _dashboard_for(request, school_rows_limit=None, all_indicators=True)
    keys = [key for key in request.GET.getlist("table") if key]
    content = dashboard_xlsx(bundle, keys or None)
    name = f"monitoring-{bundle.campaign.pk if bundle.campaign else 'none'}.xlsx"
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
