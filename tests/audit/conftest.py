import pytest
from django.contrib.auth.hashers import make_password
from django.forms import MultiWidget
from django.urls import reverse

from accounts.roles import REGIONAL, ensure_roles
from audit.models import AuditEvent

PASSWORD = "верный-пароль-42"
SCHOOL_ADDRESS = "10.0.0.7"


def events(**filters) -> list[AuditEvent]:
    """The trail, oldest first."""
    return list(AuditEvent.objects.filter(**filters).order_by("at", "pk"))


def kinds() -> list[str]:
    return [event.kind for event in events()]


def sign_in(client, username, password=PASSWORD, address=SCHOOL_ADDRESS, **extra):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address, **extra
    )


def with_password(user):
    """`user` with PASSWORD, stored as a hash: set_password() would be a password
    change of its own in the trail."""
    type(user).objects.filter(pk=user.pk).update(password=make_password(PASSWORD))
    user.refresh_from_db()
    return user


def admin_form_data(form, **changes) -> dict:
    """An admin change form's current values as the browser would post them, changed."""
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if isinstance(field.widget, MultiWidget):
            for index, part in enumerate(field.widget.decompress(value)):
                if part is not None:
                    data[f"{name}_{index}"] = str(part)
            continue
        if value is None or value is False:
            continue
        if isinstance(value, (list, tuple)) or hasattr(value, "all"):
            items = value.all() if hasattr(value, "all") else value
            data[name] = [getattr(item, "pk", item) for item in items]
        else:
            data[name] = getattr(value, "pk", value)
    data.update(changes)
    return data


@pytest.fixture
def centre(reviewer):
    """The regional centre's member, with the role's rights in the admin."""
    reviewer.groups.add(ensure_roles()[REGIONAL])
    return reviewer
