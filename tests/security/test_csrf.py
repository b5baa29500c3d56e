"""CSRF on every state change: a POST that carries no token, from whoever is signed in
(the school that may change the plan, the centre, a superuser), is refused with 403 on
every URL of the site, and changes nothing."""

import pytest
from django.test import Client

from plans.models import Document, PlanComment, PlanEvent, PlanRow, SchoolYear
from tests.signin import log_in
from tests.test_access import SITE, campaign, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def counts():
    return [
        model.objects.count() for model in (Document, PlanRow, PlanComment, PlanEvent, SchoolYear)
    ]


@pytest.mark.parametrize("name", sorted(SITE))
@pytest.mark.parametrize("role", ["deputy", "reviewer", "superuser"])
def test_a_post_without_its_token_is_refused_everywhere(world, name, role):  # noqa: F811
    browser = log_in(Client(enforce_csrf_checks=True), world["users"][role])
    url = SITE[name][0](world)
    before = counts()
    response = browser.post(
        url,
        {"activity": "чужая строка", "parent": world["parent"].pk, "text": "чужой текст"},
        HTTP_REFERER="https://evil.example/",
    )
    assert response.status_code == 403, (name, url, response.status_code)
    assert counts() == before, f"a POST without its token changed something at {url}"
