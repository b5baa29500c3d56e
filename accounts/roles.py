"""Roles are Django groups with exactly the permissions they need.

A deputy director, a school's team member, a municipal coordinator and the ministry
work in the site UI only (no admin); their scope comes from User.school /
User.municipality / User.region with User.is_ministry. The regional
centre works in the admin: it reads everything and edits reference data, but a
school's text stays the school's.
"""

from django.contrib.auth.models import Group, Permission

REGIONAL = "Региональный центр"
DEPUTY = "Заместитель директора"
COORDINATOR = "Муниципальный координатор"
TEAM_MEMBER = "Участник команды школы"
MINISTRY = "Министерство"
ADMINISTRATOR = "Администратор"

MONITORING_REFERENCE = ["indicator", "sector", "campaign", "recommendation"]
MONITORING_SCHOOL_DATA = [
    "report",
    "reportvalue",
    "surveycount",
    "surveysectorcount",
    "planindicator",
    "selfanalysis",
]
REFERENCE_MODELS = [
    "schoolyear",
    "level",
    "direction",
    "templateitem",
    "municipality",
    "school",
    "activitytemplate",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    REGIONAL: (
        [
            f"plans.{action}_{model}"
            for model in REFERENCE_MODELS
            for action in ("view", "add", "change")
        ]
        + [
            "plans.view_plan",
            "plans.change_plan",
            "plans.view_planrow",
            "plans.view_plangrade",
            "plans.view_plansubmission",
            "plans.view_planevent",
            "plans.view_plancomment",
            "plans.add_plancomment",
            "plans.view_rowexecution",
            "plans.view_evidence",
            # Onboarding schools: importing deputies creates their accounts.
            "accounts.view_user",
            "accounts.add_user",
            # The audit trail of the region, read only (audit/admin.py).
            "audit.view_auditevent",
        ]
        + [
            f"monitoring.{action}_{model}"
            for model in MONITORING_REFERENCE
            for action in ("view", "add", "change")
        ]
        + [f"monitoring.view_{model}" for model in MONITORING_SCHOOL_DATA]
    ),
    DEPUTY: [],
    TEAM_MEMBER: [],  # the site only: marks the rows assigned to them (access.may_mark_row)
    MINISTRY: [],  # the site only, read only: no admin (accounts/access.py, reads_region)
    COORDINATOR: [],
    ADMINISTRATOR: [],  # the administrator is a superuser; the group names the role
}


def ensure_roles() -> dict[str, Group]:
    """Create or update the role groups; idempotent. Runs after every migrate
    (accounts/apps.py), so the groups always match this file."""
    wanted = {tuple(dotted.split(".")) for names in ROLE_PERMISSIONS.values() for dotted in names}
    found = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.select_related("content_type").filter(
            codename__in={codename for _, codename in wanted}
        )
    }
    missing = sorted(".".join(key) for key in wanted if key not in found)
    if missing:
        raise LookupError(f"permissions missing (run migrate first?): {', '.join(missing)}")
    groups = {}
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set([found[tuple(dotted.split("."))] for dotted in codenames])
        groups[name] = group
    return groups
