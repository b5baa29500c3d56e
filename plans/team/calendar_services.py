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
    feed, _ = CalendarFeed.objects.get_or_create(**owner)
    return feed


@transaction.atomic
def calendar_feed_replace(*, person=None, school=None, by=None) -> CalendarFeed:
    """A new secret for the link: the old address answers 404 from this moment (the
    feed is read by its token on every request, nothing caches it)."""
    owner = _check(person=person, school=school, by=by)
    feed = CalendarFeed.objects.select_for_update().filter(**owner).first()
    if feed is None:
        return CalendarFeed.objects.create(**owner)
    feed.token = new_feed_token()
    feed.save(update_fields=["token", "created_at"])
    return feed


@transaction.atomic
def digest_preference_set(*, person, wants: bool):
    """Turn the weekly letter (plans/execution/digest.py) on or off for this person:
    their own rows' letter, and the school's letter if they are its deputy."""
    get_user_model().objects.filter(pk=person.pk).update(wants_digest=wants)
    person.wants_digest = wants
    return person
