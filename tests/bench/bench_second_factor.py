"""What the second factor's middleware costs a page: the centre's dashboard (300 schools)
and a school's plan page (300 rows, cached), each timed with and without django-otp's
OTPMiddleware and accounts.middleware.SecondFactorMiddleware, in turns in one process,
so that the other work on a shared machine weighs on both alike.

`second_factor_dashboard_ratio` and `second_factor_editor_ratio` are «with ÷ without»
(CPU time); the issue allows 1.10.
"""

from tests.signin import log_in

from .common import big_plan, median_wall_and_cpu, size, test_environment

SCHOOLS = size(300, 5)
ROWS = size(300, 10)
TURNS = size(5, 1)
FIGURES = tuple(
    f"second_factor_{page}_{what}"
    for page in ("dashboard", "editor")
    for what in ("ms_without", "ms_with", "ratio")
)

SECOND_FACTOR = {
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
}


def run():
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accounts.roles import REGIONAL, ensure_roles
    from plans.models import Region
    from tests.monitoring.region import make_region

    test_environment()
    User = get_user_model()
    reviewer, _ = User.objects.get_or_create(
        username="bench-second-factor", defaults={"is_staff": True}
    )
    reviewer.region = Region.objects.default()
    reviewer.save()
    reviewer.groups.add(ensure_roles()[REGIONAL])
    make_region(SCHOOLS, prefix="Школа замера второго фактора")
    plan = big_plan("Школа замера второго фактора: план", rows=ROWS)
    deputy, _ = User.objects.get_or_create(
        username="bench-second-factor-deputy", defaults={"school": plan.school}
    )
    without = [name for name in settings.MIDDLEWARE if name not in SECOND_FACTOR]

    def page(user, url, middleware):
        with override_settings(MIDDLEWARE=middleware):
            client = log_in(Client(), user)

            def get():
                with override_settings(MIDDLEWARE=middleware):
                    response = client.get(url)
                assert response.status_code == 200, response.status_code

            return get

    cases = {
        "dashboard": (reviewer, reverse("monitoring:dashboard")),
        "editor": (deputy, plan.get_absolute_url()),
    }
    for name, (user, url) in cases.items():
        timed = {"with": [], "without": []}
        pages = {
            "with": page(user, url, settings.MIDDLEWARE),
            "without": page(user, url, without),
        }
        queries = {}
        for kind, get in pages.items():
            get()  # the first request fills caches (the plan page, the session's flag)
            with CaptureQueriesContext(connection) as captured:
                get()
            queries[kind] = len(captured)
        # The centre's session reads the device that passed the code; a school's nothing.
        assert queries["with"] - queries["without"] == (1 if name == "dashboard" else 0), queries
        for _ in range(TURNS):  # in turns: with, without, with, …
            for kind, get in pages.items():
                timed[kind].append(median_wall_and_cpu(get, repeat=TURNS)[1])
        with_cpu, without_cpu = min(timed["with"]), min(timed["without"])
        yield f"second_factor_{name}_ms_without", round(without_cpu * 1000, 1)
        yield f"second_factor_{name}_ms_with", round(with_cpu * 1000, 1)
        yield f"second_factor_{name}_ratio", round(with_cpu / without_cpu, 3)
