from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Аудит"

    def ready(self):
        from . import receivers

        receivers.connect()
