from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from accounts.region_admin import RegionScoped
from plans.admin import PlanPartAdmin

from .models import (
    Campaign,
    Indicator,
    PlanIndicator,
    Recommendation,
    Report,
    ReportValue,
    Sector,
    SelfAnalysis,
    SurveyCount,
    SurveySectorCount,
)
from .services import campaign_open


@admin.register(Indicator)
class IndicatorAdmin(RegionScoped, admin.ModelAdmin):
    region_field = "year__region"
    list_display = [
        "name",
        "code",
        "unit",
        "source",
        "computed",
        "execution_count",
        "level",
        "direction",
        "year",
    ]
    list_filter = ["year", "source", "execution_count", "unit", "level", "direction"]
    list_select_related = ["year", "level", "direction"]
    search_fields = ["name", "code"]
    ordering = ["year", "order", "pk"]


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
    search_fields = ["name"]


@admin.register(Campaign)
class CampaignAdmin(RegionScoped, admin.ModelAdmin):
    region_field = "year__region"
    list_display = ["name", "period", "opens", "closes", "year", "reports_link"]
    list_filter = ["year"]
    list_select_related = ["year"]
    search_fields = ["name", "period"]
    filter_horizontal = ["indicators"]
    date_hierarchy = "closes"
    actions = ["open_for_all_schools", "recommend"]

    @admin.display(description="отчёты")
    def reports_link(self, campaign):
        url = reverse("admin:monitoring_report_changelist") + f"?campaign__id__exact={campaign.pk}"
        return format_html('<a href="{}">отчёты школ</a>', url)

    @admin.action(description="Открыть кампанию для всех школ", permissions=["change"])
    def open_for_all_schools(self, request, queryset):
        for campaign in queryset:
            created = campaign_open(campaign=campaign)
            self.message_user(
                request,
                f"«{campaign}»: создано отчётов школ – {created}.",
                level=messages.SUCCESS,
            )

    @admin.action(description="Направить адресную рекомендацию школам кампании")
    def recommend(self, request, queryset):
        from django.shortcuts import redirect

        campaign = queryset.first()
        if campaign is None:  # deleted since the list was opened
            self.message_user(request, "Выбранная кампания не найдена.", level=messages.WARNING)
            return None
        return redirect(f"{reverse('monitoring:recommendation-send')}?campaign={campaign.pk}")


class ReportValueInline(admin.TabularInline):
    model = ReportValue
    extra = 0
    autocomplete_fields = ["indicator"]


class SurveyCountInline(admin.TabularInline):
    model = SurveyCount
    extra = 0


@admin.register(Report)
class ReportAdmin(RegionScoped, admin.ModelAdmin):
    region_field = "school__municipality__region"
    list_display = ["school", "municipality", "campaign", "status", "status_now", "submitted_at"]
    list_filter = ["campaign", "status", "school__municipality"]
    list_select_related = ["school__municipality", "campaign"]
    search_fields = ["school__short_name", "school__full_name", "campaign__name"]
    raw_id_fields = ["school"]
    readonly_fields = ["submitted_at", "submitted_by", "updated_at"]
    inlines = [ReportValueInline, SurveyCountInline]

    @admin.display(description="муниципалитет", ordering="school__municipality__order")
    def municipality(self, report):
        return report.school.municipality

    @admin.display(description="статус на сегодня")
    def status_now(self, report):
        return report.current_status_display


@admin.register(ReportValue)
class ReportValueAdmin(RegionScoped, admin.ModelAdmin):
    region_field = "report__school__municipality__region"
    list_display = ["report", "indicator", "value"]
    list_filter = ["report__campaign", "indicator"]
    list_select_related = ["report__school", "report__campaign", "indicator"]
    search_fields = ["report__school__short_name", "indicator__name"]
    raw_id_fields = ["report"]


class SurveySectorCountInline(admin.TabularInline):
    model = SurveySectorCount
    extra = 0


@admin.register(SurveyCount)
class SurveyCountAdmin(RegionScoped, admin.ModelAdmin):
    region_field = "report__school__municipality__region"
    list_display = [
        "report",
        "grade",
        "pupils",
        "to_grade_10",
        "to_college",
        "to_university",
        "to_work",
        "undecided",
    ]
    list_filter = ["grade", "report__campaign", "report__school__municipality"]
    list_select_related = ["report__school", "report__campaign"]
    search_fields = ["report__school__short_name"]
    raw_id_fields = ["report"]
    inlines = [SurveySectorCountInline]


@admin.register(SurveySectorCount)
class SurveySectorCountAdmin(RegionScoped, admin.ModelAdmin):
    region_field = "survey__report__school__municipality__region"
    list_display = ["survey", "sector", "count"]
    list_filter = ["sector", "survey__grade"]
    list_select_related = ["survey__report__school", "survey__report__campaign", "sector"]
    search_fields = ["survey__report__school__short_name", "sector__name"]
    raw_id_fields = ["survey"]


@admin.register(PlanIndicator)
class PlanIndicatorAdmin(PlanPartAdmin):
    list_display = ["plan", "indicator", "baseline", "target"]
    list_filter = ["plan__year", "indicator", "plan__school__municipality"]
    list_select_related = ["plan__school", "plan__year", "indicator"]
    search_fields = ["plan__school__short_name", "indicator__name"]
    raw_id_fields = ["plan"]
    autocomplete_fields = ["indicator"]


@admin.register(Recommendation)
class RecommendationAdmin(RegionScoped, admin.ModelAdmin):
    region_field = "school__municipality__region"
    list_display = [
        "school",
        "short_text",
        "indicator",
        "campaign",
        "created_at",
        "acknowledged_at",
        "answered_at",
    ]
    list_filter = ["campaign", "school__municipality", "indicator"]
    list_select_related = ["school", "indicator", "campaign"]
    search_fields = ["school__short_name", "text", "answer"]
    raw_id_fields = ["school"]
    autocomplete_fields = ["indicator"]
    readonly_fields = ["created_by", "created_at", "acknowledged_at", "answer", "answered_at"]

    @admin.display(description="рекомендация")
    def short_text(self, recommendation):
        return recommendation.text[:80]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(SelfAnalysis)
class SelfAnalysisAdmin(PlanPartAdmin):
    list_display = ["plan", "updated_at"]
    list_filter = ["plan__year", "plan__school__municipality"]
    list_select_related = ["plan__school", "plan__year"]
    search_fields = ["plan__school__short_name", "results"]
    raw_id_fields = ["plan"]
    filter_horizontal = ["indicators", "campaigns"]
