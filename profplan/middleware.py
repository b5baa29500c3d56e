from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import resolve_url


class HtmxLoginRequiredMiddleware:
    """An htmx request whose session has expired gets 401, not the login page.

    Without this, login_required's redirect is followed by the browser and the
    login page is swapped into the table row being saved; with it, the editor's
    script tells the user to sign in again while the typed text stays put.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            getattr(request, "htmx", False)
            and response.status_code == 302
            and response.get("Location", "").startswith(resolve_url(settings.LOGIN_URL))
        ):
            return HttpResponse("Сеанс истёк: войдите снова.", status=401, content_type="text/plain; charset=utf-8")
        return response
