"""Demo monitoring: section II of the demo plans, two campaigns with figures, a survey,
and recommendations, so the dashboard shows something real. Idempotent: a campaign
that exists already is left as it is."""

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
from plans.models import Plan, School, SchoolYear
from profplan.site import site_url

FIXTURE = settings.BASE_DIR / "fixtures" / "monitoring_2023_2024.json"

# code: (baseline, target, first-half range, year-end range)
FIGURES = {
    "coverage_6_11": (80, 100, (78, 96), (92, 100)),
    "bvb_diagnostics": (45, 75, (40, 70), (62, 88)),
    "prof_trials": (12, 40, (8, 25), (28, 55)),
    "excursions": (4, 8, (2, 5), (6, 11)),
    "parents_reached": (35, 60, (30, 55), (48, 76)),
    "grade9_track": (70, 80, None, (66, 90)),
    "grade11_track": (60, 70, None, (55, 82)),
    "navigators_trained": (1, 4, (1, 3), (3, 6)),
    "min_grade_hours": (40, 60, None, None),
    "directions_covered": (70, 100, None, None),
}

CAMPAIGNS = [
    # name, period, opens, closes, indicator codes
    (
        "Мониторинг профминимума: I полугодие 2023-2024",
        "сентябрь – декабрь 2023 г.",
        date(2023, 12, 11),
        date(2023, 12, 25),
        [
            "coverage_6_11",
            "bvb_diagnostics",
            "prof_trials",
            "excursions",
            "parents_reached",
            "navigators_trained",
            "min_grade_hours",
            "directions_covered",
        ],
    ),
    (
        "Мониторинг профминимума: итоги 2023-2024 учебного года",
        "сентябрь 2023 г. – май 2024 г.",
        date(2024, 5, 20),
        date(2024, 6, 14),
        list(FIGURES) + ["share_basic", "share_main", "share_advanced"],
    ),
]

# Which demo school (by INN, see plans/management/commands/load_demo.py) has not
# submitted which campaign: the dashboard then shows an overdue report in each.
LATE = {0: "0711000045", 1: "0710000005"}

RECOMMENDATION = (
    "По итогам мониторинга за I полугодие доля обучающихся, прошедших диагностику на "
    "платформе «Билет в будущее», ниже целевого значения плана школы. Рекомендуем включить "
    "диагностику в план классных часов 8–9 классов и провести её до конца марта."
)


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
        year = SchoolYear.objects.filter(title="2023-2024").first()
        if year is None:
            raise CommandError("Нет учебного года 2023-2024: выполните manage.py load_reference.")
        if not School.objects.exists():
            raise CommandError("Нет ни одной школы: выполните manage.py load_demo.")
        if not Indicator.objects.filter(year=year).exists():
            call_command("loaddata", str(FIXTURE), verbosity=0)
        with transaction.atomic():
            created = self._load(year)
        self.stdout.write(
            self.style.SUCCESS(
                f"Демо-данные мониторинга готовы (новых кампаний: {created}). "
                f"Сводка: {site_url()}{reverse('monitoring:dashboard')}"
            )
        )

    def _load(self, year) -> int:
        indicators = {i.code: i for i in Indicator.objects.filter(year=year)}
        reviewer = get_user_model().objects.filter(is_staff=True).order_by("pk").first()
        for plan in Plan.objects.filter(year=year).select_related("school"):
            if PlanIndicator.objects.filter(plan=plan).exists():
                continue
            # Demo data is written directly: a submitted plan's section II is frozen
            # for the services, but the demo's submitted plan should have one.
            PlanIndicator.objects.bulk_create(
                PlanIndicator(
                    plan=plan,
                    indicator=indicators[code],
                    baseline=Decimal(baseline),
                    target=Decimal(target),
                    order=order,
                )
                for order, (code, (baseline, target, _, _)) in enumerate(FIGURES.items(), 1)
                if code in indicators
            )
        created = 0
        campaigns = []
        for index, (name, period, opens, closes, codes) in enumerate(CAMPAIGNS):
            campaign, new = Campaign.objects.get_or_create(
                year=year,
                name=name,
                defaults={"period": period, "opens": opens, "closes": closes},
            )
            campaigns.append(campaign)
            if not new:
                continue
            created += 1
            campaign.indicators.set([indicators[c] for c in codes if c in indicators])
            services.campaign_open(campaign=campaign)
            self._fill(campaign, index, closes, reviewer)
        first = campaigns[0]
        if created and not Recommendation.objects.filter(campaign=first).exists():
            self._recommend(first, indicators.get("bvb_diagnostics"), reviewer)
        self._self_analysis(year, indicators, campaigns)
        return created

    def _self_analysis(self, year, indicators, campaigns):
        """Section V of the submitted demo plan: what a school writes at the end of a year."""
        plan = Plan.objects.filter(year=year, status="submitted").order_by("pk").first()
        if plan is None or SelfAnalysis.objects.filter(plan=plan).exists():
            return
        analysis = SelfAnalysis.objects.create(
            plan=plan,
            results="Профминимум реализован в 6–11 классах: базовый уровень в 6–7, основной в 8–11; "
            "все классы получили не менее установленного числа часов.",
            problems="Профессиональные пробы на предприятиях прошли не все обучающиеся 9 классов.",
            effectiveness="Доля обучающихся, прошедших диагностику «Билет в будущее», выросла с 55 до 78 %.",
            next_steps="Договориться с двумя колледжами о профессиональных пробах для 9 классов.",
        )
        analysis.indicators.set([i for code, i in indicators.items() if code in FIGURES])
        analysis.campaigns.set(campaigns)

    def _fill(self, campaign, index, closes, reviewer):
        sectors = list(Sector.objects.all())
        reports = Report.objects.filter(campaign=campaign).select_related("school")
        for report in reports:
            rng = random.Random(f"{report.school.inn or report.school.pk}-{index}")
            if report.school.inn == LATE.get(index):
                # Started and never finished: overdue after the closing day.
                if index == 0:
                    services.report_save_values(
                        report=report, values={}, by=report.school.staff.first()
                    )
                continue
            values = {}
            for indicator in campaign.indicators.all():
                figures = FIGURES.get(indicator.code)
                if indicator.is_computed or figures is None:
                    continue
                low, high = figures[2 + index] or figures[3]
                values[indicator.pk] = Decimal(rng.randint(low, high))
            by = report.school.staff.first()
            services.report_save_values(report=report, values=values, by=by)
            services.report_submit(report=report, by=by)
            # As if submitted inside the window, a few days before the closing day.
            day = closes - timedelta(days=rng.randint(1, 6))
            submitted = datetime.combine(day, time(15, 30), MOSCOW)
            Report.objects.filter(pk=report.pk).update(submitted_at=submitted)
            if index == 1:
                self._survey(report, rng, sectors)

    def _survey(self, report, rng, sectors):
        for grade, (low, high) in ((9, (35, 75)), (11, (15, 40))):
            pupils = rng.randint(low, high)
            paths = {path.value: 0 for path in SurveyCount.paths_for(grade)}
            shares = {
                9: {"to_grade_10": 45, "to_college": 45, "to_work": 2},
                11: {"to_university": 60, "to_college": 25, "to_work": 7},
            }[grade]
            left = pupils
            for path, share in shares.items():
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
            survey = SurveyCount.objects.create(report=report, grade=grade, pupils=pupils, **paths)
            survey.sectors.bulk_create(
                survey.sectors.model(survey=survey, sector_id=pk, count=count)
                for pk, count in counts.items()
                if count
            )

    def _recommend(self, campaign, indicator, reviewer):
        from monitoring.querysets import schools_matching

        if indicator is None or reviewer is None:
            return
        schools = schools_matching(
            campaign=campaign, user=reviewer, indicator=indicator, below_target=True
        )
        sent = (
            services.recommendation_send(
                text=RECOMMENDATION,
                by=reviewer,
                schools=schools,
                indicator=indicator,
                campaign=campaign,
            )
            if schools.exists()
            else []
        )
        demo = next((r for r in sent if r.school.inn == "0711000001"), None)
        if demo is not None:
            services.recommendation_answer(
                recommendation=demo,
                answer="Диагностика включена в классные часы 8–9 классов и проведена в марте "
                "для всех классов, где она не была пройдена.",
                by=demo.school.staff.first(),
            )
        # And one to a single school, not yet read.
        first = School.objects.filter(inn="0711000045").first()
        if first is not None:
            services.recommendation_send(
                text="Просим сдать отчёт мониторинга за I полугодие: срок сдачи истёк.",
                by=reviewer,
                school=first,
                campaign=campaign,
            )
        # Dated as the regional centre would have written them: in January, answered in March.
        sent_on = datetime(2024, 1, 15, 11, 0, tzinfo=MOSCOW)
        Recommendation.objects.filter(campaign=campaign).update(created_at=sent_on)
        Recommendation.objects.filter(campaign=campaign, acknowledged_at__isnull=False).update(
            acknowledged_at=sent_on + timedelta(days=2),
            answered_at=datetime(2024, 3, 22, 16, 0, tzinfo=MOSCOW),
        )
