"""Who may see or change what: the one place that reads a user's role.

Roles (accounts/roles.py) follow from three things on the user:
- `is_staff` (or `is_superuser`): a regional centre. It sees every school of its
  `region`, reviews plans, reopens approved ones, sends recommendations and writes
  the region's templates. Staff without a region see nothing of any region; only a
  superuser without a region sees them all.
- `is_ministry` (with a `region`): the ministry. Reads what the centre reads of its
  region – plans, their documents, execution, the dashboard, the consolidated
  workbook and the archive – and changes nothing; no admin. It reads no one by name
  and downloads no evidence (`sees_people`).
- `municipality`: a municipal coordinator. Reads the schools of the municipality.
- `school`: one of the school's people, by `school_role`. The deputy director sees the
  own school and is the only one who writes its plan, answers remarks and
  recommendations, fills in its reports and keeps its team. A team member sees the
  school's plans and marks the execution of the rows assigned to them (of any row,
  when the deputy allows it: `marks_any_row`), and answers remarks on those rows.
An inactive or anonymous user sees nothing.

Regions: a school, its plans, reports and recommendations belong to the region of
its municipality; a year's template (SchoolYear), its campaigns and their documents
to the year's region. Nobody sees another region's data; a school and a coordinator
see the templates and campaigns of their own region.

Two kinds of answer:
- scopes narrow a queryset to what the user may see (`scope`) or change
  (`scope_own_school`); another school's object is then simply not found (404).
  `Plan.objects.for_user()` and the other `for_user()` queryset methods call them.
- predicates answer one question about a user (and an object) without a query; views,
  the admin, services and, through `context`, templates ask them (`access.sees_region`).
"""


def signed_in(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def sees_region(user) -> bool:
    """The regional centre: every school of the region, and acts on it."""
    return signed_in(user) and (user.is_staff or user.is_superuser)


def is_ministry(user) -> bool:
    """The ministry: reads its region as the centre does, changes nothing."""
    return signed_in(user) and getattr(user, "is_ministry", False) and not sees_region(user)


def reads_region(user) -> bool:
    """Every school of a region, to read: the centre and the ministry."""
    return sees_region(user) or is_ministry(user)


def sees_people(user) -> bool:
    """Who did what, by name, and the evidence files themselves: everyone who reads a
    plan but the ministry. The ministry reads the region without personal data beyond
    what the documents print (their «Ответственные, исполнители» column, as the school
    wrote it): the names of who marked a row, uploaded a file, wrote a remark or
    changed the plan's status become «школа» / «региональный центр», and evidence
    (photos may show pupils) is counted, not downloaded."""
    return signed_in(user) and not is_ministry(user)


def may_download_evidence(user) -> bool:
    """An evidence file of a plan the user sees (`Plan.objects.for_user`): not for the
    ministry (`sees_people`)."""
    return sees_people(user)


def sees_municipality(user) -> bool:
    """A municipal coordinator: the schools of one municipality, read only."""
    return (
        signed_in(user)
        and not reads_region(user)
        and getattr(user, "municipality_id", None) is not None
    )


def is_school_user(user) -> bool:
    """One of a school's people: its deputy director or a member of its team. Sees the
    own school's plans."""
    return signed_in(user) and getattr(user, "school_id", None) is not None


def is_school_deputy(user) -> bool:
    """The school's deputy director: writes for the school."""
    return is_school_user(user) and user.school_role == "deputy"


def is_team_member(user) -> bool:
    """A member of a school's team (педагог-навигатор, классный руководитель, …): reads
    the school's plans, marks the rows assigned to them."""
    return is_school_user(user) and user.school_role == "member"


def belongs_to(user, school_id) -> bool:
    """The user is this school's deputy director: only they write for the school (its
    plan, its answers, its reports, its team). A team member's rights are row by row
    (`may_mark_row`)."""
    return is_school_deputy(user) and user.school_id == school_id


def in_school(user, school_id) -> bool:
    """The user is one of this school's people, deputy or team member."""
    return is_school_user(user) and user.school_id == school_id


def may_manage_team(user, school_id) -> bool:
    """Add, invite, remove the school's team members and assign rows: the deputy."""
    return belongs_to(user, school_id)


def may_mark_row(user, plan, assignee_ids) -> bool:
    """Mark a row's execution and attach its evidence: the deputy on any row; a team
    member of the school on the rows assigned to them (`assignee_ids`: the row's
    assignees' ids), or on any row when allowed (`marks_any_row`). An approved plan
    only. No query."""
    return plan.status == "approved" and row_is_theirs(user, plan, assignee_ids)


def row_is_theirs(user, plan, assignee_ids) -> bool:
    """The row is the user's to mark once the plan is approved: the deputy's (any row),
    or a team member's assigned to it (any row with `marks_any_row`). No query."""
    if belongs_to(user, plan.school_id):
        return True
    return (
        is_team_member(user)
        and user.school_id == plan.school_id
        and (user.marks_any_row or user.pk in set(assignee_ids))
    )


def may_answer_row_comments(user, plan, assignee_ids) -> bool:
    """Answer a remark on a row: the deputy, or the team member the row is assigned to."""
    if belongs_to(user, plan.school_id):
        return True
    return (
        is_team_member(user) and user.school_id == plan.school_id and user.pk in set(assignee_ids)
    )


def may_edit_plan(user, plan) -> bool:
    """Change the plan's text: the school's own people, while it is a draft or returned."""
    return belongs_to(user, plan.school_id) and plan.is_editable


def may_answer_comments(user, plan) -> bool:
    """Answer and resolve the centre's remarks: the school, whatever the plan's status."""
    return belongs_to(user, plan.school_id)


def may_write_self_analysis(user, plan) -> bool:
    """Section V is written at the end of the year, after approval too: the school only."""
    return belongs_to(user, plan.school_id)


def may_record_execution(user, plan) -> bool:
    """Mark rows done and attach evidence: the school's own people, on an approved plan.
    Whoever sees the plan reads its execution."""
    return belongs_to(user, plan.school_id) and plan.status == "approved"


def may_edit_report(user, report, today) -> bool:
    """Fill in a monitoring report: the school, once the campaign opened, until submitted."""
    return (
        belongs_to(user, report.school_id)
        and not report.is_submitted
        and report.campaign.has_opened(today)
    )


def may_answer_recommendation(user, recommendation) -> bool:
    """Coordinators and the centre read a recommendation; only the school answers it."""
    return belongs_to(user, recommendation.school_id)


def may_import_plan(user, school_id) -> bool:
    """Bring a plan in from a Word file: the school itself (on the site), or the regional
    centre for a chosen school of its region (in the admin, for its bulk migration).
    One query for the centre's staff."""
    from plans.models import School

    if belongs_to(user, school_id):
        return True
    return sees_region(user) and scope(School.objects, user, "").filter(pk=school_id).exists()


def may_review(user) -> bool:
    """Decide on plans (return, approve, reopen) and send recommendations: the centre."""
    return sees_region(user)


def may_submit_plan(user, plan) -> bool:
    """Submit the plan for review: the school's own people (whether the plan may be
    submitted now is the workflow's rule)."""
    return belongs_to(user, plan.school_id)


def may_review_plan(user, plan) -> bool:
    """Return, approve or reopen this plan: the centre of the plan's own region.
    Reads `plan.school.municipality` (no query when it is selected with the plan)."""
    return may_review(user) and in_region(user, plan.school.municipality.region_id)


def may_use_admin(user) -> bool:
    """Django's own rule for the admin site (`AdminSite.has_permission`)."""
    return signed_in(user) and user.is_staff


def must_use_second_factor(user) -> bool:
    """Sign in with a one-time code as well as the password: every account whose access
    is wider than one school or one municipality – the regional centre (its staff see
    and change every school of a region, and open the admin), the ministry (reads a
    whole region) and the superusers. Schools and coordinators may turn the code on for
    themselves (`may_turn_off_second_factor`). Read from the user's fields alone (no
    query): the rule holds whatever DEBUG is (accounts/middleware.py asks it on every
    request)."""
    return signed_in(user) and (user.is_staff or user.is_superuser or is_ministry(user))


def may_turn_off_second_factor(user) -> bool:
    """A school's or a coordinator's own choice; never for those who must use it."""
    return signed_in(user) and not must_use_second_factor(user)


def may_see_dashboard(user) -> bool:
    """The monitoring dashboard: the region for the centre and the ministry, a
    municipality for a coordinator."""
    return reads_region(user) or sees_municipality(user)


def may_author_templates(user) -> bool:
    """Write, publish and download the regional template of a year (its preamble, Table 1,
    levels, catalogue) and start a new year: the centre's staff, never a school or a
    coordinator."""
    return sees_region(user)


def may_export_consolidated(user) -> bool:
    """The consolidated workbook of many schools' plans and the region's archive: the
    centre, the ministry and coordinators."""
    return reads_region(user) or sees_municipality(user)


def may_fetch_document(user, document) -> bool:
    """A rendered file (plans.Document): one plan's if the user sees the plan; a
    file of many plans if it lies within the user's scope (the whole region for
    the centre, the municipality for its coordinator), a hand-picked selection
    only for the one who picked it."""
    from plans.models import Plan

    if not signed_in(user):
        return False
    if document.kind in ("template_pdf", "template_docx"):
        return may_author_templates(user) and _sees_year(user, document.year_id)
    if document.plan_id:
        return Plan.objects.for_user(user).filter(pk=document.plan_id).exists()
    if document.plan_ids:
        return document.requested_by_id == user.pk
    if reads_region(user):
        return _sees_year(user, document.year_id)
    return sees_municipality(user) and document.municipality_id == user.municipality_id


def _sees_year(user, year_id) -> bool:
    """The year (and so its region) is the user's. One query, none for a superuser
    without a region."""
    from plans.models import SchoolYear

    if is_unconfined(user):
        return True
    return year_id is not None and SchoolYear.objects.for_user(user).filter(pk=year_id).exists()


# --- Scopes ------------------------------------------------------------------


def is_unconfined(user) -> bool:
    """A superuser without a region: every region's data (the site's administrator)."""
    return signed_in(user) and user.is_superuser and getattr(user, "region_id", None) is None


def scope_region(queryset, user, region_field: str):
    """`queryset` narrowed to the region the user works in; `region_field` is the lookup
    that leads from its model to Region ("region", "year__region",
    "school__municipality__region"; "" for Region itself). The centre's region is
    `User.region`; a school's and a coordinator's follow from their municipality, by a
    join (no query of its own)."""
    key = region_field or "pk"
    prefix = f"{region_field}__" if region_field else ""
    if is_unconfined(user):
        return queryset
    if reads_region(user):
        region_id = getattr(user, "region_id", None)
        if region_id is None:  # staff not yet given a region: nothing, not everything
            return queryset.none()
        return queryset.filter(**{key: region_id})
    if is_school_user(user):
        return queryset.filter(**{f"{prefix}municipalities__schools": user.school_id})
    if sees_municipality(user):
        return queryset.filter(**{f"{prefix}municipalities": user.municipality_id})
    return queryset.none()


def in_region(user, region_id) -> bool:
    """The centre's staff member works in this region (a superuser without one: in all)."""
    return is_unconfined(user) or (
        sees_region(user) and region_id is not None and user.region_id == region_id
    )


def scope(queryset, user, school_field: str = "school"):
    """`queryset` narrowed to the schools `user` may see; `school_field` is the lookup
    that leads from its model to School ("school", "plan__school", "report__school";
    "" for School itself)."""
    prefix = f"{school_field}__" if school_field else ""
    if reads_region(user):
        return scope_region(queryset, user, f"{prefix}municipality__region")
    if is_school_user(user):
        return queryset.filter(**{f"{school_field}_id" if school_field else "pk": user.school_id})
    if sees_municipality(user):
        return queryset.filter(**{f"{prefix}municipality_id": user.municipality_id})
    return queryset.none()


def scope_own_school(queryset, user, school_field: str = "school"):
    """`queryset` narrowed to the deputy's own school: what the user may change. A team
    member changes nothing here (their marks: `may_mark_row`)."""
    if not is_school_deputy(user):
        return queryset.none()
    return queryset.filter(**{f"{school_field}_id": user.school_id})


def scope_campaigns(queryset, user):
    """Monitoring campaigns are regional and public to everyone of the region who
    signs in; a school sees the campaigns it reports in."""
    if not signed_in(user):
        return queryset.none()
    if is_school_user(user) and not sees_region(user):
        return queryset.filter(reports__school_id=user.school_id)
    return scope_region(queryset, user, "year__region")


def scope_users(queryset, user):
    """The accounts a centre's staff member manages in the admin: the region's centre
    staff, its coordinators and its schools' people; every account for a superuser
    without a region."""
    from django.db.models import Q

    if is_unconfined(user):
        return queryset
    region_id = getattr(user, "region_id", None)
    if not sees_region(user) or region_id is None:
        return queryset.none()
    return queryset.filter(
        Q(region_id=region_id)
        | Q(municipality__region_id=region_id)
        | Q(school__municipality__region_id=region_id)
    )


def reviewers(region_id=None):
    """Active members of a regional centre who get its e-mail: of the region
    `region_id` when given."""
    from django.contrib.auth import get_user_model

    from .roles import REGIONAL

    staff = get_user_model().objects.filter(is_active=True, is_staff=True, groups__name=REGIONAL)
    return staff if region_id is None else staff.filter(region_id=region_id)


# --- Templates -----------------------------------------------------------------


class Access:
    """The predicates about one user, for templates: `{% if access.sees_region %}`."""

    PREDICATES = (
        "sees_region",
        "reads_region",
        "is_ministry",
        "sees_people",
        "sees_municipality",
        "is_school_user",
        "is_school_deputy",
        "is_team_member",
        "may_review",
        "may_use_admin",
        "may_see_dashboard",
        "may_export_consolidated",
        "may_author_templates",
        "must_use_second_factor",
    )

    def __init__(self, user):
        self.user = user

    def __getattr__(self, name):
        if name not in self.PREDICATES:
            raise AttributeError(name)
        return globals()[name](self.user)


def context(request) -> dict:
    """Context processor: `access` in every template rendered with a request."""
    from django.contrib.auth.models import AnonymousUser

    user = request.user if hasattr(request, "user") else AnonymousUser()
    return {"access": Access(user)}  # lazy: the user is read when a template asks
