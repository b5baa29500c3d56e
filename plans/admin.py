from functools import partial

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.forms.models import BaseInlineFormSet
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from accounts import access
from accounts.region_admin import RegionScoped
from plans import review, services
from plans.documents import queue
from plans.fields import GradesField
from plans.imports import views as import_views
from plans.models import (
    ActivityTemplate,
    Direction,
    DocumentKind,
    Evidence,
    Level,
    Municipality,
    Plan,
    PlanComment,
    PlanEvent,
    PlanGrade,
    PlanRow,
    PlanStatus,
    PlanSubmission,
    Region,
    RowExecution,
    School,
    SchoolYear,
    TemplateItem,
)
from plans.numbering import number_lines
from plans.plurals import COUNTED, ru_plural
from plans.services import school_year_copy, school_year_next_title, shift_date
from profplan.forms import PlainTextField


class PlanPartAdmin(RegionScoped, admin.ModelAdmin):
    """The admin of something that hangs on a plan (a remark, a submission, section II,
    the self-analysis): a save or a delete here moves the plan's version on, as the
    services do, so that the editor page cached under the old version is not served."""

    region_field = "plan__school__municipality__region"

    @staticmethod
    def _touch(plan_ids) -> None:
        for pk in set(plan_ids) - {None}:
            services.plan_touch(plan=Plan(pk=pk), version=None, any_status=True)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        moved_from = form.initial.get("plan") if "plan" in form.changed_data else None
        self._touch([obj.plan_id, moved_from])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._touch([obj.plan_id])

    def delete_queryset(self, request, queryset):
        plan_ids = list(queryset.values_list("plan_id", flat=True))
        super().delete_queryset(request, queryset)
        self._touch(plan_ids)


@admin.register(Region)
class RegionAdmin(RegionScoped, admin.ModelAdmin):
    """Regions are added by the site's administrator (a superuser): a new region joins
    with its municipalities, its year's template and its centre's staff."""

    region_field = ""
    list_display = ["name", "short_name", "code", "order"]
    search_fields = ["name", "short_name", "code"]


@admin.register(SchoolYear)
class SchoolYearAdmin(RegionScoped, admin.ModelAdmin):
    list_display = [
        "title",
        "region",
        "start_date",
        "end_date",
        "submission_opens",
        "submission_closes",
    ]
    list_filter = ["region"]
    list_select_related = ["region"]
    search_fields = ["title"]
    actions = ["copy_to_next_year"]

    @admin.action(description="Создать следующий учебный год копированием", permissions=["add"])
    def copy_to_next_year(self, request, queryset):
        """Each selected year gets a successor: titles and dates one year on, the same
        levels, directions, template tree and catalogue (plans/services/years.py)."""

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
class LevelAdmin(RegionScoped, admin.ModelAdmin):
    region_field = "year__region"
    list_display = ["name", "min_hours", "year", "order"]
    list_filter = ["year"]
    list_select_related = ["year"]


@admin.register(Direction)
class DirectionAdmin(RegionScoped, admin.ModelAdmin):
    region_field = "year__region"
    list_display = ["name", "code", "year", "order"]
    list_filter = ["year"]
    list_select_related = ["year"]
    search_fields = ["name"]


@admin.register(TemplateItem)
class TemplateItemAdmin(RegionScoped, admin.ModelAdmin):
    region_field = "year__region"
    list_display = ["code", "title", "kind", "level", "direction", "accepts_rows", "year"]
    list_filter = ["year", "kind", "level", "accepts_rows"]
    list_select_related = ["year", "level", "direction"]
    search_fields = ["code", "title"]
    raw_id_fields = ["parent"]
    ordering = ["year", "pk"]


@admin.register(ActivityTemplate)
class ActivityTemplateAdmin(RegionScoped, admin.ModelAdmin):
    region_field = "year__region"
    list_display = ["title", "direction", "level", "typical_hours", "year", "order"]
    list_filter = ["year", "direction", "level"]
    list_select_related = ["year", "direction", "level"]
    search_fields = ["title"]


@admin.register(Municipality)
class MunicipalityAdmin(RegionScoped, admin.ModelAdmin):
    list_display = ["name", "kind", "region", "order"]
    list_filter = ["region", "kind"]
    list_select_related = ["region"]
    search_fields = ["name"]


@admin.register(School)
class SchoolAdmin(RegionScoped, admin.ModelAdmin):
    region_field = "municipality__region"
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
    # The admin gives every integer field its number input, GradesField too (a bit mask
    # in the database): the row's grades would show as «()» and never validate.
    formfield_overrides = {GradesField: {"widget": forms.CheckboxSelectMultiple}}

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


class LevelUsedFilter(admin.SimpleListFilter):
    title = "уровень профминимума"
    parameter_name = "level"

    def lookups(self, request, model_admin):
        levels = access.scope_region(Level.objects.all(), request.user, "year__region")
        return [(code, name) for code, name in levels.values_list("code", "name").distinct()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(grades__level__code=self.value()).distinct()
        return queryset


class OverdueFilter(admin.SimpleListFilter):
    title = "срок сдачи"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "просрочен"), ("no", "в срок")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(is_overdue=self.value() == "yes")
        return queryset


class ReturnForm(forms.Form):
    comment = PlainTextField(
        label="Что исправить",
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        error_messages={
            "required": "Укажите, что нужно исправить: без комментария план не возвращается."
        },
    )


APPROVED_WORDS = ("Утверждён", "Утверждено", "Утверждено")
RETURNED_WORDS = ("Возвращён на доработку", "Возвращено на доработку", "Возвращено на доработку")


@admin.register(Plan)
class PlanAdmin(RegionScoped, admin.ModelAdmin):
    """The reviewers' main screen: who submitted, who is late, who passes the check."""

    region_field = "school__municipality__region"

    list_display = [
        "school_link",
        "municipality",
        "year",
        "status_label",
        "first_submitted",
        "check_label",
        "open_comments",
        "changed",
        "exports",
    ]
    list_filter = [
        "year",
        "status",
        "school__municipality",
        LevelUsedFilter,
        ("check_passed", admin.BooleanFieldListFilter),
        OverdueFilter,
    ]
    list_select_related = ["school__municipality", "year"]
    search_fields = ["school__short_name", "school__full_name", "school__inn"]
    readonly_fields = [
        "school",
        "year",
        "status",
        "version",
        "created_at",
        "updated_at",
        "submitted_at",
        "approved_at",
        "check_passed",
        "exports",
    ]
    fields = readonly_fields
    inlines = [PlanGradeInline, PlanRowInline]
    date_hierarchy = "submitted_at"
    actions = ["export_consolidated", "archive_selected", "approve_selected", "return_selected"]
    list_per_page = 100

    def get_queryset(self, request):
        unresolved = (
            PlanComment.objects.filter(plan=OuterRef("pk"), reply_to=None, resolved_at=None)
            .values("plan")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            super().get_queryset(request).with_deadline().annotate(unresolved=Subquery(unresolved))
        )

    def changelist_view(self, request, extra_context=None):
        # The list is the reviewers' main screen: at 1366 px its columns and filters
        # need the width the app menu would take (the menu stays on every other page).
        return super().changelist_view(
            request, {"is_nav_sidebar_enabled": False, **(extra_context or {})}
        )

    def has_add_permission(self, request):
        # A plan is started by its school (or copied by a service), never typed in here.
        return False

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The reviewer's edits of rows and grades move the version on, as the school's do.
        services.plan_touch(plan=form.instance, version=None, any_status=True)
        if form.instance.status == PlanStatus.APPROVED:
            # …and change the hours per grade the region's dashboard adds up.
            services.plan_delivery_store(plan=form.instance)

    @admin.display(description="школа", ordering="school__short_name")
    def school_link(self, plan):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:plans_plan_review", args=[plan.pk]), plan.school
        )

    @admin.display(description="муниципалитет", ordering="school__municipality__name")
    def municipality(self, plan):
        return plan.school.municipality

    @admin.display(description="статус", ordering="status")
    def status_label(self, plan):
        overdue = getattr(plan, "is_overdue", False)
        return format_html(
            "{}{}",
            plan.get_status_display(),
            mark_safe(' <strong style="color:#b02a37">просрочен</strong>') if overdue else "",
        )

    @admin.display(description="сдан", ordering="first_submitted_at")
    def first_submitted(self, plan):
        first = getattr(plan, "first_submitted_at", None)
        return timezone.localtime(first).strftime("%d.%m.%Y %H:%M") if first else "—"

    @admin.display(description="изменён", ordering="updated_at")
    def changed(self, plan):
        return timezone.localtime(plan.updated_at).strftime("%d.%m.%Y %H:%M")

    @admin.display(description="профминимум", ordering="check_passed")
    def check_label(self, plan):
        return "✓ выполнен" if plan.check_passed else "✗ есть замечания"

    @admin.display(description="открытых комментариев", ordering="unresolved")
    def open_comments(self, plan):
        return getattr(plan, "unresolved", None) or 0

    @admin.display(description="скачать план")
    def exports(self, plan):
        if plan.pk is None:
            return "—"
        return format_html(
            '<a href="{}">PDF</a> · <a href="{}">Word</a> · <a href="{}">Excel</a>',
            reverse("plans:export-pdf", args=[plan.pk]),
            reverse("plans:export-docx", args=[plan.pk]),
            reverse("plans:export-xlsx", args=[plan.pk]),
        )

    @admin.action(description="Скачать сводную таблицу (Excel)")
    def export_consolidated(self, request, queryset):
        document = queue.plans_document(
            DocumentKind.CONSOLIDATED, plans=queryset, by=request.user, selected=True
        )
        return redirect(document)

    @admin.action(description="Все выбранные планы одним архивом (PDF и Word)")
    def archive_selected(self, request, queryset):
        document = queue.plans_document(
            DocumentKind.ARCHIVE, plans=queryset, by=request.user, selected=True
        )
        return redirect(document)

    def _apply(self, request, queryset, action, done_words, **kwargs):
        """Apply a workflow service to each selected plan; `done_words` are the verb's
        forms for 1, 2–4 and 5 plans: «Утверждён 1 план», «Утверждено 3 плана»."""
        done, refused = 0, []
        for plan in queryset.select_related("school"):
            try:
                action(plan=plan, by=request.user, **kwargs)
                done += 1
            except services.TransitionRefused as error:
                refused.append(f"{plan.school}: {error.message}")
        if done:
            verb, noun = ru_plural(done, *done_words), ru_plural(done, *COUNTED["plans.plan"])
            self.message_user(request, f"{verb} {done} {noun}.", messages.SUCCESS)
        for message in refused:
            self.message_user(request, message, messages.WARNING)

    @admin.action(description="Утвердить выбранные планы", permissions=["change"])
    def approve_selected(self, request, queryset):
        self._apply(request, queryset, services.plan_approve, APPROVED_WORDS)

    @admin.action(description="Вернуть выбранные планы на доработку", permissions=["change"])
    def return_selected(self, request, queryset):
        form = ReturnForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            self._apply(
                request,
                queryset,
                services.plan_return,
                RETURNED_WORDS,
                comment=form.cleaned_data["comment"],
            )
            return None
        return TemplateResponse(
            request,
            "admin/plans/plan/return_selected.html",
            {
                **self.admin_site.each_context(request),
                "title": "Вернуть планы на доработку",
                "plans": queryset.select_related("school"),
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    # --- the plan as a document, with comments and decisions (plans/review.py) -------

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<int:object_id>/review/",
                self.admin_site.admin_view(partial(review.review_view, self)),
                name=f"{prefix}_review",
            ),
            path(
                "import/",
                self.admin_site.admin_view(partial(import_views.admin_docx_import, self)),
                name=f"{prefix}_import",
            ),
            path(
                "import/<str:token>/",
                self.admin_site.admin_view(partial(import_views.admin_docx_preview, self)),
                name=f"{prefix}_import_preview",
            ),
            path(
                "<int:object_id>/diff/",
                self.admin_site.admin_view(partial(review.diff_view, self)),
                name=f"{prefix}_diff",
            ),
            *super().get_urls(),
        ]


@admin.register(PlanSubmission)
class PlanSubmissionAdmin(PlanPartAdmin):
    list_display = ["plan", "number", "submitted_at", "submitted_by"]
    list_filter = ["plan__year", "plan__school__municipality"]
    list_select_related = ["plan__school", "plan__year", "submitted_by"]
    search_fields = ["plan__school__short_name", "plan__school__inn"]
    readonly_fields = ["plan", "number", "submitted_at", "submitted_by", "pdf", "snapshot"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PlanComment)
class PlanCommentAdmin(PlanPartAdmin):
    list_display = ["plan", "row_number", "author", "created_at", "resolved_at"]
    list_filter = [
        ("resolved_at", admin.EmptyFieldListFilter),
        "plan__year",
        "plan__school__municipality",
    ]
    list_select_related = ["plan__school", "plan__year", "author"]
    search_fields = ["text", "plan__school__short_name"]
    readonly_fields = [
        "plan",
        "row",
        "row_number",
        "reply_to",
        "author",
        "created_at",
        "resolved_at",
        "resolved_by",
    ]

    def has_add_permission(self, request):
        # Comments are written on the review page, next to the row they concern.
        return False


@admin.register(PlanEvent)
class PlanEventAdmin(PlanPartAdmin):
    list_display = ["plan", "from_status", "to_status", "by", "at"]
    list_filter = ["to_status", "plan__year"]
    list_select_related = ["plan__school", "plan__year", "by"]
    search_fields = ["plan__school__short_name", "comment"]
    readonly_fields = ["plan", "from_status", "to_status", "by", "at", "comment"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- The execution of approved plans: read here, recorded by the school on the site ---


class EvidenceInline(admin.TabularInline):
    """The files of an execution, each opened through the site's scoped download (an
    attachment with `nosniff`), never through the storage's own address."""

    model = Evidence
    extra = 0
    can_delete = False
    fields = ["download", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    @admin.display(description="файл")
    def download(self, evidence):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("plans:evidence", args=[evidence.execution.row.plan_id, evidence.pk]),
            evidence.name,
        )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("execution__row", "uploaded_by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RowExecution)
class RowExecutionAdmin(RegionScoped, admin.ModelAdmin):
    """What schools recorded against their approved plans. Read-only: the school marks
    its rows on the site (plans/execution/services.py), the centre reads them here.
    A deleted execution (a superuser's, or with its plan) takes its files along.
    Region-bound like the rest: the year and municipality filters offer the own
    region's only, another region's mark is a 404."""

    region_field = "row__plan__school__municipality__region"

    list_display = ["school", "row", "status", "hours", "pupils", "updated_at", "recorded_by"]
    list_filter = ["status", "row__plan__year", "row__plan__school__municipality"]
    list_select_related = ["row__plan__school", "recorded_by"]
    search_fields = ["row__plan__school__short_name", "row__activity", "result"]
    fields = [
        "plan_link",
        "row",
        "status",
        "moved_to",
        ("start_date", "end_date"),
        "grades",
        "pupils",
        "hours",
        "result",
        "links",
        "recorded_by",
        "updated_at",
    ]
    readonly_fields = [
        name for entry in fields for name in (entry if isinstance(entry, tuple) else (entry,))
    ]
    inlines = [EvidenceInline]
    date_hierarchy = "updated_at"

    def get_queryset(self, request):
        return access.scope(super().get_queryset(request), request.user, "row__plan__school")

    @admin.display(description="школа", ordering="row__plan__school__short_name")
    def school(self, execution):
        return execution.row.plan.school

    @admin.display(description="план")
    def plan_link(self, execution):
        plan = execution.row.plan
        return format_html('<a href="{}">{}</a>', reverse("plans:execution", args=[plan.pk]), plan)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    # Deleting stays Django's permission (no role has it; a superuser does): deleting a
    # plan in the admin deletes its executions, and the admin asks for it.
