"""Writes of «Календарь и напоминания»: the private calendar links and the weekly
letter's switch. Called from plans/team/calendar_views.py (and from the admin or a
shell alike)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts import access
from plans.models import CalendarFeed, new_feed_token


def _check(*, person, school, by) -> dict:
    if (person is None) == (school is None):
        raise ValueError("A calendar link is either a person's or a school's.")
    if person is not None:
        if (
            by is not None
            and by.pk != person.pk
            and not access.may_manage_team(by, person.school_id)
        ):
            raise PermissionDenied
        return {"person": person}
    if by is not None and not access.may_manage_team(by, school.pk):
        raise PermissionDenied
    return {"school": school}


@transaction.atomic
def calendar_feed_create(*, person=None, school=None, by=None) -> CalendarFeed:
    """The person's (or the school's) private link, made on the first request; the
    existing one afterwards (a second click changes nothing). `by`: who asks — the
    person themself, or the school's deputy; None from a command."""
    owner = _check(person=person, school=school, by=by)
    feed, created = CalendarFeed.objects.get_or_create(**owner)
    if created:
        _audit(by=by, person=person, school=school, detail="выдана ссылка на календарь")
    return feed


@transaction.atomic
def calendar_feed_replace(*, person=None, school=None, by=None) -> CalendarFeed:
    """A new secret for the link: the old address answers 404 from this moment (the
    feed is read by its token on every request, nothing caches it)."""
    owner = _check(person=person, school=school, by=by)
    feed = CalendarFeed.objects.select_for_update().filter(**owner).first()
    if feed is None:
        feed = CalendarFeed.objects.create(**owner)
    else:
        feed.token = new_feed_token()
        feed.save(update_fields=["token", "created_at"])
    _audit(by=by, person=person, school=school, detail="ссылка на календарь заменена")
    return feed


def _audit(*, by, person, school, detail: str) -> None:
    """A calendar link opens without signing in: who took or replaced one is kept in
    the audit trail (never the token itself)."""
    from audit.models import AuditKind
    from audit.receivers import current_request
    from audit.services import audit_record

    owner = "школы" if school is not None else "личная"
    audit_record(
        kind=AuditKind.CALENDAR_LINK,
        request=current_request(),
        user=by,
        account=person,
        school=school.pk if school is not None else person.school_id,
        detail=f"{detail} ({owner})",
    )


@transaction.atomic
def digest_preference_set(*, person, wants: bool):
    """Turn the weekly letter (plans/execution/digest.py) on or off for this person:
    their own rows' letter, and the school's letter if they are its deputy."""
    get_user_model().objects.filter(pk=person.pk).update(wants_digest=wants)
    person.wants_digest = wants
    return person
