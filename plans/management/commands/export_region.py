from django.core.management.base import BaseCommand, CommandError

from plans.documents.formats.consolidated import write_region_xlsx
from plans.management.regions import add_region_argument, year_or_error
from plans.models import Municipality, Plan


class Command(BaseCommand):
    help = (
        "Сводная таблица планов для министерства (Excel): сводка по школам и все строки "
        "планов за учебный год, по всей республике или по одному муниципалитету."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="Учебный год, например 2023-2024.")
        parser.add_argument("--output", required=True, help="Файл .xlsx, который будет записан.")
        parser.add_argument("--municipality", help="Только школы этого муниципалитета.")
        add_region_argument(parser)

    def handle(self, *args, year, output, municipality=None, region=None, **options):
        school_year = year_or_error(year, region)
        plans = Plan.objects.filter(year=school_year)
        if municipality:
            try:
                place = Municipality.objects.get(region=school_year.region_id, name=municipality)
            except Municipality.DoesNotExist:
                raise CommandError(f"Муниципалитет «{municipality}» не найден.") from None
            plans = plans.filter(school__municipality=place)
        count = plans.count()
        with open(output, "wb") as file:
            write_region_xlsx(plans, file)
        self.stdout.write(f"Записано планов: {count} → {output}")
