import os

import pytest
from django.core.management import call_command

from plans.models import Level, SchoolYear

from .factories import SchoolFactory, UserFactory, make_plan

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls
# from the live-server tests are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def load_reference():
    if not SchoolYear.objects.exists():
        call_command("load_reference", verbosity=0, stdout=open(os.devnull, "w"))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Reference data (the template tree, levels, municipalities) is loaded once;
    each test's transaction is rolled back over it."""
    with django_db_blocker.unblock():
        load_reference()


@pytest.fixture
def reference(db):
    """For transactional tests, whose flush removes the reference data."""
    load_reference()
    return SchoolYear.objects.get(title="2023-2024")


@pytest.fixture
def year(db):
    return SchoolYear.objects.get(title="2023-2024")


@pytest.fixture
def levels(year):
    return {level.code: level for level in Level.objects.filter(year=year)}


@pytest.fixture
def school(db):
    return SchoolFactory()


@pytest.fixture
def other_school(db):
    return SchoolFactory()


@pytest.fixture
def plan(school, levels):
    return make_plan(
        school,
        levels={
            6: levels["basic"].pk,
            7: levels["basic"].pk,
            8: levels["main"].pk,
            9: levels["main"].pk,
            10: levels["advanced"].pk,
            11: levels["advanced"].pk,
        },
    )


@pytest.fixture
def other_plan(other_school):
    return make_plan(other_school)


@pytest.fixture
def deputy(school):
    return UserFactory(username="deputy", school=school)


@pytest.fixture
def other_deputy(other_school):
    return UserFactory(username="other_deputy", school=other_school)


@pytest.fixture
def reviewer(db):
    return UserFactory(username="reviewer", is_staff=True)


@pytest.fixture
def coordinator(school):
    return UserFactory(username="coordinator", municipality=school.municipality)


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: ids repeat across rolled-back tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI=true a skipped test fails: CI must not pass while a check did not run
    (no Redis, no browser). A developer's machine may still skip."""
    report = yield
    if _in_ci() and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, where every test must run: {reason}"
    return report
