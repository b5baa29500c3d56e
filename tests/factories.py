from datetime import date

import factory
from django.contrib.auth import get_user_model

from plans.models import Municipality, Plan, PlanRow, Region, School, SchoolYear, TemplateItem
from plans.services import plan_create


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    full_name = factory.Sequence(
        lambda n: (
            f"Муниципальное казённое общеобразовательное учреждение «Средняя общеобразовательная школа № {n + 1}»"
        )
    )
    short_name = factory.Sequence(lambda n: f"МКОУ СОШ № {n + 1}")
    municipality = factory.LazyFunction(lambda: Municipality.objects.order_by("pk").first())
    director_name = "Иванова Мария Петровна"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Анна"
    last_name = "Петрова"
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    is_staff = False
    is_superuser = False
    # Centre staff work in a region: Kabardino-Balkaria, the reference data's only one.
    # A superuser has none and sees every region.
    region = factory.LazyAttribute(
        lambda u: Region.objects.default() if u.is_staff and not u.is_superuser else None
    )


def make_plan(school=None, levels=None, year=None) -> Plan:
    """A new plan as the service makes it: the seed's rows, grades 6–11."""
    return plan_create(
        school=school or SchoolFactory(),
        year=year or SchoolYear.objects.get(region=Region.objects.default(), title="2023-2024"),
        levels=levels,
    )


def open_campaign(year, **fields):
    """A monitoring campaign opened on 1 October 2023 and closing far ahead, with a
    report for every school there is."""
    from monitoring.models import Campaign
    from monitoring.services import campaign_open

    fields = {
        "name": "Мониторинг",
        "period": "осень",
        "opens": date(2023, 10, 1),
        "closes": date(2099, 1, 1),
    } | fields
    campaign = Campaign.objects.create(year=year, **fields)
    campaign_open(campaign=campaign)
    return campaign


def add_row(plan: Plan, code: str, **fields) -> PlanRow:
    """Append a school row at the end of the last run under the template item `code`."""
    parent = TemplateItem.objects.get(year=plan.year, code=code)
    last_child = parent.children.exclude(kind="row").order_by("-order").first()
    anchor = last_child
    order = PlanRow.objects.filter(plan=plan, parent=parent, anchor=anchor).count() + 1
    return PlanRow.objects.create(plan=plan, parent=parent, anchor=anchor, order=order, **fields)
