from django.core.management.base import BaseCommand, CommandError

from plans.exports.consolidated import write_region_xlsx
from plans.models import Municipality, Plan, SchoolYear


class Command(BaseCommand):
    help = (
        "Сводная таблица планов для министерства (Excel): сводка по школам и все строки "
        "планов за учебный год, по всей республике или по одному муниципалитету."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="Учебный год, например 2023-2024.")
        parser.add_argument("--output", required=True, help="Файл .xlsx, который будет записан.")
        parser.add_argument("--municipality", help="Только школы этого муниципалитета.")

    def handle(self, *args, year, output, municipality=None, **options):
        try:
            school_year = SchoolYear.objects.get(title=year)
        except SchoolYear.DoesNotExist:
            raise CommandError(f"Учебный год «{year}» не найден.") from None
        plans = Plan.objects.filter(year=school_year)
        if municipality:
            try:
                place = Municipality.objects.get(name=municipality)
            except Municipality.DoesNotExist:
                raise CommandError(f"Муниципалитет «{municipality}» не найден.") from None
            plans = plans.filter(school__municipality=place)
        count = plans.count()
        with open(output, "wb") as file:
            write_region_xlsx(plans, file)
        self.stdout.write(f"Записано планов: {count} → {output}")
