"""Reads: chainable queryset methods, one bundle per screen."""

from datetime import date, datetime, time, timedelta

from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts import access


def deadline_end(last_day: date) -> datetime:
    """The first moment after the last day of a window, in Moscow time (TIME_ZONE)."""
    return timezone.make_aware(datetime.combine(last_day + timedelta(days=1), time.min))


class RegionQuerySet(models.QuerySet):
    def default(self):
        """The region meant where none is named (a command without --region, a
        fixture): the first one, today the only one. None when there is none."""
        return self.order_by("order", "pk").first()

    def by_code(self, code: str | None):
        """The region with this code, or the default one for an empty code; raises
        DoesNotExist when there is no such region."""
        if not code:
            region = self.default()
            if region is None:
                raise self.model.DoesNotExist("Регионов нет: загрузите справочники.")
            return region
        return self.get(code=code)

    def for_user(self, user):
        return access.scope_region(self, user, "")


class MunicipalityQuerySet(models.QuerySet):
    def for_user(self, user):
        """The municipalities of the user's region."""
        return access.scope_region(self, user, "region")


class SchoolQuerySet(models.QuerySet):
    def for_user(self, user):
        """The schools the user may see (the rule: accounts/access.py)."""
        return access.scope(self, user, "")


def _current(years: list, today: date):
    """Of `years` (by start date): the one running today, else the next to start,
    else the latest; None for none."""
    running = [year for year in years if year.start_date <= today <= year.end_date]
    coming = [year for year in years if year.start_date > today]
    return (running or coming or years[-1:] or [None])[0]


class SchoolYearQuerySet(models.QuerySet):
    def for_user(self, user):
        """The years (templates) of the user's region: the centre's own, a school's or
        a coordinator's region; all of them for a superuser without a region."""
        return access.scope_region(self, user, "region")

    def for_region(self, region):
        return self.filter(region=region)

    def current(self, today: date | None = None):
        """The school year that contains today; between years, the next one to start,
        else the latest. None when there is no year at all. (Years are few: read them.)"""
        return _current(list(self.order_by("start_date")), today or timezone.localdate())

    def current_by_region(self, today: date | None = None) -> dict:
        """`current()` of each region, by region id, in one query: the weekly jobs
        run over every region, each in its own school year."""
        by_region: dict = {}
        for year in self.order_by("start_date"):
            by_region.setdefault(year.region_id, []).append(year)
        today = today or timezone.localdate()
        return {region: _current(years, today) for region, years in by_region.items()}

    def requested_or_current(self, year_id: str | None):
        """The year a page was asked for (`?year=`), else the current one; 404 for a
        malformed or unknown id, or when there is no year at all."""
        from django.http import Http404
        from django.shortcuts import get_object_or_404

        from profplan.ids import id_or_404

        year = get_object_or_404(self, pk=id_or_404(year_id)) if year_id else self.current()
        if year is None:
            raise Http404
        return year

    def reference_changed(self) -> int:
        """Move on the revision of these years' reference data: the template, levels,
        directions, catalogue and indicators. Editor pages cached under the old one are
        no longer served. Saves and deletes call it by themselves (plans/signals.py);
        call it after bulk writes that send no signals (`update()`, `bulk_create()` on a
        year that already has plans)."""
        return self.update(reference_revision=models.F("reference_revision") + 1)


# What other apps hang on a plan and show with it (monitoring: section II's indicators,
# section V's self-analysis) joins the plan's bundle through `editor_bundle_extend`,
# called from their AppConfig.ready(): plans shows it by the reverse relations' names
# and never imports those apps, which depend on plans.
_EDITOR_EXTENSIONS: list = []


def editor_bundle_extend(extension) -> None:
    """Have `PlanQuerySet.for_editor()` pass its queryset through `extension`, a function
    that adds `select_related`/`prefetch_related` lookups and returns the queryset."""
    if extension not in _EDITOR_EXTENSIONS:
        _EDITOR_EXTENSIONS.append(extension)


class PlanQuerySet(models.QuerySet):
    def for_user(self, user):
        """The only door to plans a user may see (the rule: accounts/access.py)."""
        return access.scope(self, user, "school")

    def editable_by(self, user):
        """Plans whose text the user may change: only the school's own people do."""
        return access.scope_own_school(self, user, "school")

    def for_editor(self):
        """Everything the editor and both exports read, in a fixed number of queries:
        the plan with school, municipality and year (1), its grades with levels (2), its
        rows (3), the year's template items (4), levels (5), directions (6); and what
        other apps hang on the plan and add to this bundle (`editor_bundle_extend`):
        monitoring adds the self-analysis to (1), section II's indicators (7) and, where
        there is a self-analysis, the indicators and campaigns it cites (8, 9)."""
        from .models import TemplateItem

        bundle = self.select_related("school__municipality", "year").prefetch_related(
            models.Prefetch("grades", queryset=self._grades()),
            "rows",
            models.Prefetch(
                "year__template_items", queryset=TemplateItem.objects.order_by("parent_id", "order")
            ),
            "year__levels",
            "year__directions",
        )
        for extend in _EDITOR_EXTENSIONS:
            bundle = extend(bundle)
        return bundle

    @staticmethod
    def _grades():
        from .models import PlanGrade

        return PlanGrade.objects.select_related("level").order_by("grade")

    def for_list(self):
        return self.select_related("school__municipality", "year")

    def with_deadline(self, today: date | None = None):
        """Annotate `first_submitted_at` and `is_overdue` («просрочен»).

        A plan is late when its first submission came after the last day of its
        year's window, or when that day has passed and it was never submitted.
        The deadline is the end of that day in Moscow time, so a plan submitted at
        23:58 MSK on the last day is on time. One query for the years, whatever
        the number of plans.
        """
        from .models import PlanSubmission, SchoolYear

        today = today or timezone.localdate()
        first = (
            PlanSubmission.objects.filter(plan=models.OuterRef("pk"))
            .order_by("submitted_at")
            .values("submitted_at")[:1]
        )
        late = models.Q(pk__in=[])
        for year in SchoolYear.objects.exclude(submission_closes=None).only(
            "pk", "submission_closes"
        ):
            late |= models.Q(
                year_id=year.pk, first_submitted_at__gte=deadline_end(year.submission_closes)
            )
            if year.submission_closes < today:
                late |= models.Q(year_id=year.pk, first_submitted_at__isnull=True)
        return self.annotate(
            first_submitted_at=Coalesce(models.Subquery(first), models.F("submitted_at"))
        ).annotate(
            is_overdue=models.Case(
                models.When(late, then=models.Value(True)),
                default=models.Value(False),
                output_field=models.BooleanField(),
            )
        )


def comment_threads(plan, names: bool = True) -> dict:
    """The plan's remarks by row id (None: on the plan as a whole), oldest first,
    each with its `answers` attached and `signed`: its author as the reader sees them
    (by name, or «школа» / «региональный центр» when the reader does not see people:
    `names` is `access.sees_people(reader)`). One query."""
    from accounts.people import signature

    from .models import PlanComment

    threads: dict = {}
    answers: dict = {}
    comments = PlanComment.objects.filter(plan=plan).select_related("author", "resolved_by")
    for comment in comments.order_by("created_at", "pk"):
        comment.signed = signature(comment.author, names=names)
        if comment.reply_to_id:
            answers.setdefault(comment.reply_to_id, []).append(comment)
        else:
            threads.setdefault(comment.row_id, []).append(comment)
    for thread in threads.values():
        for comment in thread:
            comment.answers = answers.get(comment.pk, [])
    return threads
