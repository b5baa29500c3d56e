"""Every change of what an account may see is in the trail: its roles (groups), the
staff flags, its region, its school or municipality; by whom, in the admin or by a
command."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from accounts.roles import COORDINATOR, DEPUTY, REGIONAL, ensure_roles
from audit.models import AuditKind
from plans.models import Region
from tests.factories import SchoolFactory, UserFactory
from tests.signin import log_in

from .conftest import admin_form_data, events, sign_in, with_password

pytestmark = pytest.mark.django_db

ACCOUNT_KINDS = [
    AuditKind.ROLE_CHANGE,
    AuditKind.REGION_CHANGE,
    AuditKind.PLACE_CHANGE,
]


def account_events():
    return events(kind__in=ACCOUNT_KINDS)


def change_in_admin(client, user, **changes):
    url = reverse("admin:accounts_user_change", args=[user.pk])
    form = client.get(url).context["adminform"].form
    response = client.post(url, admin_form_data(form, **changes), REMOTE_ADDR="10.3.3.3")
    assert response.status_code == 302, response.content.decode()[:3000]


@pytest.fixture
def roles():
    return ensure_roles()


@pytest.fixture
def member(roles):
    """A centre's member of region KBR, not yet given a role."""
    user = UserFactory(username="member", is_staff=True, region=Region.objects.default())
    Group.objects.get(name=REGIONAL)  # the role exists
    return user


def test_a_role_given_and_taken_in_the_admin(client, superuser, member, roles):
    log_in(client, superuser)
    before = len(account_events())
    change_in_admin(client, member, groups=[roles[REGIONAL].pk])
    change_in_admin(client, member, groups=[roles[COORDINATOR].pk])
    given, taken, given_again = account_events()[before:]
    assert given.kind == AuditKind.ROLE_CHANGE
    assert given.detail == "учётная запись «member»: назначена роль «Региональный центр»"
    assert given.user == superuser and given.address == "10.3.3.3"
    assert given.region == member.region  # the account's region: its centre sees it
    assert taken.detail == "учётная запись «member»: снята роль «Региональный центр»"
    assert (
        given_again.detail == "учётная запись «member»: назначена роль «Муниципальный координатор»"
    )


def test_the_region_and_the_admin_flag_changed_in_the_admin(client, superuser, member):
    other = Region.objects.create(name="Республика Адыгея", short_name="РА", code="ra", order=2)
    log_in(client, superuser)
    before = len(account_events())
    change_in_admin(client, member, region=other.pk, is_staff=False)
    role, region = account_events()[before:]
    assert role.kind == AuditKind.ROLE_CHANGE
    assert role.detail == "учётная запись «member»: доступ в админку закрыт"
    assert region.kind == AuditKind.REGION_CHANGE
    assert region.detail == (
        "учётная запись «member»: регион: Кабардино-Балкарская Республика → Республика Адыгея"
    )
    assert region.user == superuser and region.region == other


def test_a_deputy_moved_to_another_school(client, superuser, deputy):
    new_school = SchoolFactory(short_name="МКОУ СОШ № 77")
    log_in(client, superuser)
    change_in_admin(client, deputy, school=new_school.pk)
    [event] = events(kind=AuditKind.PLACE_CHANGE)
    assert event.detail == (
        f"учётная запись «deputy»: школа: {deputy.school.short_name} → МКОУ СОШ № 77"
    )
    assert event.school == new_school


def test_saving_an_account_unchanged_records_nothing(client, superuser, member):
    log_in(client, superuser)
    before = len(account_events())
    change_in_admin(client, member)
    assert len(account_events()) == before


def test_signing_in_changes_nothing_of_the_account(client, deputy):
    with_password(deputy)
    before = len(account_events())
    assert sign_in(client, "deputy").status_code == 302  # saves last_login
    assert len(account_events()) == before


def test_a_new_centre_account_is_a_role_given(superuser):
    UserFactory(username="fresh", is_staff=True, region=Region.objects.default())
    [event] = events(kind=AuditKind.ROLE_CHANGE, detail__contains="fresh")
    assert event.detail == "учётная запись «fresh»: доступ в админку открыт"
    assert event.user is None  # no request: a command, a script
    [region] = events(kind=AuditKind.REGION_CHANGE, detail__contains="fresh")
    assert region.detail == "учётная запись «fresh»: регион: нет → Кабардино-Балкарская Республика"


def test_the_command_that_makes_a_centre_member_is_recorded(roles):
    UserFactory(username="newcomer")
    call_command("ensure_roles", "--regional", "newcomer", stdout=io.StringIO())
    trail = [event.detail for event in account_events()]
    assert "учётная запись «newcomer»: доступ в админку открыт" in trail
    assert "учётная запись «newcomer»: назначена роль «Региональный центр»" in trail


def test_the_import_of_schools_gives_each_deputy_its_role(superuser, roles):
    from accounts.onboarding import read_rows
    from accounts.services import schools_import
    from tests.accounts.conftest import csv_bytes, school_row

    schools_import(rows=read_rows(csv_bytes([school_row(5)]), "schools.csv"), by=superuser)
    [event] = events(kind=AuditKind.ROLE_CHANGE, detail__contains="sosh5")
    assert event.detail == f"учётная запись «sosh5»: назначена роль «{DEPUTY}»"
    assert event.school.short_name == "МКОУ СОШ № 5"
    assert event.region == Region.objects.default()


def test_roles_given_from_the_groups_side(roles):
    user = UserFactory(username="by_group")
    roles[COORDINATOR].user_set.add(user)
    roles[COORDINATOR].user_set.clear()
    given, taken = events(kind=AuditKind.ROLE_CHANGE, detail__contains="by_group")
    assert given.detail == "учётная запись «by_group»: назначена роль «Муниципальный координатор»"
    assert taken.detail == "учётная запись «by_group»: снята роль «Муниципальный координатор»"


def test_all_roles_cleared(roles):
    user = UserFactory(username="cleared")
    user.groups.add(roles[COORDINATOR], roles[DEPUTY])
    user.groups.clear()
    taken = events(kind=AuditKind.ROLE_CHANGE, detail__contains="снята")
    assert [event.detail for event in taken] == [
        f"учётная запись «cleared»: снята роль «{DEPUTY}», «{COORDINATOR}»"
    ]
