"""The school's team: the deputy director adds colleagues, invites them, changes their
position and rights, removes them. Keyword-only services, each in one transaction,
each refusing anyone but the school's own deputy (`access.may_manage_team`).

A team member is an accounts.User of the deputy's school with `school_role`
«участник команды» and no usable password until they set one through the one-time
link of Django's password reset (an e-mail, or a printed sheet). Removing a member
deactivates the account and never deletes it: their marks stay signed with their name.
Each change goes to the audit trail (AuditKind.TEAM_CHANGE): who changed whose account,
what."""

import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import access
from accounts.models import SchoolRole, TeamPosition
from accounts.onboarding import login_base, split_name
from accounts.services import password_set_url
from plans.services.errors import TransitionRefused
from profplan.site import site_url
from profplan.tasks import enqueue_mail

NOT_YOURS = "Команду школы ведёт заместитель директора этой школы."
NOT_A_MEMBER = "Это не участник команды вашей школы."
EMAIL_TAKEN = (
    "Этот адрес электронной почты уже указан у другой учётной записи Профплана. "
    "У каждого участника команды должен быть свой адрес."
)
NAME_EMPTY = "Укажите фамилию и имя."
EMAIL_EMPTY = "Укажите адрес электронной почты: на него придёт приглашение."
NAME_MAX = 150  # first_name and last_name of AbstractUser


def full_name(user) -> str:
    """«Фамилия Имя Отчество», as a school writes its people's names."""
    return f"{user.last_name} {user.first_name}".strip() or user.get_username()


def _refuse_unless_deputy(by, school_id) -> None:
    if not access.may_manage_team(by, school_id):
        raise TransitionRefused(NOT_YOURS)


def _member_of(member, by) -> None:
    """`member` is a team member (not the deputy) of `by`'s school."""
    _refuse_unless_deputy(by, member.school_id)
    if member.school_role != SchoolRole.MEMBER or member.pk == by.pk:
        raise TransitionRefused(NOT_A_MEMBER)


def _clean_email(email: str) -> str:
    return BaseUserManager.normalize_email((email or "").strip())


def _check_email(email: str, exclude_pk=None) -> None:
    """An e-mail belongs to one active account: invitations and reminders go to one
    person. Whose it is is not said (another school's people are not ours to name)."""
    if not email:
        raise ValidationError({"email": EMAIL_EMPTY})
    taken = get_user_model().objects.filter(is_active=True, email__iexact=email)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError({"email": EMAIL_TAKEN})


def _names(full_name: str) -> tuple[str, str]:
    """«Петрова Анна Сергеевна» → («Петрова», «Анна Сергеевна»); spaces squeezed."""
    text = " ".join((full_name or "").split())
    if not text:
        raise ValidationError({"full_name": NAME_EMPTY})
    last, first = split_name(text)
    if len(last) > NAME_MAX or len(first) > NAME_MAX:
        raise ValidationError(
            {"full_name": f"Фамилия и имя — не длиннее {NAME_MAX} знаков каждое."}
        )
    return last, first


def unique_username(full_name: str, email: str = "") -> str:
    """A login nobody has: from the e-mail's name part (`anna.petrova` of
    anna.petrova@mail.ru) when it is plain Latin, else the transliterated surname and
    initials (`petrova.as`), then `2`, `3`… until free. Compared case-insensitively, as
    people type logins."""
    local = email.partition("@")[0].lower()
    base = local if re.fullmatch(r"[a-z][a-z0-9._-]{1,29}", local) else login_base(full_name)
    base = base[:140] or "member"
    User = get_user_model()
    taken = {
        name.lower()
        for name in User.objects.filter(username__istartswith=base).values_list(
            "username", flat=True
        )
    }
    if base not in taken:
        return base
    number = 2
    while f"{base}{number}" in taken:
        number += 1
    return f"{base}{number}"


def _audit(*, by, member, detail: str) -> None:
    from audit.models import AuditKind
    from audit.receivers import current_request
    from audit.services import audit_record

    audit_record(
        kind=AuditKind.TEAM_CHANGE,
        request=current_request(),
        user=by,
        account=member,
        school=member.school_id,
        detail=detail,
    )


def _position_label(value: str) -> str:
    return TeamPosition(value).label if value in TeamPosition.values else "другое"


@transaction.atomic
def team_member_add(
    *,
    school,
    by,
    full_name: str,
    team_position: str,
    email: str,
    marks_any_row: bool = False,
):
    """A new team member of `school` (the deputy `by`'s own). No usable password: they
    set it through `team_member_invite` or a printed sheet (`team_member_sheet_url`).
    ValidationError by field (`full_name`, `email`, `team_position`) for bad input."""
    _refuse_unless_deputy(by, school.pk)
    last_name, first_name = _names(full_name)
    email = _clean_email(email)
    _check_email(email)
    if team_position not in TeamPosition.values:
        raise ValidationError({"team_position": "Выберите должность из списка."})
    User = get_user_model()
    member = User(
        username=unique_username(f"{last_name} {first_name}", email),
        email=email,
        last_name=last_name,
        first_name=first_name,
        school=school,
        school_role=SchoolRole.MEMBER,
        team_position=team_position,
        position=_position_label(team_position),
        marks_any_row=marks_any_row,
    )
    member.set_unusable_password()
    member.save()
    _audit(
        by=by,
        member=member,
        detail=f"добавлен в команду школы: {_position_label(team_position)}"
        + ("; отмечает любые строки" if marks_any_row else ""),
    )
    return member


def team_member_sheet_url(member) -> str:
    """The one-time link to set the password (Django's password reset token): it stops
    working once the password is set, or after PASSWORD_RESET_TIMEOUT."""
    return password_set_url(member, site_url=site_url())


def invitation_days() -> int:
    return max(1, settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60))


@transaction.atomic
def team_member_invite(*, member, by) -> None:
    """Queue the invitation: the login and the link to set a password, sent once this
    transaction commits (a mail server that is down delays it, never loses it)."""
    _member_of(member, by)
    if not member.is_active:
        raise TransitionRefused("Участник удалён из команды: приглашение не отправлено.")
    if not member.email:
        raise TransitionRefused("У участника не указан адрес электронной почты.")
    school = member.school
    body = (
        f"Здравствуйте, {member.first_name or member.get_username()}!\n\n"
        f"{by.get_full_name() or by.get_username()} добавил(а) вас в команду школы "
        f"«{school.short_name}» в Профплане – системе планов профориентации школ "
        "Кабардино-Балкарской Республики. Здесь вы увидите план школы и отметите "
        "проведённые вами мероприятия.\n\n"
        f"Адрес сайта: {site_url()}/\n"
        f"Логин: {member.get_username()}\n\n"
        f"Чтобы задать пароль, откройте ссылку (она действует {invitation_days()} дн. и "
        "только до того, как пароль задан):\n"
        f"{team_member_sheet_url(member)}\n\n"
        "Если ссылка устарела, попросите заместителя директора отправить приглашение ещё раз.\n"
        "Если вы не ждали этого письма, просто не отвечайте на него."
    )
    enqueue_mail("Профплан: приглашение в команду школы", body, [member.email], "team-invitation")
    _audit(by=by, member=member, detail="отправлено приглашение в команду школы")


@transaction.atomic
def team_member_update(
    *,
    member,
    by,
    team_position: str | None = None,
    email: str | None = None,
    marks_any_row: bool | None = None,
    full_name: str | None = None,
):
    """Change what is given (None: as it was). A new e-mail is checked as on adding."""
    _member_of(member, by)
    if not member.is_active:
        raise TransitionRefused("Участник удалён из команды: изменить его нельзя.")
    changes = []
    if full_name is not None:
        last_name, first_name = _names(full_name)
        if (last_name, first_name) != (member.last_name, member.first_name):
            member.last_name, member.first_name = last_name, first_name
            changes.append("ФИО")
    if email is not None:
        email = _clean_email(email)
        if email.lower() != member.email.lower():
            _check_email(email, exclude_pk=member.pk)
            changes.append("e-mail")
        member.email = email
    if team_position is not None and team_position != member.team_position:
        if team_position not in TeamPosition.values:
            raise ValidationError({"team_position": "Выберите должность из списка."})
        member.team_position = team_position
        member.position = _position_label(team_position)
        changes.append(f"должность: {_position_label(team_position)}")
    if marks_any_row is not None and marks_any_row != member.marks_any_row:
        member.marks_any_row = marks_any_row
        changes.append(
            "отмечает любые строки" if marks_any_row else "отмечает только свои мероприятия"
        )
    if changes:
        member.save()
        _audit(by=by, member=member, detail="изменено: " + "; ".join(changes))
    return member


@transaction.atomic
def team_member_remove(*, member, by):
    """Take the member off the team: the account is deactivated (never deleted: their
    marks keep their name), its password and any link to set one stop working, their
    rows become unassigned and their calendar link answers 404."""
    from plans.models import CalendarFeed, RowAssignment

    _member_of(member, by)
    if not member.is_active:
        return member
    member.is_active = False
    member.marks_any_row = False
    # An unusable password also voids every link to set one already sent or printed
    # (the reset token is made from the password's hash).
    member.set_unusable_password()
    member.save()
    RowAssignment.objects.filter(person=member).delete()
    CalendarFeed.objects.filter(person=member).delete()
    _audit(by=by, member=member, detail="удалён из команды школы, учётная запись отключена")
    return member


@transaction.atomic
def team_member_sheet_prepare(*, member, by) -> str:
    """For a printed sheet of a member who has set a password already: the password
    stops working (a new one is set through the sheet's link), and the link is made.
    For a member without a password nothing changes. Returns the link."""
    _member_of(member, by)
    if not member.is_active:
        raise TransitionRefused("Участник удалён из команды.")
    if member.has_usable_password():
        member.set_unusable_password()
        member.save(update_fields=["password"])
        _audit(by=by, member=member, detail="пароль сброшен для листа входа")
    return team_member_sheet_url(member)
