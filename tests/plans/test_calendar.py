"""The private calendar feeds (a person's rows, the school's plan) as a calendar client
reads them, and the page «Календарь и напоминания» where the links are taken and
replaced."""

import secrets
from datetime import date, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from plans.models import CalendarFeed, Plan, PlanRow, PlanStatus, Region, RowAssignment
from plans.numbering import plan_lines
from plans.services import row_execution_record
from plans.team.calendar_services import calendar_feed_create
from plans.team.calendar_views import calendar_card_context
from profplan.site import site_url
from tests.factories import SchoolFactory, UserFactory, add_row, make_plan
from tests.signin import log_in

pytestmark = pytest.mark.django_db

TODAY = date(2023, 11, 20)  # a Monday of the year 2023-2024
PAGE = "/my/calendar/"


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


def approve(plan):
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.APPROVED)
    plan.refresh_from_db()
    return plan


@pytest.fixture
def navigator(school):
    return UserFactory(
        username="navigator",
        school=school,
        school_role="member",
        team_position="navigator",
        first_name="Ирина",
        last_name="Навигаторова",
    )


@pytest.fixture
def teacher(school):
    return UserFactory(
        username="teacher",
        school=school,
        school_role="member",
        team_position="class_teacher",
        first_name="Олег",
        last_name="Классов",
    )


@pytest.fixture
def approved(plan, navigator, teacher):
    rows = {
        "day": add_row(
            plan,
            "3.4.13.3.",
            activity="Экскурсия на завод\nс мастер-классом",
            hours=4,
            grades=(9,),
            responsible="Кл. руководитель 9 кл.",
            start_date=date(2023, 10, 10),
            end_date=date(2023, 10, 10),
        ),
        "span": add_row(
            plan,
            "3.4.13.1.",
            activity="Неделя профессий",
            grades=(8, 9),
            start_date=date(2023, 11, 21),
            end_date=date(2023, 11, 23),
        ),
        "month": add_row(
            plan,
            "3.4.13.2.",
            activity="Россия – мои горизонты",
            period="октябрь",
            start_date=date(2023, 10, 1),
            end_date=date(2023, 10, 31),
        ),
        "undated": add_row(plan, "3.4.13.2.", activity="Консультации", period="в течение года"),
        "teacher": add_row(
            plan, "3.4.13.1.", activity="Классный час", start_date=date(2023, 11, 24)
        ),
    }
    for key in ("day", "span", "month", "undated"):
        RowAssignment.objects.create(row=rows[key], person=navigator)
    RowAssignment.objects.create(row=rows["day"], person=teacher)
    RowAssignment.objects.create(row=rows["teacher"], person=teacher)
    approve(plan)
    return rows


def feed_url(feed) -> str:
    return reverse("plans:calendar-feed", args=[feed.token])


def read(response) -> Calendar:
    assert response.status_code == 200, response.status_code
    return Calendar.from_ical(response.content)


def events(calendar) -> dict:
    """Events by the first words of their title (without the number)."""
    return {event["SUMMARY"].split(" ", 1)[1].lstrip(): event for event in calendar.events}


def by_uid(calendar) -> dict:
    return {str(event["UID"]): event for event in calendar.events}


def number_of(row) -> str:
    bundle = Plan.objects.for_editor().get(pk=row.plan_id)
    return next(line.number for line in plan_lines(bundle) if line.row and line.row.pk == row.pk)


# --- The school's feed ----------------------------------------------------------


def test_the_schools_feed_is_an_icalendar_file_without_signing_in(client, school, approved):
    feed = calendar_feed_create(school=school)
    response = client.get(feed_url(feed))
    calendar = read(response)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert 'filename="profplan-school-' in response["Content-Disposition"]
    assert str(calendar["X-WR-CALNAME"]) == f"Профплан: план {school.short_name}"
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Moscow"
    assert calendar["REFRESH-INTERVAL"].dt == timedelta(hours=1)
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in response.content
    assert b"X-PUBLISHED-TTL:PT1H" in response.content
    assert "Профплан" in str(calendar["PRODID"])
    # Every dated row, the rows without dates left out.
    assert sorted(events(calendar)) == sorted(
        [
            "Экскурсия на завод",
            "Неделя профессий",
            "Россия – мои горизонты (срок: до 31.10)",
            "Классный час",
        ]
    )


def test_a_second_independent_reader_vobject_reads_the_same_events(client, school, approved):
    """vobject (the iCalendar library of Radicale and other CalDAV servers and clients)
    reads the feed as icalendar does: the same events, days, titles and reminders.
    LibreOffice, the real client at hand here, cannot open .ics files."""
    import vobject

    body = client.get(feed_url(calendar_feed_create(school=school))).content
    calendar = vobject.readOne(body.decode("utf-8"))
    theirs = {
        event.uid.value: (event.dtstart.value, event.dtend.value, event.summary.value)
        for event in calendar.vevent_list
    }
    ours = {
        str(event["UID"]): (event["DTSTART"].dt, event["DTEND"].dt, str(event["SUMMARY"]))
        for event in Calendar.from_ical(body).events
    }
    assert theirs == ours and len(theirs) == 4
    assert calendar.x_wr_calname.value == f"Профплан: план {school.short_name}"
    alarms = [event for event in calendar.vevent_list if hasattr(event, "valarm")]
    assert len(alarms) == 1 and "до 31.10" in alarms[0].summary.value


def test_a_day_and_a_short_span_are_all_day_events_with_an_exclusive_end(client, school, approved):
    calendar = read(client.get(feed_url(calendar_feed_create(school=school))))
    day = events(calendar)["Экскурсия на завод"]
    assert day["DTSTART"].params["VALUE"] == "DATE"
    assert day.start == date(2023, 10, 10) and not isinstance(day.start, datetime)
    assert day.end == date(2023, 10, 11)
    span = events(calendar)["Неделя профессий"]
    assert (span.start, span.end) == (date(2023, 11, 21), date(2023, 11, 24))
    assert not span.walk("VALARM")


def test_a_month_is_one_event_on_its_first_day_with_its_deadline_and_a_reminder(
    client, school, approved
):
    calendar = read(client.get(feed_url(calendar_feed_create(school=school))))
    month = events(calendar)["Россия – мои горизонты (срок: до 31.10)"]
    assert (month.start, month.end) == (date(2023, 10, 1), date(2023, 10, 2))
    assert "Сроки: до 31.10.2023 (01.10.2023–31.10.2023)" in month["DESCRIPTION"]
    assert "по плану «октябрь»" in month["DESCRIPTION"]
    [alarm] = month.walk("VALARM")
    assert alarm["TRIGGER"].dt == timedelta(hours=9)
    assert str(alarm["ACTION"]) == "DISPLAY"


def test_an_event_tells_number_title_grades_hours_people_section_and_link(client, school, approved):
    row = approved["day"]
    calendar = read(client.get(feed_url(calendar_feed_create(school=school))))
    event = by_uid(calendar)[f"row-{row.pk}@127.0.0.1"]
    assert str(event["SUMMARY"]) == f"{number_of(row)} Экскурсия на завод"
    assert number_of(row).startswith("3.4.13.")
    text = str(event["DESCRIPTION"])
    assert "Классы: 9 кл." in text
    assert "Часов: 4" in text
    assert "Ответственные: Кл. руководитель 9 кл." in text
    assert "Олег Классов (классный руководитель)" in text
    assert "Ирина Навигаторова (педагог-навигатор)" in text
    assert "Раздел: III." in text and "Пункт: 3.4.13." in text
    link = f"{site_url()}{reverse('plans:execution', args=[row.plan_id])}#row-{row.pk}"
    assert f"Открыть в Профплане: {link}" in text
    assert str(event["URL"]) == link
    assert "LOCATION" not in event  # a row has no place; the school's name would mislead


def test_a_moved_row_shows_at_its_new_date(client, school, deputy, approved):
    row = approved["day"]
    row_execution_record(
        row=row, by=deputy, data={"status": "moved", "moved_to": date(2023, 12, 5)}
    )
    calendar = read(client.get(feed_url(calendar_feed_create(school=school))))
    event = by_uid(calendar)[f"row-{row.pk}@127.0.0.1"]
    assert (event.start, event.end) == (date(2023, 12, 5), date(2023, 12, 6))
    assert "Перенесено на 05.12.2023 (по плану 10.10.2023)" in event["DESCRIPTION"]


def test_a_row_carried_out_says_so(client, school, deputy, approved):
    row = approved["month"]
    row_execution_record(row=row, by=deputy, data={"status": "done"})
    calendar = read(client.get(feed_url(calendar_feed_create(school=school))))
    event = by_uid(calendar)[f"row-{row.pk}@127.0.0.1"]
    assert str(event["DESCRIPTION"]).startswith("✓ проведено")
    assert str(event["SUMMARY"]).startswith("✓ ")
    assert not event.walk("VALARM")  # nothing left to remind of


def test_an_edited_row_keeps_its_uid_and_its_sequence_grows(client, school, approved):
    row = approved["span"]
    yesterday = timezone.now() - timedelta(days=1)
    PlanRow.objects.filter(pk=row.pk).update(updated_at=yesterday)
    RowAssignment.objects.filter(row=row).update(assigned_at=yesterday)
    url = feed_url(calendar_feed_create(school=school))
    before = by_uid(read(client.get(url)))[f"row-{row.pk}@127.0.0.1"]
    row.refresh_from_db()
    row.activity = "Неделя профессий и ярмарка"
    row.start_date = date(2023, 11, 22)
    row.save()
    after = by_uid(read(client.get(url)))[f"row-{row.pk}@127.0.0.1"]
    assert "ярмарка" in str(after["SUMMARY"]) and after.start == date(2023, 11, 22)
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after["LAST-MODIFIED"].dt > before["LAST-MODIFIED"].dt
    assert after["DTSTAMP"].dt == after["LAST-MODIFIED"].dt


def test_a_fixed_activity_keeps_its_uid_by_its_template_item(client, school, approved):
    fixed = PlanRow.objects.filter(plan=approved["day"].plan, fixed_item__isnull=False).first()
    PlanRow.objects.filter(pk=fixed.pk).update(start_date=date(2023, 9, 15))
    calendar = read(client.get(feed_url(calendar_feed_create(school=school))))
    uid = f"plan-{fixed.plan_id}-item-{fixed.fixed_item_id}@127.0.0.1"
    assert by_uid(calendar)[uid].start == date(2023, 9, 15)


def test_the_schools_feed_shows_only_that_schools_plan(client, school, approved):
    other = approve(make_plan(SchoolFactory()))
    add_row(other, "I.", activity="Чужой педсовет", start_date=date(2023, 11, 1))
    mine = read(client.get(feed_url(calendar_feed_create(school=school))))
    theirs = read(client.get(feed_url(calendar_feed_create(school=other.school))))
    assert "Чужой педсовет" not in mine.to_ical().decode()
    assert [str(e["SUMMARY"]).split(" ", 1)[1] for e in theirs.events] == ["Чужой педсовет"]


def test_the_next_years_plan_joins_once_it_is_started(client, school, year, approved):
    from plans.services.years import school_year_copy

    next_year = school_year_copy(
        source=year, title="2024-2025", start_date=date(2024, 9, 1), end_date=date(2025, 5, 31)
    )
    url = feed_url(calendar_feed_create(school=school))
    assert len(read(client.get(url)).events) == 4
    plan = make_plan(school, year=next_year)
    add_row(plan, "I.", activity="Педсовет нового года", start_date=date(2024, 8, 30))
    summaries = [str(e["SUMMARY"]) for e in read(client.get(url)).events]
    assert any("Педсовет нового года" in summary for summary in summaries)


# --- A person's feed --------------------------------------------------------------


def test_a_persons_feed_shows_only_their_rows(client, navigator, teacher, approved):
    calendar = read(client.get(feed_url(calendar_feed_create(person=navigator))))
    assert str(calendar["X-WR-CALNAME"]) == "Профплан: мои мероприятия — Ирина Навигаторова"
    assert sorted(events(calendar)) == sorted(
        ["Экскурсия на завод", "Неделя профессий", "Россия – мои горизонты (срок: до 31.10)"]
    )
    theirs = read(client.get(feed_url(calendar_feed_create(person=teacher))))
    assert sorted(events(theirs)) == ["Классный час", "Экскурсия на завод"]


def test_a_replaced_link_answers_404_at_once(client, navigator, approved):
    client.force_login(navigator)
    client.post(PAGE, {"action": "person-create"})
    old = CalendarFeed.objects.get(person=navigator).token
    anonymous = Client()
    assert anonymous.get(f"/calendar/{old}.ics").status_code == 200
    page = client.post(PAGE, {"action": "person-replace"}, follow=True).content.decode()
    assert "Ссылка заменена" in page
    new = CalendarFeed.objects.get(person=navigator).token
    assert new != old and len(new) == 43 and new in page and old not in page
    assert anonymous.get(f"/calendar/{old}.ics").status_code == 404
    assert anonymous.get(f"/calendar/{new}.ics").status_code == 200


def test_taking_and_replacing_a_link_is_in_the_audit_trail_without_the_token(
    client, navigator, approved
):
    from audit.models import AuditEvent, AuditKind

    client.force_login(navigator)
    client.post(PAGE, {"action": "person-create"})
    client.post(PAGE, {"action": "person-create"})  # the same link again: nothing new
    client.post(PAGE, {"action": "person-replace"})
    events = AuditEvent.objects.filter(kind=AuditKind.CALENDAR_LINK).order_by("pk")
    assert [(e.user, e.school_id) for e in events] == [(navigator, navigator.school_id)] * 2
    assert "выдана ссылка на календарь (личная)" in events[0].detail
    assert "ссылка на календарь заменена (личная)" in events[1].detail
    token = CalendarFeed.objects.get(person=navigator).token
    assert not any(token in event.detail for event in events)


def test_a_deactivated_persons_link_answers_404(client, navigator, approved):
    url = feed_url(calendar_feed_create(person=navigator))
    navigator.is_active = False
    navigator.save()
    assert client.get(url).status_code == 404


def test_the_link_of_someone_no_longer_at_a_school_answers_404(client, navigator, approved):
    url = feed_url(calendar_feed_create(person=navigator))
    navigator.school = None
    navigator.save()
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "token",
    [
        "x",
        "a" * 43 + "b",
        "a" * 5000,
        "..%2F..%2Fetc%2Fpasswd",
        "%00" + "a" * 42,
        "а" * 43,  # Cyrillic
        "' OR 1=1 --",
        secrets.token_urlsafe(32),
    ],
)
def test_an_unknown_or_malformed_token_answers_404_never_500(client, navigator, token):
    calendar_feed_create(person=navigator)
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 404


def test_the_feed_opens_for_a_session_that_has_not_passed_the_second_factor(
    client, reviewer, school, approved
):
    """Signed in with the password alone, the centre opens no page but the code page;
    the feed reads no session, so a calendar in that browser still gets it."""
    url = feed_url(calendar_feed_create(school=school))
    client.force_login(reviewer)
    assert client.get(reverse("plans:home")).status_code == 302
    assert client.get(url).status_code == 200


def test_the_feed_refuses_post(client, school):
    assert client.post(feed_url(calendar_feed_create(school=school))).status_code == 405


# --- The page ---------------------------------------------------------------------


def test_a_member_takes_a_link_by_post_and_a_get_changes_nothing(client, navigator, approved):
    client.force_login(navigator)
    page = client.get(PAGE).content.decode()
    assert "Календарь и напоминания" in page and "Получить ссылку" in page
    assert "Яндекс Календарь" in page and "Google Календарь" in page and "Outlook" in page
    assert "iPhone" in page and "Android" in page
    assert "в календарь не попадают" in page and "Мои мероприятия" in page
    assert "Календарь всего плана школы" not in page  # the deputy's
    assert not CalendarFeed.objects.exists()
    page = client.post(PAGE, {"action": "person-create"}, follow=True).content.decode()
    token = CalendarFeed.objects.get(person=navigator).token
    assert f"{site_url()}/calendar/{token}.ics" in page
    assert f"webcal://{site_url().split('://')[1]}/calendar/{token}.ics" in page
    assert "Заменить ссылку" in page
    client.post(PAGE, {"action": "person-create"})  # a second click: the same link
    assert CalendarFeed.objects.get().token == token


def test_the_deputy_takes_and_replaces_the_schools_link(client, deputy, school, approved):
    client.force_login(deputy)
    page = client.get(PAGE).content.decode()
    assert "Календарь всего плана школы" in page
    client.post(PAGE, {"action": "school-create"})
    old = CalendarFeed.objects.get(school=school).token
    page = client.post(PAGE, {"action": "school-replace"}, follow=True).content.decode()
    new = CalendarFeed.objects.get(school=school).token
    assert new != old and new in page
    assert Client().get(f"/calendar/{old}.ics").status_code == 404


def test_a_member_cannot_take_or_replace_the_schools_link(client, navigator, school):
    feed = calendar_feed_create(school=school)
    client.force_login(navigator)
    assert client.post(PAGE, {"action": "school-create"}).status_code == 404
    assert client.post(PAGE, {"action": "school-replace"}).status_code == 404
    assert CalendarFeed.objects.get(school=school).token == feed.token
    assert feed.token not in client.get(PAGE).content.decode()


def test_another_schools_deputy_sees_only_their_own_links(client, other_deputy, school):
    feed = calendar_feed_create(school=school)
    client.force_login(other_deputy)
    client.post(PAGE, {"action": "school-create"})
    page = client.get(PAGE).content.decode()
    assert feed.token not in page
    assert CalendarFeed.objects.get(school=other_deputy.school).token in page


def test_the_page_is_for_a_schools_people_only(client, coordinator, reviewer, superuser):
    ministry = UserFactory(username="ministry", is_ministry=True, region=Region.objects.default())
    for user in (coordinator, reviewer, ministry, superuser):
        client.logout()
        log_in(client, user)
        assert client.get(PAGE).status_code == 404, user
        assert client.post(PAGE, {"action": "school-create"}).status_code == 404, user
    assert not CalendarFeed.objects.exists()
    client.logout()
    assert client.get(PAGE).status_code == 302  # to sign in


def test_a_post_without_its_csrf_token_is_refused(navigator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(navigator)
    assert client.post(PAGE, {"action": "person-create"}).status_code == 403
    assert client.post(PAGE, {"action": "digest"}).status_code == 403
    assert not CalendarFeed.objects.exists()
    navigator.refresh_from_db()
    assert navigator.wants_digest


def test_an_unknown_action_changes_nothing(client, navigator):
    client.force_login(navigator)
    page = client.post(PAGE, {"action": "drop-tables"}, follow=True).content.decode()
    assert "Неизвестное действие" in page
    assert not CalendarFeed.objects.exists()


def test_the_weekly_letter_is_turned_off_and_on_again(client, navigator):
    client.force_login(navigator)
    page = client.post(PAGE, {"action": "digest"}, follow=True).content.decode()
    assert "Еженедельное письмо отключено" in page
    navigator.refresh_from_db()
    assert not navigator.wants_digest
    assert 'id="wants_digest" name="wants_digest">' in page
    client.post(PAGE, {"action": "digest", "wants_digest": "on"})
    navigator.refresh_from_db()
    assert navigator.wants_digest


def test_the_menu_leads_to_the_page(client, navigator):
    client.force_login(navigator)
    assert PAGE in client.get(reverse("plans:home"), follow=True).content.decode()


# --- The card on /my/ -------------------------------------------------------------


def test_the_card_context_takes_one_query(navigator, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert calendar_card_context(navigator)["calendar_card"]["url"] == ""
    feed = calendar_feed_create(person=navigator)
    with django_assert_num_queries(1):
        card = calendar_card_context(navigator)["calendar_card"]
    assert card["url"].endswith(f"/calendar/{feed.token}.ics")
    assert card["webcal"].startswith("webcal://")
    assert card["page"] == PAGE


def test_the_card_renders_the_link_and_the_way_to_the_page(navigator, coordinator):
    from django.template.loader import render_to_string

    calendar_feed_create(person=navigator)
    html = render_to_string("plans/team/_calendar_card.html", calendar_card_context(navigator))
    assert "calendar-card-url" in html and PAGE in html and "Копировать" in html
    assert (
        render_to_string(
            "plans/team/_calendar_card.html", calendar_card_context(coordinator)
        ).strip()
        == ""
    )


# --- Query counts ----------------------------------------------------------------


def _many(plan, people, count: int):
    """`count` dated rows, each assigned to every one of `people`."""
    from plans.models import TemplateItem

    parent = TemplateItem.objects.get(year=plan.year, code="3.4.13.1.")
    anchor = parent.children.exclude(kind="row").order_by("-order").first()
    rows = PlanRow.objects.bulk_create(
        PlanRow(
            plan=plan,
            parent=parent,
            anchor=anchor,
            order=100 + n,
            activity=f"Мероприятие {n}",
            start_date=date(2023, 10, 1) + timedelta(days=n % 200),
            end_date=date(2023, 10, 1) + timedelta(days=n % 200),
        )
        for n in range(count)
    )
    RowAssignment.objects.bulk_create(
        RowAssignment(row=row, person=person) for row in rows for person in people
    )


# The link with its person or school and region (1), the region's years (2), the
# school's plans (3), the levels their grades take (4), the template items (5), the
# rows with their marks (6), the assignments with their people (7).
FEED_QUERIES = 7


@pytest.mark.parametrize("rows, people", [(10, 1), (300, 5)])
def test_the_feeds_queries_do_not_grow_with_rows_or_assignees(
    client, school, plan, rows, people, django_assert_num_queries
):
    team = [
        UserFactory(school=school, school_role="member", team_position="navigator")
        for _ in range(people)
    ]
    _many(approve(plan), team, rows)
    school_url = feed_url(calendar_feed_create(school=school))
    person_url = feed_url(calendar_feed_create(person=team[0]))
    with django_assert_num_queries(FEED_QUERIES):
        school_feed = read(client.get(school_url))
    with django_assert_num_queries(FEED_QUERIES):
        person_feed = read(client.get(person_url))
    assert len(person_feed.events) == rows
    assert len(school_feed.events) >= rows
    assert str(person_feed.events[0]["DESCRIPTION"]).count("(педагог-навигатор)") == people
