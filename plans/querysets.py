"""Reads: chainable queryset methods, one bundle per screen."""

from datetime import date

from django.db import models
from django.utils import timezone


class SchoolYearQuerySet(models.QuerySet):
    def current(self, today: date | None = None):
        """The school year that contains today; between years, the next one to start,
        else the latest. None when there is no year at all."""
        today = today or timezone.localdate()
        year = self.filter(start_date__lte=today, end_date__gte=today).first()
        if year is None:
            year = self.filter(start_date__gt=today).order_by("start_date").first()
        return year or self.order_by("-start_date").first()


class PlanQuerySet(models.QuerySet):
    def for_user(self, user):
        """The only door to plans a user may see.

        Regional centre staff see every plan, a municipal coordinator the plans of
        the municipality's schools, a deputy director the school's own plans.
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser or user.is_staff:
            return self
        if user.school_id:
            return self.filter(school_id=user.school_id)
        if user.municipality_id:
            return self.filter(school__municipality_id=user.municipality_id)
        return self.none()

    def editable_by(self, user):
        """Plans whose text the user may change: only the school's own people do."""
        if not user.is_authenticated or not user.is_active or not user.school_id:
            return self.none()
        return self.filter(school_id=user.school_id)

    def for_editor(self):
        """Everything the editor and both exports read, in a fixed number of queries:
        the plan with school, municipality and year (1), its grades with levels (2),
        its rows (3), the year's template items (4), levels (5) and directions (6)."""
        from .models import TemplateItem

        return self.select_related("school__municipality", "year").prefetch_related(
            models.Prefetch("grades", queryset=self._grades()),
            "rows",
            models.Prefetch(
                "year__template_items", queryset=TemplateItem.objects.order_by("parent_id", "order")
            ),
            "year__levels",
            "year__directions",
        )

    @staticmethod
    def _grades():
        from .models import PlanGrade

        return PlanGrade.objects.select_related("level").order_by("grade")

    def for_list(self):
        return self.select_related("school__municipality", "year")


class PlanRowQuerySet(models.QuerySet):
    def school_rows(self):
        return self.filter(fixed_item__isnull=True)
