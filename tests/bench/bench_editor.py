"""editor_ms_300_rows: median server time of the editor page for a 300-row plan.
editor_to_table_ratio: that time ÷ rendering the same 300 rows as a plain table."""

from django.template import Context, Engine
from django.test import Client

from tests.bench.common import big_plan, median_seconds

PLAIN = Engine().from_string(
    "<table>{% for r in rows %}<tr><td>{{ r.pk }}</td><td>{{ r.activity }}</td><td>{{ r.period }}</td>"
    "<td>{{ r.responsible }}</td><td>{{ r.documents }}</td><td>{{ r.links }}</td><td>{{ r.results }}</td></tr>"
    "{% endfor %}</table>"
)


def run():
    from accounts.models import User
    from plans.models import Plan, PlanRow

    plan = big_plan("Школа для замера редактора", rows=300)
    user = User.objects.create(username="bench-editor", school=plan.school)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    url = plan.get_absolute_url()
    assert client.get(url).status_code == 200

    editor = median_seconds(lambda: client.get(url), repeat=7)

    def plain_table():
        Plan.objects.get(pk=plan.pk)
        rows = list(PlanRow.objects.filter(plan=plan))
        return PLAIN.render(Context({"rows": rows}))

    table = median_seconds(plain_table, repeat=7)
    yield "editor_ms_300_rows", round(editor * 1000, 1)
    yield "editor_to_table_ratio", round(editor / table, 2)
