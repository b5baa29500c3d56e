"""The private calendar feeds (`calendar_feed`: opens without signing in, the token
is the key) and the page «Календарь и напоминания» (`my_calendar`, /my/calendar/),
where a school's person takes the link, replaces it and turns the weekly letter on or
off. `calendar_card_context` feeds the card on «Мои мероприятия» (/my/)."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts import access
from plans.models import CalendarFeed, PlanStatus
from plans.team.calendar import build_calendar
from plans.team.calendar_reads import feed_by_token, feed_rows
from plans.team.calendar_services import (
    calendar_feed_create,
    calendar_feed_replace,
    digest_preference_set,
)
from profplan.site import site_url


def feed_url(feed: CalendarFeed | None) -> str:
    if feed is None:
        return ""
    return site_url() + reverse("plans:calendar-feed", args=[feed.token])


def webcal_url(url: str) -> str:
    """The same address for «open in the calendar» links (iPhone, Outlook, macOS)."""
    return "webcal://" + url.split("://", 1)[1] if url else ""


def _row_link(feed_row) -> str:
    """Where the event leads: the row on the execution page of an approved plan (its
    mark and evidence), the plan itself before approval."""
    plan = feed_row.plan
    if plan.status == PlanStatus.APPROVED:
        return f"{site_url()}{reverse('plans:execution', args=[plan.pk])}#row-{feed_row.row.pk}"
    return site_url() + reverse("plans:edit", args=[plan.pk])


@require_safe
def calendar_feed(request, token):
    """A person's own activities, or the school's whole plan, as an .ics file. No
    session, no sign-in: calendar servers (Yandex, Google, Outlook) fetch it. A
    malformed, unknown or replaced token, or the link of a deactivated account or of
    someone no longer at a school: 404. A fixed number of queries (seven)."""
    feed = feed_by_token(token)
    if feed is None:
        raise Http404
    today = timezone.localdate()
    host = urlsplit(site_url()).hostname or "profplan"
    if feed.person_id is not None:
        person = feed.person
        if not access.is_school_user(person):
            raise Http404
        school = person.school
        rows = feed_rows(school=school, today=today, person=person)
        name = f"Профплан: мои мероприятия — {person.get_full_name() or person.username}"
        description = f"Мероприятия плана {school.short_name}, порученные вам."
        uid = f"feed-person-{person.pk}@{host}"
        filename = "profplan-my.ics"
    else:
        school = feed.school
        rows = feed_rows(school=school, today=today)
        name = f"Профплан: план {school.short_name}"
        description = f"Все мероприятия плана {school.short_name} с датами."
        uid = f"feed-school-{school.pk}@{host}"
        filename = f"profplan-school-{school.pk}.ics"
    body = build_calendar(
        name=name, description=description, uid=uid, rows=rows, host=host, link=_row_link
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A replaced link must stop at once: no cache keeps the old answer.
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def calendar_card_context(user) -> dict:
    """For the card on /my/ (templates/plans/team/_calendar_card.html): the person's
    link, if taken. One query (none for someone who is not a school's person)."""
    if not access.is_school_user(user):
        return {"calendar_card": None}
    feed = CalendarFeed.objects.filter(person=user).only("token").first()
    url = feed_url(feed)
    return {
        "calendar_card": {
            "url": url,
            "webcal": webcal_url(url),
            "page": reverse("plans:my-calendar"),
        }
    }


ACTIONS = {
    "person-create": "Ссылка на ваш календарь готова: добавьте её в календарь телефона.",
    "person-replace": "Ссылка заменена: старая больше не работает. Добавьте новую в календарь.",
    "school-create": "Ссылка на календарь школы готова.",
    "school-replace": "Ссылка на календарь школы заменена: старая больше не работает.",
}


@login_required
def my_calendar(request):
    """«Календарь и напоминания»: a school's deputy and team members only (others:
    404). Links are made and replaced only by POST; a GET changes nothing."""
    user = request.user
    if not access.is_school_user(user):
        raise Http404
    manages = access.may_manage_team(user, user.school_id)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "digest":
            wants = request.POST.get("wants_digest") == "on"
            digest_preference_set(person=user, wants=wants)
            messages.success(
                request,
                "Еженедельное письмо включено." if wants else "Еженедельное письмо отключено.",
            )
        elif action in ACTIONS:
            whose, what = action.split("-")
            if whose == "school" and not manages:
                raise Http404
            owner = {"person": user} if whose == "person" else {"school": user.school}
            service = calendar_feed_create if what == "create" else calendar_feed_replace
            service(**owner, by=user)
            messages.success(request, ACTIONS[action])
        else:
            messages.error(request, "Неизвестное действие: обновите страницу и попробуйте ещё раз.")
        return redirect("plans:my-calendar")

    mine = Q(person=user) | Q(school_id=user.school_id) if manages else Q(person=user)
    feeds = {
        ("person" if feed.person_id else "school"): feed
        for feed in CalendarFeed.objects.filter(mine)
    }
    person_url = feed_url(feeds.get("person"))
    school_url = feed_url(feeds.get("school"))
    context = {
        "school": user.school,
        "manages": manages,
        "person_feed": feeds.get("person"),
        "person_url": person_url,
        "person_webcal": webcal_url(person_url),
        "school_feed": feeds.get("school"),
        "school_url": school_url,
        "school_webcal": webcal_url(school_url),
        "wants_digest": user.wants_digest,
        "my_url": reverse("plans:my"),
    }
    return render(request, "plans/team/calendar.html", context)
