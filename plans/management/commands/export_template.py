from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from plans.documents import TEMPLATE_FORMATS, render_template_bytes
from plans.models import SchoolYear


class Command(BaseCommand):
    help = (
        "Записывает примерный план учебного года (вводная часть и Таблица 1) в файл Word "
        "или PDF — тот же документ, что скачивается со страницы примерного плана."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="Учебный год, например 2023-2024.")
        parser.add_argument("--format", required=True, choices=sorted(TEMPLATE_FORMATS))
        parser.add_argument("--output", required=True, help="Имя файла.")

    def handle(self, *args, year, format, output, **options):
        school_year = SchoolYear.objects.filter(title=year.strip()).first()
        if school_year is None:
            raise CommandError(f"Учебного года «{year}» нет.")
        data = render_template_bytes(school_year, format)
        Path(output).write_bytes(data)
        self.stdout.write(f"{output}: {len(data)} байт")
