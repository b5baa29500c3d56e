from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "Планы профориентации"

    def ready(self):
        from . import signals

        signals.connect()
