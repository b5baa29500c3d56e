from django.core.management import call_command
from django.core.management.base import BaseCommand

from monitoring.models import Indicator
from plans.models import Municipality, SchoolYear

# Loaded in this order; each only while its model is still empty.
REFERENCE_FIXTURES = {
    "fixtures/municipalities.json": Municipality,
    "fixtures/template_2023_2024.json": SchoolYear,
    "fixtures/monitoring_2023_2024.json": Indicator,
}


class Command(BaseCommand):
    help = (
        "Загружает справочники (муниципалитеты КБР, примерный план 2023-2024 с уровнями, "
        "направлениями и каталогом мероприятий, показатели мониторинга), если их ещё нет. Уже загруженные и отредактированные справочники "
        "не перезаписываются."
    )

    def handle(self, *args, **options):
        for fixture, model in REFERENCE_FIXTURES.items():
            if model.objects.exists():
                self.stdout.write(f"{fixture}: уже загружен, пропускаю")
            else:
                call_command("loaddata", fixture, verbosity=0)
                self.stdout.write(f"{fixture}: загружен")
