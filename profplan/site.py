"""The site's own address, for links that leave it (e-mails), and the system check
that asks for it in production."""

from django.conf import settings
from django.core import checks


def site_url() -> str:
    """`DJANGO_SITE_URL` without the final slash. Unset (development), the address of
    `make run`; in production the check below warns, and the first allowed host is
    the best guess."""
    if settings.SITE_URL:
        return settings.SITE_URL.rstrip("/")
    hosts = [h for h in settings.ALLOWED_HOSTS if h not in ("*", "") and not h.startswith(".")]
    if settings.DEBUG or not hosts:
        return "http://127.0.0.1:8000"
    return f"https://{hosts[0]}"


@checks.register(checks.Tags.compatibility)
def check_site_url(app_configs, **kwargs):
    if settings.DEBUG or settings.SITE_URL:
        return []
    return [
        checks.Warning(
            "DJANGO_SITE_URL не задан: ссылки в письмах будут вести на "
            f"{site_url()}, а не на адрес сайта.",
            hint="Задайте DJANGO_SITE_URL, например https://profplan.example.ru (README, «Развёртывание»).",
            id="profplan.W001",
        )
    ]
