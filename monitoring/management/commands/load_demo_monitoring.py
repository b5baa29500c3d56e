"""Demo monitoring: section II of the demo plans, two campaigns with figures, a survey,
and recommendations, so the dashboard shows something real. The data is in
fixtures/demo/monitoring.json: per indicator a baseline, a target and the range each
school's figure is drawn from (seeded by the school, so every run draws the same).
Like load_demo, it lives in the school year that contains today (plans/demo.py): the
seed's indicators are copied to it, and the campaigns, reports and recommendations
are dated in the part of the year that has passed. Idempotent: a campaign that
exists already is left as it is."""

import json
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse

from monitoring import services
from monitoring.models import (
    MOSCOW,
    Campaign,
    Indicator,
    PlanIndicator,
    Recommendation,
    Report,
    Sector,
    SelfAnalysis,
    SurveyCount,
)
from plans.demo import SEED_YEAR, DemoCalendar
from plans.models import Direction, Level, Plan, Region, School, SchoolYear
from plans.services import year_title_substitute
from profplan.site import site_url

FIXTURE = settings.BASE_DIR / "fixtures" / "monitoring_2023_2024.json"
# Figures, campaigns, texts and dates of the demo; the code below only loads them.
DATA = settings.BASE_DIR / "fixtures" / "demo" / "monitoring.json"


class Command(BaseCommand):
    help = (
        "Загружает демонстрационные данные мониторинга: две кампании с показателями школ, "
        "опрос 9 и 11 классов, адресные рекомендации (только для разработки)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Разрешить запуск при DJANGO_DEBUG=0.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "Демо-данные мониторинга не загружаются в рабочей системе (DJANGO_DEBUG выключен)."
            )
        # The demo's region: the default one (Kabardino-Balkaria, the only one so far).
        region = Region.objects.default()
        calendar = DemoCalendar.now()
        seed = SchoolYear.objects.filter(region=region, title=SEED_YEAR).first()
        if seed is None:
            raise CommandError(
                f"Нет учебного года {SEED_YEAR}: выполните manage.py load_reference."
            )
        year = SchoolYear.objects.filter(region=region, title=calendar.title).first()
        if year is None or not School.objects.exists():
            raise CommandError(
                f"Нет учебного года {calendar.title} или ни одной школы: выполните manage.py load_demo."
            )
        if not Indicator.objects.filter(year=seed).exists():
            call_command("loaddata", str(FIXTURE), verbosity=0)
        data = json.loads(DATA.read_text(encoding="utf-8"))
        with transaction.atomic():
            _copy_indicators(seed, year)
            created = self._load(year, data, calendar)
        self.stdout.write(
            self.style.SUCCESS(
                f"Демо-данные мониторинга готовы (новых кампаний: {created}). "
                f"Сводка: {site_url()}{reverse('monitoring:dashboard')}"
            )
        )

    def _load(self, year, data, calendar) -> int:
        figures = data["indicators"]
        indicators = {i.code: i for i in Indicator.objects.filter(year=year)}
        reviewer = (
            get_user_model()
            .objects.filter(is_staff=True, region=year.region)
            .order_by("pk")
            .first()
        )
        for plan in Plan.objects.filter(year=year).select_related("school"):
            if PlanIndicator.objects.filter(plan=plan).exists():
                continue
            # Demo data is written directly: a submitted plan's section II is frozen
            # for the services, but the demo's submitted plan should have one.
            PlanIndicator.objects.bulk_create(
                PlanIndicator(
                    plan=plan,
                    indicator=indicators[code],
                    baseline=Decimal(figure["baseline"]),
                    target=Decimal(figure["target"]),
                    order=order,
                )
                for order, (code, figure) in enumerate(figures.items(), 1)
                if code in indicators
            )
        created = 0
        campaigns = []
        for index, entry in enumerate(data["campaigns"]):
            campaign, new = Campaign.objects.get_or_create(
                year=year,
                name=calendar.text(entry["name"]),
                defaults={
                    "period": calendar.text(entry["period"]),
                    "opens": calendar.happened(date.fromisoformat(entry["opens"])),
                    "closes": calendar.happened(date.fromisoformat(entry["closes"])),
                },
            )
            campaigns.append(campaign)
            if not new:
                continue
            created += 1
            campaign.indicators.set([indicators[c] for c in entry["indicators"] if c in indicators])
            services.campaign_open(campaign=campaign)
            self._fill(campaign, index, entry, figures, data["survey"], calendar)
        first = campaigns[0]
        if created and not Recommendation.objects.filter(campaign=first).exists():
            self._recommend(first, indicators, reviewer, data["recommendations"], calendar)
        texts = {name: calendar.text(text) for name, text in data["self_analysis"].items()}
        self._self_analysis(year, indicators, campaigns, figures, texts)
        return created

    def _self_analysis(self, year, indicators, campaigns, figures, texts):
        """Section V of the submitted demo plan: what a school writes at the end of a year."""
        plan = Plan.objects.filter(year=year, status="submitted").order_by("pk").first()
        if plan is None or SelfAnalysis.objects.filter(plan=plan).exists():
            return
        analysis = SelfAnalysis.objects.create(plan=plan, **texts)
        analysis.indicators.set([i for code, i in indicators.items() if code in figures])
        analysis.campaigns.set(campaigns)

    def _fill(self, campaign, index, entry, figures, survey, calendar):
        sectors = list(Sector.objects.all())
        closes = date.fromisoformat(entry["closes"])  # the seed's: moved as a whole below
        reports = Report.objects.filter(campaign=campaign).select_related("school")
        for report in reports:
            rng = random.Random(f"{report.school.inn or report.school.pk}-{index}")
            if report.school.inn == entry["late_school"]:
                # Overdue after the closing day: never submitted (in the first
                # campaign started, in the second not even that).
                if entry["late_school_started"]:
                    services.report_save_values(
                        report=report, values={}, by=report.school.staff.first()
                    )
                continue
            values = {}
            for indicator in campaign.indicators.all():
                figure = figures.get(indicator.code)
                if indicator.is_computed or figure is None:
                    continue
                low, high = figure[entry["figures"]] or figure["year_end"]
                values[indicator.pk] = Decimal(rng.randint(low, high))
            by = report.school.staff.first()
            services.report_save_values(report=report, values=values, by=by)
            services.report_submit(report=report, by=by)
            # As if submitted inside the window, a few days before the closing day.
            day = calendar.happened(closes - timedelta(days=rng.randint(1, 6)))
            submitted = datetime.combine(day, time(15, 30), MOSCOW)
            Report.objects.filter(pk=report.pk).update(submitted_at=submitted)
            if entry["survey"]:
                self._survey(report, rng, sectors, survey)

    def _survey(self, report, rng, sectors, survey):
        for grade in (9, 11):
            low, high = survey[str(grade)]["pupils"]
            pupils = rng.randint(low, high)
            paths = {path.value: 0 for path in SurveyCount.paths_for(grade)}
            left = pupils
            for path, share in survey[str(grade)]["shares"].items():
                paths[path] = min(left, pupils * max(0, share + rng.randint(-5, 5)) // 100)
                left -= paths[path]
            paths["undecided"] = left
            chosen = pupils - paths["undecided"]
            counts = {}
            for sector in sectors:
                counts[sector.pk] = rng.randint(0, chosen // 3) if chosen else 0
                chosen -= counts[sector.pk]
            # Surveys are typed in while the report is open; the report is submitted
            # already, so the rows are written as the service would write them.
            survey_row = SurveyCount.objects.create(
                report=report, grade=grade, pupils=pupils, **paths
            )
            survey_row.sectors.bulk_create(
                survey_row.sectors.model(survey=survey_row, sector_id=pk, count=count)
                for pk, count in counts.items()
                if count
            )

    def _recommend(self, campaign, indicators, reviewer, data, calendar):
        from monitoring.querysets import schools_matching

        below = data["below_target"]
        indicator = indicators.get(below["indicator"])
        if indicator is None or reviewer is None:
            return
        schools = schools_matching(
            campaign=campaign, user=reviewer, indicator=indicator, below_target=True
        )
        sent = (
            services.recommendation_send(
                text=below["text"],
                by=reviewer,
                schools=schools,
                indicator=indicator,
                campaign=campaign,
            )
            if schools.exists()
            else []
        )
        answered = next((r for r in sent if r.school.inn == below["answered_by"]), None)
        if answered is not None:
            services.recommendation_answer(
                recommendation=answered,
                answer=below["answer"],
                by=answered.school.staff.first(),
            )
        # And one to a single school, not yet read.
        single = School.objects.filter(inn=data["single"]["school"]).first()
        if single is not None:
            services.recommendation_send(
                text=data["single"]["text"],
                by=reviewer,
                school=single,
                campaign=campaign,
            )
        # Dated as the regional centre would have written them, before today.
        sent = datetime.fromisoformat(data["sent_at"])
        acknowledged = sent + timedelta(days=data["acknowledged_after_days"])
        Recommendation.objects.filter(campaign=campaign).update(
            created_at=calendar.happened_at(data["sent_at"], MOSCOW)
        )
        Recommendation.objects.filter(campaign=campaign, acknowledged_at__isnull=False).update(
            acknowledged_at=calendar.happened_at(acknowledged.isoformat(), MOSCOW),
            answered_at=calendar.happened_at(data["answered_at"], MOSCOW),
        )


def _copy_indicators(seed: SchoolYear, year: SchoolYear) -> None:
    """The seed's catalogue of indicators for the demo's year, when it has none (levels
    and directions are the year's own, found by code); the seed's stays as it is."""
    if year == seed or Indicator.objects.filter(year=year).exists():
        return
    levels = dict(Level.objects.filter(year=year).values_list("code", "pk"))
    directions = dict(Direction.objects.filter(year=year).values_list("code", "pk"))
    copies = []
    for indicator in Indicator.objects.filter(year=seed).select_related("level", "direction"):
        indicator.pk = None
        indicator.year = year
        indicator.name = year_title_substitute(indicator.name, seed.title, year.title)
        indicator.level_id = levels.get(indicator.level.code) if indicator.level else None
        indicator.direction_id = (
            directions.get(indicator.direction.code) if indicator.direction else None
        )
        copies.append(indicator)
    Indicator.objects.bulk_create(copies)
    SchoolYear.objects.filter(pk=year.pk).reference_changed()
