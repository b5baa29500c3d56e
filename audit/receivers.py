"""What Django itself tells: sign-ins, sign-outs, failed sign-ins, passwords set, and
changes of what an account may see (its roles, staff flags, region, school).

These come from Django's signals rather than from our views, so the admin's user
page, the password pages of django.contrib.auth, the import of schools and
`manage.py ensure_roles` are all covered, and django-axes (which listens to the
same sign-in signals) keeps working as before: it is connected first and decides
on lockouts; we only record.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save, pre_save

from accounts.signals import device_changed, otp_failed, otp_verified

from .models import AuditKind
from .services import audit_receiver, audit_record

# What an account may see or do besides its roles (groups); a change of any is
# recorded, with the values before and after.
TRACKED = (
    "is_staff",
    "is_superuser",
    "is_ministry",
    "region_id",
    "school_id",
    "municipality_id",
)
_NEW_ACCOUNT = {"is_staff": False, "is_superuser": False, "is_ministry": False, "region_id": None}

LOCKED_OUT = "вход заблокирован после повторных неудачных попыток"


def connect() -> None:
    User = get_user_model()
    user_logged_in.connect(on_logged_in, dispatch_uid="audit.logged_in")
    user_login_failed.connect(on_login_failed, dispatch_uid="audit.login_failed")
    user_logged_out.connect(on_logged_out, dispatch_uid="audit.logged_out")
    pre_save.connect(before_user_save, sender=User, dispatch_uid="audit.user_pre_save")
    post_save.connect(after_user_save, sender=User, dispatch_uid="audit.user_post_save")
    m2m_changed.connect(
        on_groups_changed, sender=User.groups.through, dispatch_uid="audit.user_groups"
    )
    otp_verified.connect(on_otp_verified, dispatch_uid="audit.otp_verified")
    otp_failed.connect(on_otp_failed, dispatch_uid="audit.otp_failed")
    device_changed.connect(on_device_changed, dispatch_uid="audit.device_changed")


def current_request():
    """The request being served, if any: django-simple-history's middleware keeps it
    for the same purpose (who changed a plan), so no middleware of ours is needed.
    None in management commands and tasks."""
    from simple_history.models import HistoricalRecords

    return getattr(HistoricalRecords.context, "request", None)


def _where(request) -> str:
    path = getattr(request, "path", "") or ""
    return "в админку" if path.startswith("/admin/") else "на сайт"


# --- signing in and out ------------------------------------------------------------


def on_logged_in(sender, request, user, **kwargs):
    audit_record(kind=AuditKind.LOGIN, request=request, user=user, detail=_where(request))


def on_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get(get_user_model().USERNAME_FIELD) or "")
    detail = _where(request)
    # django-axes has already counted this attempt: it marks the request when the
    # account is (now) locked out for AXES_COOLOFF_TIME.
    if getattr(request, "axes_locked_out", False):
        detail = f"{detail}; {LOCKED_OUT}"
    audit_record(kind=AuditKind.LOGIN_FAILED, request=request, username=username, detail=detail)


def on_logged_out(sender, request, user, **kwargs):
    if user is not None:  # logging out without a session records nothing
        audit_record(kind=AuditKind.LOGOUT, request=request, user=user)


# --- an account's password, staff flags, region, school ------------------------------


def before_user_save(sender, instance, raw=False, update_fields=None, **kwargs):
    """Remember what the account could see before this save (one query, and only for
    a save that may change it: signing in saves `last_login` alone)."""
    instance._audit_before = None
    if raw:
        return
    if instance._state.adding:
        instance._audit_before = _NEW_ACCOUNT
        return
    if update_fields is not None and not {name.removesuffix("_id") for name in TRACKED} & {
        name.removesuffix("_id") for name in update_fields
    }:
        return
    instance._audit_before = sender._default_manager.filter(pk=instance.pk).values(*TRACKED).first()


def after_user_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    request = current_request()
    actor = getattr(request, "user", None)
    if actor is not None and not actor.is_authenticated:
        actor = None
    # AbstractBaseUser.save() clears `_password` only after this signal: it is set
    # when this save stores a new password (set_password()).
    if not created and getattr(instance, "_password", None) is not None:
        _password_set(request, actor, instance)
    before = getattr(instance, "_audit_before", None)
    instance._audit_before = None
    if before:
        _changes(request, actor, instance, before)


def _password_set(request, actor, account):
    match = getattr(request, "resolver_match", None)
    by_link = match is not None and match.url_name == "password_reset_confirm"
    kind = AuditKind.PASSWORD_RESET if by_link else AuditKind.PASSWORD_CHANGE
    if request is None:
        audit_record(kind=kind, account=account, detail="командой на сервере")
        return
    # The holder of a reset link is not signed in: the account sets its own.
    audit_record(kind=kind, request=request, user=actor or account, account=account)


def _changes(request, actor, account, before):
    from plans.models import Municipality, Region, School

    def changed(name):
        return name in before and before[name] != getattr(account, name)

    roles = []
    if changed("is_staff"):
        roles.append("доступ в админку " + ("открыт" if account.is_staff else "закрыт"))
    if changed("is_superuser"):
        roles.append("права суперпользователя " + ("даны" if account.is_superuser else "сняты"))
    if changed("is_ministry"):
        roles.append(
            "министерство: " + ("чтение региона открыто" if account.is_ministry else "снято")
        )
    if roles:
        audit_record(
            kind=AuditKind.ROLE_CHANGE,
            request=request,
            user=actor,
            account=account,
            detail="; ".join(roles),
        )
    if changed("region_id"):
        audit_record(
            kind=AuditKind.REGION_CHANGE,
            request=request,
            user=actor,
            account=account,
            detail=_was_now(Region, before["region_id"], account.region_id, "регион"),
        )
    places = [
        _was_now(School, before["school_id"], account.school_id, "школа", "short_name")
        if changed("school_id")
        else "",
        _was_now(Municipality, before["municipality_id"], account.municipality_id, "муниципалитет")
        if changed("municipality_id")
        else "",
    ]
    if any(places):
        audit_record(
            kind=AuditKind.PLACE_CHANGE,
            request=request,
            user=actor,
            account=account,
            detail="; ".join(place for place in places if place),
        )


def _was_now(model, was, now, label, field="name") -> str:
    names = dict(model._default_manager.filter(pk__in=[was, now]).values_list("pk", field))
    return f"{label}: {names.get(was, 'нет')} → {names.get(now, 'нет')}"


# --- roles (groups) -------------------------------------------------------------------


def on_groups_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """`user.groups.add/remove/clear/set` (the admin's user page, the import of
    schools, ensure_roles) and the same from a group's side."""
    from django.contrib.auth.models import Group

    User = get_user_model()
    if action == "pre_clear":
        # Which roles (or members) are about to go: clear() does not say afterwards.
        related = instance.user_set if reverse else instance.groups
        instance._audit_cleared = set(related.values_list("pk", flat=True))
        return
    if action == "post_clear":
        pk_set, action = getattr(instance, "_audit_cleared", set()), "post_remove"
    if action not in ("post_add", "post_remove") or not pk_set:
        return
    verb = "назначена роль" if action == "post_add" else "снята роль"
    request = current_request()
    actor = getattr(request, "user", None)
    if actor is not None and not actor.is_authenticated:
        actor = None
    if reverse:  # group.user_set.add(…): one event per account
        text = f"{verb} «{instance.name}»"
        for account in User._default_manager.filter(pk__in=pk_set):
            audit_record(
                kind=AuditKind.ROLE_CHANGE,
                request=request,
                user=actor,
                account=account,
                detail=text,
            )
        return
    names = sorted(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True))
    text = f"{verb} " + ", ".join(f"«{name}»" for name in names)
    audit_record(
        kind=AuditKind.ROLE_CHANGE, request=request, user=actor, account=instance, detail=text
    )


# --- the second factor (accounts/signals.py) ---------------------------------------

OTP_METHODS = {"totp": "код из приложения", "recovery": "код восстановления"}
OTP_REASONS = {
    "wrong": "неверный код",
    "replayed": "код, который уже был использован",
    "throttled": "слишком много неверных кодов подряд",
    "enrolment": "неверный первый код при подключении приложения",
}
DEVICE_ACTIONS = {
    "enrolled": "приложение-аутентификатор подключено, выданы коды восстановления",
    "reset": "второй фактор сброшен суперпользователем",
    "disabled": "второй фактор отключён",
    "recovery_codes": "выданы новые коды восстановления",
}


def on_otp_verified(sender, request=None, user=None, method="", remaining=None, **kwargs):
    detail = OTP_METHODS.get(method, method)
    if remaining is not None:
        detail += f"; осталось кодов восстановления: {remaining}"
    audit_receiver(AuditKind.OTP_PASSED, detail)(sender, request=request, user=user)


def on_otp_failed(sender, request=None, user=None, reason="", **kwargs):
    detail = OTP_REASONS.get(reason, reason)
    audit_receiver(AuditKind.OTP_FAILED, detail)(sender, request=request, user=user)


def on_device_changed(sender, request=None, user=None, action="", **kwargs):
    detail = DEVICE_ACTIONS.get(action, action)
    audit_receiver(AuditKind.DEVICE_CHANGE, detail)(sender, request=request, user=user)
