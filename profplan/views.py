from django.http import HttpResponseForbidden
from django.template.loader import render_to_string


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
