"""Roles are Django groups with exactly the permissions they need.

A deputy director and a municipal coordinator work in the site UI only (no
admin); their scope comes from User.school / User.municipality. The regional
centre works in the admin: it reads everything and edits reference data, but a
school's text stays the school's.
"""

from django.contrib.auth.models import Group, Permission

REGIONAL = "Региональный центр"
DEPUTY = "Заместитель директора"
COORDINATOR = "Муниципальный координатор"
ADMINISTRATOR = "Администратор"

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
            "accounts.view_user",
        ]
    ),
    DEPUTY: [],
    COORDINATOR: [],
    ADMINISTRATOR: [],  # the administrator is a superuser; the group names the role
}


def ensure_roles() -> dict[str, Group]:
    """Create or update the role groups; idempotent."""
    groups = {}
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = []
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission:
                permissions.append(permission)
        group.permissions.set(permissions)
        groups[name] = group
    return groups
