from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Мониторинг"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from plans.signals import reference_changed

        from .models import Indicator

        # An indicator's name and unit show in section II of every plan of its year.
        for signal in (post_save, post_delete):
            signal.connect(reference_changed, sender=Indicator, dispatch_uid="reference-indicator")
