import sys

from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST


def csrf_failure(request, reason=""):
    """A form that the server cannot trust (stale page, signed in again elsewhere).

    The editor keeps what was typed in the browser, so the page only has to say
    what happened and what to do; the reason stays out of the page and the logs.
    """
    if request.headers.get("HX-Request"):
        return HttpResponseForbidden(
            "Страница устарела: обновите её. Введённый текст сохранён в браузере.",
            content_type="text/plain; charset=utf-8",
        )
    return HttpResponseForbidden(render_to_string("403_csrf.html", request=request))


@never_cache
@require_GET
def healthz(request):
    """For nginx, systemd and the monitoring: is this process able to answer?

    No session, no login, no template: only the database is asked (SELECT 1).
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse(
            "database unavailable", status=503, content_type="text/plain; charset=utf-8"
        )
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


@login_required
@require_POST
def session_keepalive(request):
    """«Остаться в системе»: any request slides the session (SESSION_SAVE_EVERY_REQUEST),
    so the answer needs no body."""
    return HttpResponse(status=204)


@never_cache
@login_required
@require_GET
def session_status(request):
    """«Вы вошли как …»: a signed-in GET at its plainest. The session and the user are
    read, a one-line template is rendered, the session is not written (unlike any
    other request: SESSION_SAVE_EVERY_REQUEST). `make loadtest` compares the plan page
    with it (load_ratio): the floor any signed-in page costs."""
    response = render(request, "session_status.html")
    response.session_read_only = True  # profplan.middleware.SessionMiddleware
    return response


# Error pages: plain Russian, no details, no request context (the context
# processors would read the session from the database, which may be the very
# thing that failed). They are rendered with render_to_string(..., request=None).


def _page(template: str, status: int) -> HttpResponse:
    return HttpResponse(render_to_string(template), status=status)


def permission_denied(request, exception=None):
    return _page("403.html", 403)


def page_not_found(request, exception=None):
    return _page("404.html", 404)


def _database_lost(error: BaseException | None) -> bool:
    """Was `error`, or what it was raised from, a lost database connection?"""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, OperationalError | InterfaceError):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


def _try_again() -> HttpResponse:
    # Status 500 until DatabaseUnavailableMiddleware makes it 503 (see there why).
    response = _page("503.html", 500)
    response.database_unavailable = True
    return response


def server_error(request):
    """500, or the «попробуйте ещё раз» page when the database was unreachable.

    Django calls this inside its `except` block, so sys.exc_info() is the error.
    A lost connection (PostgreSQL restarting) is temporary: the page says so and
    DatabaseUnavailableMiddleware turns the status into 503 + Retry-After.
    """
    if _database_lost(sys.exc_info()[1]):
        return _try_again()
    return _page("500.html", 500)


TOO_LARGE = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


def bad_request(request, exception=None):
    """400 in Russian: a request too large to accept says what to do instead; any
    other (a malformed identifier, a forged admin field) says the address or form
    is wrong. The editor's htmx requests get one plain line for its alert area.

    When the session could not be saved because the database went away at the end
    of the request (SessionInterrupted raised from a DatabaseError), it is the
    «попробуйте ещё раз» case instead."""
    if _database_lost(exception):
        return _try_again()
    too_large = isinstance(exception, TOO_LARGE)
    if request.headers.get("HX-Request"):
        text = (
            "Слишком много данных в одном запросе: сохраните строку по частям (сократите "
            "текст или перенесите часть в новую строку). Введённый текст сохранён в браузере."
            if too_large
            else "Сервер не принял запрос: в форме недопустимое значение. Обновите страницу."
        )
        return HttpResponseBadRequest(text, content_type="text/plain; charset=utf-8")
    return HttpResponseBadRequest(render_to_string("400.html", {"too_large": too_large}))
