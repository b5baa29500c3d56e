"""The site's own address, for links that leave it (e-mails), the check of a `next`
address that must stay on it, and the system check that asks for the address in
production."""

from django.conf import settings
from django.core import checks
from django.utils.http import url_has_allowed_host_and_scheme


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


def safe_next(request, default: str = "") -> str:
    """Where to go back to (`next` of the POST or the query string) if it is a page of
    this site, never another host; else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


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
