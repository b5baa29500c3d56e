"""The regional dashboard for 30 and for 300 schools, in-process through the test client,
as a member of the region's centre (staff of the region the schools are in).

Aggregation is in the database, so 10 times the schools should cost far less than
10 times the time: `dashboard_scaling` (300 ÷ 30 schools) targets ≤ 2.

`execution_dashboard_scaling` is the same page for regions whose plans are approved
and marked (the hours delivered per grade and the schools behind, from the figures
stored on the plans' grades), measured first on a region of its own and rolled back,
so neither figure's baseline holds the other's schools.
"""

from tests.signin import log_in

from .common import median_seconds, size, test_environment

SMALL = size(30, 3)  # schools of the first measure; the second has ten times as many
FIGURES = (
    "execution_dashboard_ms_300_schools",
    "execution_dashboard_scaling",
    "dashboard_ms_300_schools",
    "dashboard_scaling",
)


def run():
    test_environment()
    yield from execution_dashboard()
    yield from dashboard()


def _client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    from plans.models import SchoolYear

    # Centre staff see the schools of their own region only (accounts/access.py):
    # the region of the year make_region() fills.
    region = SchoolYear.objects.get(title="2023-2024").region
    user, _ = get_user_model().objects.get_or_create(
        username="bench-reviewer", defaults={"is_staff": True, "region": region}
    )
    client = Client()
    log_in(client, user)
    return client


def execution_dashboard():
    from django.db import transaction
    from django.urls import reverse

    from tests.monitoring.region import make_region

    with transaction.atomic():
        client = _client()
        url = reverse("monitoring:dashboard")

        def view():
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            assert b'id="behind"' in response.content

        campaigns = make_region(SMALL, prefix="Школа исполнения", executed=True)
        small = median_seconds(view, repeat=7)
        make_region(9 * SMALL, prefix="Ещё школа исполнения", campaigns=campaigns, executed=True)
        large = median_seconds(view, repeat=7)
        transaction.set_rollback(True)
    yield "execution_dashboard_ms_300_schools", round(large * 1000, 1)
    yield "execution_dashboard_scaling", round(large / small, 2)


def dashboard():
    from django.urls import reverse

    from tests.monitoring.region import make_region

    client = _client()
    url = reverse("monitoring:dashboard")

    def view():
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        assert "Школа замера".encode() in response.content  # the region's schools are on it

    campaigns = make_region(SMALL, prefix="Школа замера")
    small = median_seconds(view, repeat=7)
    make_region(9 * SMALL, prefix="Ещё одна школа замера", campaigns=campaigns)
    large = median_seconds(view, repeat=7)
    yield "dashboard_ms_300_schools", round(large * 1000, 1)
    yield "dashboard_scaling", round(large / small, 2)
