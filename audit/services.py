"""The audit trail's one door: `audit_record()` writes one event.

Writing an event never breaks the request that causes it: a failure is logged, not
raised. It is one INSERT: what the event concerns (the school, the region) is taken
from objects the caller has loaded already, and what is not loaded is looked up by a
subquery inside that INSERT, so a download with auditing costs exactly one query more
than without.

Other code records with `audit_record(kind=…, request=…, …)`, or, for a signal of its
own, connects `audit_receiver(kind)` to it (see there).
"""

import ipaddress
import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import router, transaction
from django.db.models import Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import AuditEvent, AuditKind

logger = logging.getLogger(__name__)

DETAIL_MAX = AuditEvent._meta.get_field("detail").max_length
USERNAME_MAX = AuditEvent._meta.get_field("username").max_length

# Documents (plans.DocumentKind) and the event their download is; a regional
# template's file is not a school's document and is not recorded.
DOCUMENT_KINDS = {
    "plan_pdf": AuditKind.PLAN_DOCUMENT,
    "plan_docx": AuditKind.PLAN_DOCUMENT,
    "plan_xlsx": AuditKind.PLAN_DOCUMENT,
    "archive": AuditKind.REGION_ARCHIVE,
    "consolidated": AuditKind.CONSOLIDATED,
}


def audit_record(
    *,
    kind: AuditKind,
    request=None,
    user=None,
    username: str | None = None,
    account=None,
    school=None,
    plan=None,
    region=None,
    detail: str = "",
) -> None:
    """Record that `user` (by default the signed-in user of `request`) did `kind`.

    - `username`: the login as typed, when nobody is signed in (a failed sign-in):
      the account of that login, if there is one, becomes `user`, by a subquery.
    - `account`: the account the event concerns when it is not the actor's own (a
      password set by an administrator, a colleague's role or device).
    - `plan`, `school`, `region`: what the event concerns, for the admin's filters
      and the region's scope; by default the account's (or the actor's) school and
      region. Instances or ids.
    - `detail`: a short text saying what (a file's name, which role).
    """
    try:
        event = _event(
            kind=kind,
            request=request,
            user=user,
            username=username,
            account=account,
            school=school,
            plan=plan,
            region=region,
            detail=detail,
        )
        _insert(event)
    except Exception:
        # The trail must not cost anybody their download or sign-in.
        logger.exception("audit event %s not recorded", kind)


def audit_document_download(*, request, document) -> None:
    """A stored plans.Document served: a plan's file, the archive or the workbook.
    Reads only what the view has loaded (the document, its plan if joined)."""
    kind = DOCUMENT_KINDS.get(document.kind)
    if kind is None:
        return
    plan = _cached(document, "plan")
    year = _cached(document, "year")
    if year is not None:
        region = year.region_id
    elif document.year_id is not None:
        from plans.models import SchoolYear

        region = _scalar(SchoolYear.objects.filter(pk=document.year_id), "region_id")
    else:
        region = None
    school = None
    if plan is not None:
        school = plan.school_id
    elif document.plan_id is not None:
        from plans.models import Plan

        school = _scalar(Plan.objects.filter(pk=document.plan_id), "school_id")
    audit_record(kind=kind, request=request, school=school, region=region, detail=document.filename)


def audit_evidence_download(*, request, evidence) -> None:
    """An evidence file served; the view has joined its execution, row and plan."""
    execution = _cached(evidence, "execution")
    row = _cached(execution, "row") if execution is not None else None
    plan = _cached(row, "plan") if row is not None else None
    what = f"«{evidence.name}»"
    if row is not None:
        what += f", мероприятие: {row.activity}"
    if plan is None:  # not joined: the plan by subqueries, still one statement
        from plans.models import Plan

        plans = Plan.objects.filter(rows__execution__evidence=evidence.pk)
        audit_record(
            kind=AuditKind.EVIDENCE,
            request=request,
            school=_scalar(plans, "school_id"),
            region=_scalar(plans, "year__region_id"),
            detail=what,
        )
        return
    audit_record(kind=AuditKind.EVIDENCE, request=request, plan=plan, detail=what)


def audit_receiver(kind: AuditKind, detail: str = ""):
    """A receiver for a signal sent with `request` and `user` (whose the event is):
    `some_signal.connect(audit_receiver(AuditKind.OTP_FAILED), weak=False,
    dispatch_uid="audit.otp_failed")`. When the signed-in user is somebody else (a
    superuser resetting a colleague's device), that user is the actor and `user` the
    account concerned. A `device` argument, if sent, is named in the detail."""

    def receive(sender, request=None, user=None, **kwargs):
        actor = _signed_in(request)
        account = None
        if actor is None or user is None or actor.pk == user.pk:
            actor = user or actor
        else:
            account = user
        text = detail
        device = kwargs.get("device")
        if device is not None:
            text = " ".join(part for part in (detail, f"устройство «{device}»") if part)
        audit_record(kind=kind, request=request, user=actor, account=account, detail=text)

    return receive


def audit_prune(*, keep_days: int | None = None) -> int:
    """Delete events older than `keep_days` (PROFPLAN_AUDIT_KEEP_DAYS); how many went.
    One DELETE: nothing refers to an event."""
    days = settings.PROFPLAN_AUDIT_KEEP_DAYS if keep_days is None else keep_days
    deleted, _ = AuditEvent.objects.filter(at__lt=timezone.now() - timedelta(days=days)).delete()
    return deleted


# --- the event ---------------------------------------------------------------------


def client_address(request) -> str | None:
    """The client's IP address: REMOTE_ADDR, or, when PROFPLAN_AUDIT_IP_HEADER names
    the header our own proxy sets (X-Forwarded-For behind nginx), the last address in
    it — the one the proxy added. Earlier ones come from the client and could be
    anything, so they are never taken; without the setting the header is ignored."""
    if request is None:
        return None
    header = getattr(settings, "PROFPLAN_AUDIT_IP_HEADER", "")
    if header:
        forwarded = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        address = _valid_address(forwarded.rsplit(",", 1)[-1])
        if address:
            return address
    return _valid_address(request.META.get("REMOTE_ADDR", ""))


def _valid_address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def _signed_in(request):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _event(*, kind, request, user, username, account, school, plan, region, detail):
    actor = user if user is not None and user.is_authenticated else _signed_in(request)
    if username is None:
        username = actor.get_username() if actor is not None else ""
    if account is not None and (actor is None or account.pk != actor.pk):
        detail = f"учётная запись «{account.get_username()}»" + (f": {detail}" if detail else "")
    event = AuditEvent(
        kind=kind,
        user=actor,
        username=username[:USERNAME_MAX],
        address=client_address(request),
        detail=_one_line(detail)[:DETAIL_MAX],
    )
    concerned = account or actor
    if concerned is None and username and plan is None and school is None and region is None:
        # Nobody signed in, a login typed: the account of that login, if any.
        accounts = get_user_model().objects.filter(username=username)
        event.user_id = _scalar(accounts, "pk")
        event.school_id = _scalar(accounts, "school_id")
        event.region_id = _scalar(accounts.annotate(in_region=_USER_REGION), "in_region")
    elif plan is not None:
        event.school_id = plan.school_id
        event.region_id = _pk(region) if region is not None else _plan_region(plan)
    elif school is not None:
        event.school_id = _pk(school)
        event.region_id = _pk(region) if region is not None else _school_region(school)
    elif region is not None:
        event.region_id = _pk(region)
    elif concerned is not None:
        event.school_id = concerned.school_id
        event.region_id = _user_region(concerned)
    return event


def _insert(event: AuditEvent) -> None:
    connection = transaction.get_connection(router.db_for_write(AuditEvent))
    if any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks):
        # Within a transaction (the admin's save) a failed INSERT would break the
        # transaction for everything after it: a savepoint keeps it to ourselves.
        # A test case's own wrapping transaction does not count (as for Django's
        # `durable` check): a download there is what it is in production, one INSERT.
        with transaction.atomic(using=connection.alias):
            event.save(force_insert=True)
    else:
        event.save(force_insert=True)


def _pk(value):
    """A model instance's pk; an id or a subquery as it is."""
    return value.pk if hasattr(value, "_meta") else value


def _one_line(text) -> str:
    return " ".join(str(text).split())


def _cached(instance, name: str):
    """The related object `name` if it is loaded already, else None: reading an
    unloaded one would be a query of its own."""
    field = instance._meta.get_field(name)
    return field.get_cached_value(instance) if field.is_cached(instance) else None


def _scalar(queryset, field: str) -> Subquery:
    """`field` of the queryset's first row, as a subquery of the INSERT (NULL if none)."""
    return Subquery(queryset.order_by().values(field)[:1])


# A person's region: a centre's member has one; a school's and a coordinator's
# follow from their municipality.
_USER_REGION = Coalesce("region_id", "school__municipality__region_id", "municipality__region_id")


def _user_region(user):
    if user.region_id is not None:
        return user.region_id
    if user.school_id is not None:
        return _school_region(user.school_id)
    if user.municipality_id is not None:
        from plans.models import Municipality

        return _scalar(Municipality.objects.filter(pk=user.municipality_id), "region_id")
    return None


def _school_region(school):
    """A School or its id (or a subquery of it): its municipality's region, from the
    loaded municipality or by a subquery."""
    from plans.models import School

    if isinstance(school, School):
        municipality = _cached(school, "municipality")
        if municipality is not None:
            return municipality.region_id
        school = school.pk
    return _scalar(School.objects.filter(pk=school), "municipality__region_id")


def _plan_region(plan):
    year = _cached(plan, "year")
    if year is not None:
        return year.region_id
    from plans.models import SchoolYear

    return _scalar(SchoolYear.objects.filter(pk=plan.year_id), "region_id")
