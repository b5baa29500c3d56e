from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from plans.imports.placement import docx_placement
from plans.imports.preview import placement_report
from plans.imports.services import ImportRefused, plan_import_docx
from plans.models import Plan, School, SchoolYear
from plans.services import PlanConflict, PlanNotEditable
from profplan.uploads import UploadRefused, check_size


class Command(BaseCommand):
    help = (
        "Загружает план школы из Word (.docx в формате примерного плана, Таблица 1): печатает "
        "тот же отчёт, что страница проверки, и создаёт черновик плана на учебный год. Для "
        "массового переноса планов региональным центром."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Путь к файлу .docx.")
        parser.add_argument("--school", required=True, help="ИНН школы.")
        parser.add_argument("--year", required=True, help="Учебный год плана, например 2023-2024.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Только проверить файл, ничего не записывать."
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Если план уже есть и это черновик: заменить его строки строками файла.",
        )

    def handle(self, *args, file, school, year, dry_run, replace, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Файла {path} нет.")
        found = School.objects.filter(inn=school.strip()).select_related("municipality").first()
        if found is None:
            raise CommandError(f"Школы с ИНН {school} нет.")
        # The year of the school's own region: titles repeat across regions.
        school_year = SchoolYear.objects.filter(
            region_id=found.municipality.region_id, title=year.strip()
        ).first()
        if school_year is None:
            raise CommandError(f"Учебного года «{year}» нет.")
        try:
            check_size(path.stat().st_size, what="плана")
            placement = docx_placement(path.read_bytes(), path.name, school_year)
        except UploadRefused as refused:
            raise CommandError(refused.message) from None
        self.stdout.write(
            f"{found} ({found.inn}), {school_year.title} учебный год, файл {path.name}"
        )
        for line in placement_report(placement, school_year):
            self.stdout.write(line)
        if dry_run:
            self.stdout.write("Проверка: ничего не записано.")
            return
        existing = Plan.objects.filter(school=found, year=school_year).first()
        try:
            plan = plan_import_docx(placement=placement, school=found, replace=replace)
        except (ImportRefused, PlanConflict, PlanNotEditable) as refused:
            hint = (
                " Запустите с --replace."
                if existing and existing.is_editable and not replace
                else ""
            )
            raise CommandError(refused.message + hint) from None
        self.stdout.write(f"План создан: {plan} (строк: {plan.rows.count()}).")
