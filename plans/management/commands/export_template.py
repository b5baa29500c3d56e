from pathlib import Path

from django.core.management.base import BaseCommand

from plans.documents.queue import TEMPLATE_FORMATS, render_template_bytes
from plans.management.regions import add_region_argument, year_or_error


class Command(BaseCommand):
    help = (
        "Записывает примерный план учебного года (вводная часть и Таблица 1) в файл Word "
        "или PDF — тот же документ, что скачивается со страницы примерного плана."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="Учебный год, например 2023-2024.")
        parser.add_argument("--format", required=True, choices=sorted(TEMPLATE_FORMATS))
        parser.add_argument("--output", required=True, help="Имя файла.")
        add_region_argument(parser)

    def handle(self, *args, year, format, output, region=None, **options):
        school_year = year_or_error(year, region)
        data = render_template_bytes(school_year, format)
        Path(output).write_bytes(data)
        self.stdout.write(f"{output}: {len(data)} байт")
