from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_roles(sender, **kwargs):
    # Permissions are created by post_migrate handlers of every app; wait for the
    # last of our apps so that all of them exist.
    if sender.name != "monitoring":
        return
    from .roles import ensure_roles

    ensure_roles()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Пользователи"

    def ready(self):
        from . import second_factor  # noqa: F401 – its user_logged_in receiver

        post_migrate.connect(_ensure_roles, dispatch_uid="accounts.ensure_roles")
