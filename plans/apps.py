from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "Планы профориентации"
    # Loaded by `manage.py load_reference`, each while its model is still empty.
    reference_fixtures = [
        ("fixtures/regions.json", "plans.Region"),
        ("fixtures/municipalities.json", "plans.Municipality"),
        ("fixtures/template_2023_2024.json", "plans.SchoolYear"),
    ]

    def ready(self):
        import profplan.site  # noqa: F401  (registers the DJANGO_SITE_URL check)

        from . import signals

        signals.connect()
