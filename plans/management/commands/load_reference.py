from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand


def reference_fixtures() -> list[tuple[str, str]]:
    """(fixture, model label) of every app, in the order of INSTALLED_APPS: each app
    names its reference data on its AppConfig (`reference_fixtures`), so that this
    command loads monitoring's indicators without plans importing monitoring."""
    return [
        fixture
        for config in apps.get_app_configs()
        for fixture in getattr(config, "reference_fixtures", ())
    ]


class Command(BaseCommand):
    help = (
        "Загружает справочники (муниципалитеты КБР, примерный план 2023-2024 с уровнями, "
        "направлениями и каталогом мероприятий, показатели мониторинга), если их ещё нет. Уже загруженные и отредактированные справочники "
        "не перезаписываются."
    )

    def handle(self, *args, **options):
        # Each fixture is loaded only while its model is still empty.
        for fixture, label in reference_fixtures():
            if apps.get_model(label).objects.exists():
                self.stdout.write(f"{fixture}: уже загружен, пропускаю")
            else:
                call_command("loaddata", fixture, verbosity=0)
                self.stdout.write(f"{fixture}: загружен")
