from django.contrib import admin
from django.forms.models import BaseInlineFormSet

from .models import (
    ActivityTemplate,
    Direction,
    Level,
    Municipality,
    Plan,
    PlanGrade,
    PlanRow,
    PlanSubmission,
    School,
    SchoolYear,
    TemplateItem,
)
from .numbering import number_lines


@admin.register(SchoolYear)
class SchoolYearAdmin(admin.ModelAdmin):
    list_display = ["title", "start_date", "end_date", "submission_opens", "submission_closes"]
    search_fields = ["title"]
    actions = ["copy_to_next_year"]

    @admin.action(description="Создать следующий учебный год копированием", permissions=["add"])
    def copy_to_next_year(self, request, queryset):
        """Each selected year gets a successor: titles and dates one year on, the same
        levels, directions, template tree and catalogue (plans/services.py)."""
        from django.core.exceptions import ValidationError

        from .services import school_year_copy, school_year_next_title, shift_date

        for source in queryset.order_by("start_date"):
            try:
                year = school_year_copy(
                    source=source,
                    title=school_year_next_title(source.title),
                    start_date=shift_date(source.start_date, 1),
                    end_date=shift_date(source.end_date, 1),
                )
            except (ValidationError, ValueError) as error:
                text = " ".join(getattr(error, "messages", None) or [str(error)])
                self.message_user(request, f"{source}: {text}", level="error")
            else:
                self.message_user(
                    request,
                    f"Создан учебный год {year} копированием {source}: проверьте и "
                    "отредактируйте уровни, направления, пункты примерного плана и каталог.",
                    level="success",
                )


@admin.register(Level)
class LevelAdmin(admin.ModelAdmin):
    list_display = ["name", "min_hours", "year", "order"]
    list_filter = ["year"]
    list_select_related = ["year"]


@admin.register(Direction)
class DirectionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "year", "order"]
    list_filter = ["year"]
    list_select_related = ["year"]
    search_fields = ["name"]


@admin.register(TemplateItem)
class TemplateItemAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "kind", "level", "direction", "accepts_rows", "year"]
    list_filter = ["year", "kind", "level", "accepts_rows"]
    list_select_related = ["year", "level", "direction"]
    search_fields = ["code", "title"]
    raw_id_fields = ["parent"]
    ordering = ["year", "pk"]


@admin.register(ActivityTemplate)
class ActivityTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "direction", "typical_hours", "year", "order"]
    list_filter = ["year", "direction"]
    list_select_related = ["year", "direction"]
    search_fields = ["title"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "order"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["short_name", "municipality", "inn", "director_name"]
    list_filter = ["municipality"]
    list_select_related = ["municipality"]
    search_fields = ["short_name", "full_name", "inn"]


class PlanGradeInline(admin.TabularInline):
    model = PlanGrade
    extra = 0
    max_num = 6
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("level")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "level" and request.resolver_match:
            plan_id = request.resolver_match.kwargs.get("object_id")
            if plan_id:
                kwargs["queryset"] = Level.objects.filter(year__plans__pk=plan_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class DocumentOrderFormSet(BaseInlineFormSet):
    """Shows a plan's rows in the order and with the numbers of the document."""

    def get_queryset(self):
        if self.instance.pk is None:
            return super().get_queryset()
        if not hasattr(self, "_document_rows"):
            rows = list(super().get_queryset())
            plan = self.instance
            used = set(plan.grades.exclude(level=None).values_list("level_id", flat=True))
            lines = number_lines(TemplateItem.objects.filter(year_id=plan.year_id), rows, used)
            position = {line.row.pk: index for index, line in enumerate(lines) if line.row}
            for line in lines:
                if line.row:
                    line.row.number = line.number
            for row in rows:
                row.number = getattr(row, "number", "скрыта (уровень не выбран)")
            rows.sort(key=lambda row: position.get(row.pk, len(position)))
            self._document_rows = rows
        return self._document_rows


class PlanRowInline(admin.StackedInline):
    model = PlanRow
    formset = DocumentOrderFormSet
    extra = 0
    fields = [
        "number",
        "place",
        "activity",
        ("period", "start_date", "end_date"),
        "responsible",
        "documents",
        "links",
        "results",
        ("hours", "grades"),
    ]
    readonly_fields = ["number", "place"]
    classes = ["collapse"]

    @admin.display(description="№ п/п")
    def number(self, row):
        return getattr(row, "number", "")

    @admin.display(description="пункт плана")
    def place(self, row):
        return row.fixed_item or row.parent

    def has_add_permission(self, request, obj=None):
        # Rows are added in the school's editor, where their place in the table is chosen.
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("parent", "fixed_item")


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["school", "municipality", "year", "status", "submitted_at", "updated_at"]
    list_filter = ["year", "status", "school__municipality"]
    list_select_related = ["school__municipality", "year"]
    search_fields = ["school__short_name", "school__full_name", "school__inn"]
    readonly_fields = [
        "version",
        "created_at",
        "updated_at",
        "submitted_at",
        "approved_at",
        "exports",
    ]
    fields = ["school", "year", "status", *readonly_fields]
    inlines = [PlanGradeInline, PlanRowInline]
    date_hierarchy = "submitted_at"
    actions = ["export_consolidated"]

    @admin.display(description="муниципалитет", ordering="school__municipality__name")
    def municipality(self, plan):
        return plan.school.municipality

    @admin.display(description="скачать план")
    def exports(self, plan):
        from django.urls import reverse
        from django.utils.html import format_html

        if plan.pk is None:
            return "—"
        return format_html(
            '<a href="{}">PDF</a> · <a href="{}">Excel</a>',
            reverse("plans:export-pdf", args=[plan.pk]),
            reverse("plans:export-xlsx", args=[plan.pk]),
        )

    @admin.action(description="Скачать сводную таблицу (Excel)")
    def export_consolidated(self, request, queryset):
        from django.utils import timezone

        from .exports import download_response
        from .exports.consolidated import region_xlsx

        name = f"Сводная_таблица_планов_{timezone.localdate():%Y-%m-%d}.xlsx"
        return download_response(region_xlsx(queryset), name)


@admin.register(PlanSubmission)
class PlanSubmissionAdmin(admin.ModelAdmin):
    list_display = ["plan", "number", "submitted_at", "submitted_by"]
    list_filter = ["plan__year", "plan__school__municipality"]
    list_select_related = ["plan__school", "plan__year", "submitted_by"]
    search_fields = ["plan__school__short_name", "plan__school__inn"]
    readonly_fields = ["plan", "number", "submitted_at", "submitted_by", "pdf", "snapshot"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
