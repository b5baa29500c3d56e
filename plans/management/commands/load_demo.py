"""Demo data: a few schools, one realistic plan, one submitted, one empty, and the
demo accounts. Idempotent: running it twice changes nothing."""

from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.roles import COORDINATOR, DEPUTY, REGIONAL, ensure_roles
from plans.models import (
    Level,
    Municipality,
    Plan,
    PlanEvent,
    PlanRow,
    PlanSubmission,
    School,
    SchoolYear,
    TemplateItem,
)
from plans.services import plan_create, plan_refresh_check, plan_submit
from profplan.site import site_url

DEMO_PASSWORD = "profplan-demo"

SCHOOLS = [
    # (key, full name, short name, municipality, director, INN)
    (
        "demo",
        "Муниципальное казённое общеобразовательное учреждение «Средняя общеобразовательная школа № 1» г.о. Нальчик",
        "МКОУ СОШ № 1",
        "Нальчик",
        "Кодзокова Марина Хасановна",
        "0711000001",
    ),
    (
        "submitted",
        "Муниципальное казённое общеобразовательное учреждение «Средняя общеобразовательная школа № 3» г.о. Баксан",
        "МКОУ СОШ № 3 г.о. Баксан",
        "Баксан",
        "Шогенов Аслан Мухамедович",
        "0701000003",
    ),
    (
        "empty",
        "Муниципальное казённое общеобразовательное учреждение «Средняя общеобразовательная школа с. Хасанья»",
        "МКОУ СОШ с. Хасанья",
        "Нальчик",
        "Гуртуева Фатима Борисовна",
        "0711000045",
    ),
    (
        "chegem",
        "Муниципальное казённое общеобразовательное учреждение «Средняя общеобразовательная школа № 2 г.п. Чегем»",
        "МКОУ СОШ № 2 г.п. Чегем",
        "Чегемский",
        "Бозиев Руслан Хажмуратович",
        "0708000002",
    ),
    (
        "elbrus",
        "Муниципальное казённое общеобразовательное учреждение «Гимназия № 5 г.п. Тырныауз»",
        "МКОУ Гимназия № 5 г.п. Тырныауз",
        "Эльбрусский",
        "Этезова Лейля Магомедовна",
        "0710000005",
    ),
]

# Basic level in grades 6–7, main level in grades 8–11.
LEVELS = {6: "basic", 7: "basic", 8: "main", 9: "main", 10: "main", 11: "main"}

ZAM = "Заместитель директора по ВР, классные руководители"
METOD = "Методические рекомендации по реализации профориентационного минимума (Письмо Минпросвещения России от 01.06.2023 № АБ-2324/05)"
BVB = "https://bvbinfo.ru/"

# (template code, activity, period, responsible, documents, links, results, hours, grades)
ROWS = {
    "I.": [
        (
            "Обеспечение участия обучающихся 6–11 классов в профориентационных мероприятиях профминимума",
            "в течение года",
            "Заместитель директора по ВР",
            METOD,
            "",
            "Охват 100% обучающихся 6–11 классов",
        ),
        (
            "Формирование у обучающихся готовности к осознанному выбору профессии с учётом регионального рынка труда",
            "в течение года",
            ZAM,
            "",
            "",
            "Доля обучающихся, определившихся с выбором, не менее 60%",
        ),
        (
            "Организация взаимодействия с предприятиями и колледжами республики",
            "сентябрь–октябрь",
            "Директор",
            "",
            "",
            "Заключены договоры с 3 организациями",
        ),
    ],
    "1.4.": [
        (
            "Реализация базового уровня профминимума в 6–7 классах",
            "2023-2024 уч. г.",
            "Заместитель директора по ВР",
            METOD,
            "",
            "Не менее 40 часов в каждом классе",
        ),
        (
            "Реализация основного уровня профминимума в 8–11 классах",
            "2023-2024 уч. г.",
            "Заместитель директора по ВР",
            METOD,
            "",
            "Не менее 60 часов в каждом классе",
        ),
    ],
    "II.": [
        (
            "Доля обучающихся 6–11 классов, прошедших профориентационную диагностику на платформе «Билет в будущее»",
            "май",
            "Педагог-навигатор",
            "",
            BVB,
            "Не менее 70%",
        ),
    ],
    "2.2.": [
        (
            "Количество профессиональных проб, в которых приняли участие обучающиеся",
            "май",
            "Педагог-навигатор",
            "",
            "",
            "Не менее 2 проб на обучающегося 8–9 классов",
        ),
        (
            "Доля родителей, принявших участие во Всероссийском родительском собрании",
            "май",
            "Классные руководители",
            "",
            "",
            "Не менее 50%",
        ),
    ],
    "3.1.": [
        (
            "Приказ о назначении ответственного за реализацию профминимума",
            "до 1 сентября",
            "Директор",
            METOD,
            "",
            "Издан приказ",
        ),
        (
            "Утверждение плана профориентационной работы на 2023-2024 учебный год",
            "сентябрь",
            "Директор",
            "",
            "",
            "План утверждён педсоветом",
        ),
    ],
    "3.1.3.": [
        (
            "Положение о реализации профориентационного минимума в ОО",
            "сентябрь",
            "Заместитель директора по ВР",
            METOD,
            "",
            "Положение утверждено",
        ),
    ],
    "3.3.": [
        (
            "Обучение педагогов-навигаторов по программе ДПО (не менее 36 ч) для основного уровня",
            "октябрь–ноябрь",
            "Заместитель директора по УВР",
            "",
            BVB,
            "Обучены 4 педагога-навигатора",
        ),
    ],
    "3.3.4.": [
        (
            "Инструктаж классных руководителей 6–7 классов на платформе «Билет в будущее» (базовый уровень)",
            "сентябрь",
            "Педагог-навигатор",
            "",
            BVB,
            "Проведён инструктаж",
        ),
    ],
    "3.4.": [
        (
            "Участие в проекте «Билет в будущее»: регистрация обучающихся на платформе",
            "сентябрь",
            "Педагог-навигатор",
            "",
            BVB,
            "Зарегистрированы обучающиеся 6–11 классов",
        ),
        (
            "Экскурсии на предприятия и в колледжи г. Нальчика",
            "в течение года",
            ZAM,
            "",
            "",
            "Проведено 6 экскурсий",
        ),
    ],
}

# (direction heading code, activity, period, responsible, hours per grade, grades)
LEVEL_ROWS = [
    (
        "3.4.12.1.",
        "Открытые уроки «Шоу профессий»",
        "в течение года",
        "Учителя-предметники",
        6,
        (6, 7),
    ),
    (
        "3.4.12.2.",
        "Курс внеурочной деятельности «Россия – мои горизонты» (34 занятия по четвергам)",
        "сентябрь–май",
        "Классные руководители",
        34,
        (6, 7),
    ),
    (
        "3.4.12.3.",
        "Классные часы «Мир профессий»",
        "ежемесячно",
        "Классные руководители",
        4,
        (6, 7),
    ),
    (
        "3.4.12.4.",
        "Кружок «Робототехника» на базе центра «Точка роста»",
        "в течение года",
        "Педагог дополнительного образования",
        2,
        (6, 7),
    ),
    (
        "3.4.12.5.",
        "Всероссийское родительское собрание",
        "сентябрь, апрель",
        "Классные руководители",
        2,
        (6, 7),
    ),
    (
        "3.4.13.1.",
        "Открытые уроки «Шоу профессий»",
        "в течение года",
        "Учителя-предметники",
        6,
        (8, 9, 10, 11),
    ),
    (
        "3.4.13.2.",
        "Курс внеурочной деятельности «Россия – мои горизонты» (34 занятия по четвергам)",
        "сентябрь–май",
        "Классные руководители",
        34,
        (8, 9, 10, 11),
    ),
    (
        "3.4.13.2.",
        "Профориентационная диагностика и профессиональные пробы на платформе «Билет в будущее»",
        "октябрь–апрель",
        "Педагог-навигатор",
        10,
        (8, 9, 10, 11),
    ),
    (
        "3.4.13.3.",
        "Экскурсии на предприятия и в колледжи республики",
        "в течение года",
        "Классные руководители",
        6,
        (8, 9, 10, 11),
    ),
    (
        "3.4.13.4.",
        "Занятия в детском технопарке «Кванториум»",
        "в течение года",
        "Педагог дополнительного образования",
        4,
        (8, 9, 10, 11),
    ),
    (
        "3.4.13.5.",
        "Всероссийское родительское собрание; индивидуальные консультации родителей",
        "сентябрь, апрель",
        "Классные руководители, педагог-психолог",
        2,
        (8, 9, 10, 11),
    ),
]

FIXED = {
    "4.1.": ("декабрь, май", "Заместитель директора по ВР", "Аналитическая справка"),
    "4.2.": (
        "март–апрель",
        "Педагог-психолог",
        "Результаты мониторинга предпочтений 9 и 11 классов",
    ),
    "4.3.": ("май", "Заместитель директора по ВР", "Справка о достижении показателей"),
    "4.4.": ("июнь", "Заместитель директора по ВР", "Анализ плана, предложения на следующий год"),
    "5.1.": ("июнь", "Директор, заместитель директора по ВР", "Самоанализ, адресные рекомендации"),
}


class Command(BaseCommand):
    help = "Загружает демонстрационные данные и демо-учётные записи (только для разработки)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Разрешить запуск при DJANGO_DEBUG=0 (демо-пароли известны всем).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "Демо-данные и учётные записи с известным паролем не создаются в рабочей системе "
                "(DJANGO_DEBUG выключен)."
            )
        if not SchoolYear.objects.filter(title="2023-2024").exists():
            call_command("load_reference", verbosity=0)
        with transaction.atomic():
            self._load()
        call_command(
            "load_demo_monitoring", allow_production=options["allow_production"], stdout=self.stdout
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Демо-данные готовы. Вход: {site_url()}/\n"
                f"  deputy      / {DEMO_PASSWORD}  – заместитель директора МКОУ СОШ № 1 (Нальчик)\n"
                f"  reviewer    / {DEMO_PASSWORD}  – региональный центр (ЦОПП КБР), админка /admin/\n"
                f"  coordinator / {DEMO_PASSWORD}  – муниципальный координатор (Нальчик)"
            )
        )

    def _load(self):
        year = SchoolYear.objects.get(title="2023-2024")
        groups = ensure_roles()
        schools = {}
        for key, full_name, short_name, municipality, director, inn in SCHOOLS:
            schools[key], _ = School.objects.get_or_create(
                inn=inn,
                defaults={
                    "full_name": full_name,
                    "short_name": short_name,
                    "municipality": Municipality.objects.get(name=municipality),
                    "director_name": director,
                },
            )

        levels = {level.code: level.pk for level in Level.objects.filter(year=year)}
        if not Plan.objects.filter(school=schools["demo"], year=year).exists():
            self._fill(
                plan_create(
                    school=schools["demo"],
                    year=year,
                    levels={g: levels[c] for g, c in LEVELS.items()},
                )
            )
        if not Plan.objects.filter(school=schools["submitted"], year=year).exists():
            plan = plan_create(
                school=schools["submitted"],
                year=year,
                levels={g: levels[c] for g, c in LEVELS.items()},
            )
            self._fill(plan)
            # Submitted through the service, so that it has its frozen PDF and its
            # history like any other; then dated back to when it was «submitted».
            plan_submit(plan=plan, by=None, version=None)
            when = timezone.make_aware(datetime(2023, 9, 27, 15, 40))
            Plan.objects.filter(pk=plan.pk).update(submitted_at=when)
            PlanSubmission.objects.filter(plan=plan).update(submitted_at=when)
            PlanEvent.objects.filter(plan=plan).update(at=when)
        if not Plan.objects.filter(school=schools["empty"], year=year).exists():
            plan_create(school=schools["empty"], year=year)
        for plan in Plan.objects.filter(year=year, school__in=schools.values()):
            plan_refresh_check(plan=plan)

        users = [
            (
                "deputy",
                "Залина",
                "Кармова",
                "Заместитель директора по воспитательной работе",
                {"school": schools["demo"]},
                DEPUTY,
            ),
            ("reviewer", "Ирина", "Тхагапсоева", "Методист ЦОПП КБР", {"is_staff": True}, REGIONAL),
            (
                "coordinator",
                "Мурат",
                "Хашев",
                "Муниципальный координатор",
                {"municipality": schools["demo"].municipality},
                COORDINATOR,
            ),
        ]
        User = get_user_model()
        for username, first, last, position, extra, role in users:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "position": position,
                    "email": f"{username}@example.org",
                    **extra,
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            user.groups.add(groups[role])

    def _fill(self, plan):
        items = {item.code: item for item in TemplateItem.objects.filter(year=plan.year)}
        blank = {}
        rows = PlanRow.objects.filter(plan=plan, fixed_item=None).select_related("parent", "anchor")
        for row in sorted(rows, key=lambda r: (r.anchor.order if r.anchor else 0, r.order)):
            blank.setdefault(row.parent.code, []).append(row)
        for code, slots in blank.items():
            entries = ROWS.get(code, [])
            assert len(entries) <= len(slots), f"demo data for {code} has more rows than the seed"
            for row, (activity, period, responsible, documents, links, results) in zip(
                slots, entries, strict=False
            ):
                row.activity, row.period, row.responsible = activity, period, responsible
                row.documents, row.links, row.results = documents, links, results
                row.save()
            # The seed's remaining blank lines are the school's to fill or delete; the
            # demo plan deletes them, as a finished plan would.
            for row in slots[len(entries) :]:
                row.delete()
        for order, (code, activity, period, responsible, hours, grades) in enumerate(
            LEVEL_ROWS, start=1
        ):
            PlanRow.objects.create(
                plan=plan,
                parent=items[code],
                order=order,
                activity=activity,
                period=period,
                responsible=responsible,
                hours=Decimal(hours),
                grades=grades,
                start_date=date(2023, 9, 1),
                end_date=date(2024, 5, 31),
            )
        for code, (period, responsible, results) in FIXED.items():
            PlanRow.objects.filter(plan=plan, fixed_item=items[code]).update(
                period=period, responsible=responsible, results=results
            )
