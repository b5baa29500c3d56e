from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from plans.management.regions import add_region_argument, year_or_error
from plans.services import school_year_copy, shift_date


class Command(BaseCommand):
    help = (
        "Создаёт новый учебный год копированием справочников существующего: уровней, "
        "направлений, пунктов примерного плана и каталога типовых мероприятий. "
        "Планы школ прошлого года не меняются. Пример: copy_school_year 2023-2024 2024-2025"
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="Учебный год, который копируется, например 2023-2024.")
        parser.add_argument("title", help="Название нового учебного года, например 2024-2025.")
        parser.add_argument(
            "--start",
            type=date.fromisoformat,
            help="Начало нового года (ГГГГ-ММ-ДД). По умолчанию: начало исходного, сдвинутое "
            "на столько лет, на сколько отличаются названия.",
        )
        parser.add_argument("--end", type=date.fromisoformat, help="Окончание (ГГГГ-ММ-ДД).")
        add_region_argument(parser)

    def handle(self, *args, source, title, start, end, region=None, **options):
        source_year = year_or_error(source, region)  # the copy is of the same region
        if start is None or end is None:
            try:
                years = int(title[:4]) - int(source_year.title[:4])
            except ValueError:
                raise CommandError(
                    "Из названий не понять, на сколько лет сдвинуть даты: укажите --start и --end."
                ) from None
            start = start or shift_date(source_year.start_date, years)
            end = end or shift_date(source_year.end_date, years)
        try:
            year = school_year_copy(source=source_year, title=title, start_date=start, end_date=end)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            f"Создан учебный год {year} ({year.start_date:%d.%m.%Y}–{year.end_date:%d.%m.%Y}): "
            f"пунктов примерного плана: {year.template_items.count()}, "
            f"уровней: {year.levels.count()}, направлений: {year.directions.count()}, "
            f"типовых мероприятий: {year.activities.count()}."
        )
