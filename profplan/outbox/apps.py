from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "profplan.outbox"
    label = "outbox"
    verbose_name = "Фоновая работа"
    default_auto_field = "django.db.models.BigAutoField"
