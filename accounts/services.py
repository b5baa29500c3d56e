"""Writes about people and schools: onboarding from a list, invitations.

Keyword-only functions named <entity>_<action>, each in one transaction, called
alike from the admin and from management commands (see plans/services/).
"""

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from plans.models import School

from .onboarding import (
    DEFAULT_DIRECTOR_POSITION,
    DEPUTY_POSITION,
    ImportRejected,
    SchoolRow,
    split_name,
    validate_rows,
)
from .roles import DEPUTY, ensure_roles

logger = logging.getLogger(__name__)
User = get_user_model()


@dataclass
class ImportResult:
    schools_created: list = field(default_factory=list)
    schools_updated: list = field(default_factory=list)
    users_created: list = field(default_factory=list)
    users_existing: list = field(default_factory=list)
    # Filled once the transaction has committed: invitations are sent only then.
    invitations_sent: list = field(default_factory=list)
    invitations_failed: list = field(default_factory=list)
    # (school's short name, login, whether the account is new), in the file's order.
    accounts: list = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        text = (
            f"Школ создано: {len(self.schools_created)}, обновлено: "
            f"{len(self.schools_updated)}. Учётных записей заместителей создано: "
            f"{len(self.users_created)}, уже были: {len(self.users_existing)}."
        )
        if self.dry_run:
            return "Проверка прошла, ничего не записано. Будет так: " + text
        if self.invitations_sent or self.invitations_failed:
            text += (
                f" Писем со ссылкой для установки пароля отправлено: {len(self.invitations_sent)}."
            )
        if self.invitations_failed:
            text += (
                f" Не отправлено: {len(self.invitations_failed)} (почтовый сервер недоступен); "
                "отправьте их позже действием «Отправить ссылку для установки пароля»."
            )
        return text


@transaction.atomic
def schools_import(
    *,
    rows: list[SchoolRow],
    by,
    request=None,
    site_url: str | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Create or update schools and create their deputy directors' accounts.

    All or nothing: when any row is wrong, ImportRejected lists every problem and
    nothing is written. A school is matched by ИНН: one that exists gets the
    file's names, municipality and director (importing the same list twice changes
    nothing); a deputy whose account already exists for that school and e-mail is
    left as is and not invited again. New accounts have no usable password, are
    in the deputy role group and get an e-mail with a link to set the password,
    sent after the transaction commits. `by` is who imports (for the log).
    """
    from plans.models import Municipality

    # The importer's region's municipalities; a command (`by` None): the default region's.
    errors = validate_rows(rows, Municipality.objects.for_user(by) if by is not None else None)
    if errors:
        raise ImportRejected(errors)
    result = ImportResult(dry_run=dry_run)
    result.accounts = [(row.short_name, row.username, not row.existing_user_id) for row in rows]
    if dry_run:
        for row in rows:
            (result.schools_updated if row.school_id else result.schools_created).append(row)
            (result.users_existing if row.existing_user_id else result.users_created).append(row)
        return result

    group = ensure_roles()[DEPUTY]
    existing = School.objects.in_bulk([row.school_id for row in rows if row.school_id])
    for row in rows:
        school = existing.get(row.school_id) or School(inn=row.inn)
        school.full_name = row.full_name
        school.short_name = row.short_name
        school.municipality_id = row.municipality_id
        school.director_name = row.director_name
        school.director_position = row.director_position or DEFAULT_DIRECTOR_POSITION
        (result.schools_updated if school.pk else result.schools_created).append(school)
        school.full_clean()
        school.save()

        if row.existing_user_id:
            result.users_existing.append(row.existing_user_id)
            continue
        last_name, first_name = split_name(row.deputy_name)
        user = User(
            username=row.username,
            email=row.deputy_email,
            last_name=last_name,
            first_name=first_name,
            school=school,
            position=DEPUTY_POSITION,
        )
        # No password until the deputy sets one through the link in the e-mail.
        user.set_unusable_password()
        user.save()
        user.groups.add(group)
        result.users_created.append(user)

    logger.info(
        "schools_import by user %s: %d schools created, %d updated, %d accounts created",
        getattr(by, "pk", None),
        len(result.schools_created),
        len(result.schools_updated),
        len(result.users_created),
    )
    users = list(result.users_created)

    def invite_all():
        for user in users:
            if user_invite_send(user=user, request=request, site_url=site_url):
                result.invitations_sent.append(user)
            else:
                result.invitations_failed.append(user)

    # Mail goes out only after the commit: a rolled-back import must not leave
    # people holding links to accounts that do not exist.
    transaction.on_commit(invite_all)
    return result


def password_set_url(user, *, request=None, site_url: str | None = None) -> str:
    """The one-time link of Django's password reset (django.contrib.auth.urls) for
    `user`; it stops working once the password is set or after
    PASSWORD_RESET_TIMEOUT."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    if request is not None:
        return request.build_absolute_uri(path)
    base = site_url or getattr(settings, "SITE_URL", "") or default_site_url()
    return base.rstrip("/") + path


def default_site_url() -> str:
    hosts = [
        host
        for host in settings.ALLOWED_HOSTS
        if host not in ("*", "") and not host.startswith(".")
    ]
    if not hosts:
        return "http://127.0.0.1:8000"
    scheme = "http" if settings.DEBUG else "https"
    port = ":8000" if settings.DEBUG else ""
    return f"{scheme}://{hosts[0]}{port}"


def user_invite_send(*, user, request=None, site_url: str | None = None) -> bool:
    """E-mail `user` a link to set a password. False when the mail could not be sent:
    a mail server that is down must not undo the accounts already created."""
    days = max(1, settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60))
    school = user.school.short_name if user.school_id else "Профплан"
    body = (
        f"Здравствуйте, {user.first_name or user.username}!\n\n"
        f"Для вас создана учётная запись в Профплане – системе планов профориентации "
        f"школ Кабардино-Балкарской Республики ({school}).\n\n"
        f"Логин: {user.username}\n\n"
        f"Чтобы задать пароль, откройте ссылку (она действует {days} дн. и только один раз):\n"
        f"{password_set_url(user, request=request, site_url=site_url)}\n\n"
        "Если ссылка устарела, попросите региональный центр отправить её повторно.\n"
        "Если вы не ждали этого письма, просто не отвечайте на него."
    )
    try:
        send_mail(
            "Профплан: задайте пароль для входа",
            body,
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
        )
    except Exception:  # SMTP errors, refused connections, timeouts
        # No address or name in the log: personal data (152-ФЗ).
        logger.exception("invitation to user %s not sent", user.pk)
        return False
    return True
