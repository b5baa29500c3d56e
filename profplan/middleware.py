from django.conf import settings
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.core.exceptions import BadRequest
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.utils.cache import patch_vary_headers

from .ids import check_keys


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
            return HttpResponse(
                "Сеанс истёк: войдите снова.", status=401, content_type="text/plain; charset=utf-8"
            )
        return response


class ContentSecurityPolicyMiddleware:
    """Sends settings.CONTENT_SECURITY_POLICY on every response that has none.

    Django 5.2 has no CSP of its own; one header does not need a package. Scripts
    come only from our own static files (no inline scripts anywhere), so an injected
    <script> or on*="" attribute does not run.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = "; ".join(
            f"{directive} {' '.join(sources)}".strip()
            for directive, sources in settings.CONTENT_SECURITY_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response


class DatabaseUnavailableMiddleware:
    """Turns «the database is gone» (a restart, a failover) into 503 + Retry-After.

    profplan.views.server_error renders the «попробуйте ещё раз» page and marks the
    response; it keeps status 500 until here so that SessionMiddleware, which skips
    saving the session only for 5xx, does not touch the database on the way out.
    Sits above SessionMiddleware for that reason.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(response, "database_unavailable", False):
            response.status_code = 503
            response["Retry-After"] = "5"
        return response


class MalformedInputMiddleware:
    """Refuses, with the Russian 400 page, what no page of the site can take:

    - a NUL character anywhere in the query string: PostgreSQL refuses it in any
      string it is given (an admin search, a list filter), which would be a server
      error; no link of the site ever carries one;
    - ids of an admin list's ticked rows (`_selected_action`) that are not keys of
      its model: Django's admin filters `pk__in=` them unchecked.
    Form text is cleaned in the forms (profplan/forms.py), identifiers in the views
    (profplan/ids.py).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            raise BadRequest("NUL in the query string")
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        model_admin = getattr(view_func, "model_admin", None)
        if model_admin is not None and request.method == "POST":
            check_keys(model_admin.model, request.POST.getlist(ACTION_CHECKBOX_NAME))
        return None


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, except that a response marked `session_read_only` leaves an unchanged
    session unsaved. SESSION_SAVE_EVERY_REQUEST slides the session on every other
    request (one UPDATE each); the marked view only reads it (profplan.views.session_status).
    """

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if getattr(response, "session_read_only", False) and session and not session.modified:
            patch_vary_headers(response, ("Cookie",))
            return response
        return super().process_response(request, response)
