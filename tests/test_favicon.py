"""The site and the admin show the site's icon in the browser tab."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.signin import log_in

pytestmark = pytest.mark.django_db

ICON = re.compile(r'<link rel="icon" href="([^"]*favicon[^"]*\.svg)"')


def test_every_kind_of_page_links_the_icon(client, deputy, superuser):
    pages = [reverse("login")]
    client.force_login(deputy)
    pages.append(reverse("plans:home"))
    for url in pages:
        assert ICON.search(client.get(url).content.decode()), url
    log_in(client, superuser)
    for url in [reverse("admin:index"), reverse("admin:plans_plan_changelist")]:
        assert ICON.search(client.get(url).content.decode()), url
    assert finders.find("img/favicon.svg")
