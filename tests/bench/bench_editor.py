"""editor_ms_300_rows: median server time of the editor page for a 300-row plan,
rendered afresh (its content cache emptied before each request).
editor_to_table_ratio: that time ÷ the server time of a page that shows the same 300
rows as a plain read-only table, served through the same stack (session, user,
middleware) to the same signed-in user.
editor_cached_ms_300_rows: the editor page opened again, unchanged (from the cache).
table_render_ms_300_rows: the plain table's template alone, without the request."""

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template import Context, Engine
from django.test import Client, override_settings
from django.urls import include, path

from tests.bench.common import big_plan, median_seconds, size
from tests.signin import log_in

ROWS = size(300, 10)
FIGURES = (
    "editor_ms_300_rows",
    "editor_to_table_ratio",
    "editor_cached_ms_300_rows",
    "table_render_ms_300_rows",
)

PLAIN = Engine().from_string(
    "<table>{% for r in rows %}<tr><td>{{ r.pk }}</td><td>{{ r.activity }}</td><td>{{ r.period }}</td>"
    "<td>{{ r.responsible }}</td><td>{{ r.documents }}</td><td>{{ r.links }}</td><td>{{ r.results }}</td></tr>"
    "{% endfor %}</table>"
)


def plain_rows(plan_pk):
    from plans.models import Plan, PlanRow

    plan = Plan.objects.get(pk=plan_pk)
    return PLAIN.render(Context({"rows": list(PlanRow.objects.filter(plan=plan))}))


@login_required
def plain_table(request, pk):
    from plans.models import Plan

    plan = get_object_or_404(Plan.objects.for_user(request.user), pk=pk)
    return HttpResponse(plain_rows(plan.pk))


urlpatterns = [
    path("bench/plain/<int:pk>/", plain_table),
    path("", include("profplan.urls")),
]


def run():
    from accounts.models import User

    plan = big_plan("Школа для замера редактора", rows=ROWS)
    user = User.objects.create(username="bench-editor", school=plan.school)
    client = Client(HTTP_HOST="127.0.0.1")
    log_in(client, user)
    url = plan.get_absolute_url()
    with override_settings(ROOT_URLCONF=__name__):
        assert client.get(url).status_code == 200
        assert client.get(f"/bench/plain/{plan.pk}/").status_code == 200

        def cold():
            # The page's content is cached per state of the plan; measure the
            # rendering itself, as the first opening after every change pays it.
            cache.clear()
            return client.get(url)

        editor = median_seconds(cold, repeat=9)
        cached = median_seconds(lambda: client.get(url), repeat=9)
        table = median_seconds(lambda: client.get(f"/bench/plain/{plan.pk}/"), repeat=9)
    render_only = median_seconds(lambda: plain_rows(plan.pk), repeat=9)
    yield "editor_ms_300_rows", round(editor * 1000, 1)
    yield "editor_to_table_ratio", round(editor / table, 2)
    yield "editor_cached_ms_300_rows", round(cached * 1000, 1)
    yield "table_render_ms_300_rows", round(render_only * 1000, 1)
