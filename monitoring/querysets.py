"""Reads: chainable queryset methods, each scoped by `for_user()`.

`for_user()` is the rule of accounts/access.py, as for plans: regional centre
staff see every school, a municipal coordinator the schools of the municipality,
a deputy director the own school. The dashboard's aggregates are computed here, in the
database, so the dashboard runs the same number of queries for 30 schools and
for 300 (monitoring/dashboard.py assembles them into tables and charts).
"""

from datetime import date

from django.db import models
from django.db.models import Avg, Case, Count, F, OuterRef, Q, Subquery, Sum, Value, When

from accounts import access


class IndicatorQuerySet(models.QuerySet):
    def for_user(self, user):
        """The indicators of the years of the user's region."""
        return access.scope_region(self, user, "year__region")

    def for_year(self, year):
        return self.filter(year=year)

    def entered(self):
        return self.filter(source="entered")

    def computed(self):
        return self.exclude(source="entered")


class PlanIndicatorQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.scope(self, user, "plan__school")

    def for_display(self):
        return self.select_related("indicator").order_by("order", "indicator__order", "pk")


class CampaignQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.scope_campaigns(self, user)

    def opened(self, today: date):
        return self.filter(opens__lte=today)


class ReportQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.scope(self, user, "school")

    def for_list(self):
        return self.select_related("campaign", "school__municipality")

    def with_current_status(self, today: date):
        """`current_status`: the stored status, or «overdue» when not submitted after the
        closing day – the same rule as `Report.current_status()`, in SQL."""
        return self.annotate(
            current_status=Case(
                When(
                    ~Q(status="submitted") & Q(campaign__closes__lt=today),
                    then=Value("overdue"),
                ),
                default=F("status"),
                output_field=models.CharField(),
            )
        )

    def status_by_municipality(self, today: date):
        """One row per municipality: counts of reports in each status. One query."""
        return (
            self.with_current_status(today)
            .values("school__municipality_id", "school__municipality__name")
            .annotate(
                total=Count("pk"),
                not_started=Count("pk", filter=Q(current_status="not_started")),
                in_progress=Count("pk", filter=Q(current_status="in_progress")),
                submitted=Count("pk", filter=Q(current_status="submitted")),
                overdue=Count("pk", filter=Q(current_status="overdue")),
            )
            .order_by("school__municipality__order", "school__municipality__name")
        )


class ReportValueQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.scope(self, user, "report__school")

    def submitted(self):
        return self.filter(report__status="submitted", value__isnull=False)

    def with_target(self):
        """`target`: the target the school set for this indicator in its plan of the
        campaign's year (section II), as a correlated subquery – no query per row."""
        from .models import PlanIndicator

        return self.annotate(
            target=Subquery(
                PlanIndicator.objects.filter(
                    plan__school_id=OuterRef("report__school_id"),
                    plan__year_id=OuterRef("report__campaign__year_id"),
                    indicator_id=OuterRef("indicator_id"),
                ).values("target")[:1]
            )
        )

    def achievement_by_municipality(self):
        """One row per municipality and indicator: mean actual and target, schools that
        reported and schools that met their target. One query."""
        return (
            self.with_target()
            .values(
                "report__school__municipality_id",
                "report__school__municipality__name",
                "indicator_id",
            )
            .annotate(
                actual=Avg("value"),
                target_mean=Avg("target"),
                reported=Count("pk"),
                met=Count("pk", filter=Q(value__gte=F("target"))),
            )
            .order_by("report__school__municipality__order", "indicator_id")
        )

    def achievement_by_school(self):
        """One row per school and indicator: actual beside target. One query."""
        return (
            self.with_target()
            .values(
                "report__school_id",
                "report__school__short_name",
                "report__school__municipality__name",
                "indicator_id",
                "value",
                "target",
            )
            .order_by(
                "report__school__municipality__order",
                "report__school__short_name",
                "report__school_id",
                "indicator__order",
            )
        )

    def below_target(self):
        return self.with_target().filter(target__isnull=False, value__lt=F("target"))

    def mean_by_campaign(self):
        """One row per indicator code and campaign: the mean actual value. By code, as
        campaigns of two school years have each their own catalogue. One query."""
        return (
            self.values("indicator__code", "report__campaign_id")
            .annotate(actual=Avg("value"), reported=Count("pk"))
            .order_by("indicator__code")
        )


class SurveyCountQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.scope(self, user, "report__school")

    def totals_by_grade(self):
        """Sums per grade over all the reports in the queryset. One query."""
        return (
            self.values("grade")
            .annotate(
                schools=Count("report_id", distinct=True),
                pupils_sum=Sum("pupils"),
                to_grade_10_sum=Sum("to_grade_10"),
                to_college_sum=Sum("to_college"),
                to_university_sum=Sum("to_university"),
                to_work_sum=Sum("to_work"),
                undecided_sum=Sum("undecided"),
            )
            .order_by("grade")
        )


class RecommendationQuerySet(models.QuerySet):
    def for_user(self, user):
        return access.scope(self, user, "school")

    def for_list(self):
        return self.select_related("school__municipality", "indicator", "campaign", "created_by")

    def unanswered(self):
        return self.filter(answered_at__isnull=True)


def levels_by_grade(plans):
    """Grades 6–11 of the given plans counted by level (none: no level chosen). One query."""
    from plans.models import PlanGrade

    return (
        PlanGrade.objects.filter(plan__in=plans)
        .values("grade", "level_id", "level__name", "level__order")
        .annotate(plans_count=Count("pk"))
        .order_by("grade", "level__order")
    )


def delivery_by_municipality(plans):
    """Hours delivered per grade of the approved plans among `plans`, by municipality and
    grade: grades with a level, how many met its minimum, and the sums of hours delivered,
    planned and of the minimums (for means). One query: the figures are stored on the
    grades by plans/execution/services.py, so nothing is read per plan."""
    from plans.models import PlanGrade, PlanStatus

    return (
        _delivered_grades(PlanGrade.objects.filter(plan__in=plans), PlanStatus.APPROVED)
        .values("plan__school__municipality__name", "plan__school__municipality__order", "grade")
        .annotate(
            grades=Count("pk"),
            met=Count("pk", filter=Q(hours_delivered__gte=F("level__min_hours"))),
            delivered=Sum("hours_delivered"),
            planned=Sum("hours_planned"),
            minimum=Sum("level__min_hours"),
        )
        .order_by("plan__school__municipality__order", "plan__school__municipality__name", "grade")
    )


def grades_behind(plans):
    """Grades of the approved plans among `plans` whose hours delivered are still below
    their level's minimum, with the school and the figures, in region order. One query."""
    from plans.models import PlanGrade, PlanStatus

    return (
        _delivered_grades(PlanGrade.objects.filter(plan__in=plans), PlanStatus.APPROVED)
        .filter(hours_delivered__lt=F("level__min_hours"))
        .values(
            "plan_id",
            "plan__school__municipality__name",
            "plan__school__short_name",
            "grade",
            "level__name",
            "level__min_hours",
            "hours_delivered",
            "hours_planned",
        )
        .order_by(
            "plan__school__municipality__order",
            "plan__school__municipality__name",
            "plan__school__short_name",
            "plan_id",
            "grade",
        )
    )


def _delivered_grades(grades, approved):
    # A grade without a level has no minimum; figures are empty until the plan is approved.
    return grades.filter(plan__status=approved, level__isnull=False, hours_delivered__isnull=False)


def schools_matching(
    *,
    campaign,
    user,
    indicator=None,
    below_target: bool = False,
    not_submitted: bool = False,
    municipality=None,
):
    """Schools of the campaign that match a filter, for a recommendation to all of them.

    `below_target`: the school's submitted value of `indicator` is below the target of
    its plan. `not_submitted`: the school has not submitted its report.
    """
    from plans.models import School

    from .models import Report, ReportValue

    reports = Report.objects.for_user(user).filter(campaign=campaign)
    if municipality is not None:
        reports = reports.filter(school__municipality=municipality)
    if not_submitted:
        reports = reports.exclude(status="submitted")
    schools = School.objects.filter(pk__in=reports.values("school_id"))
    if indicator is not None and below_target:
        lagging = (
            ReportValue.objects.filter(report__campaign=campaign, indicator=indicator)
            .submitted()
            .below_target()
            .values("report__school_id")
        )
        schools = schools.filter(pk__in=lagging)
    return schools.select_related("municipality").order_by("municipality__order", "short_name")
