"""Identifiers from outside: a path, a query string, a hidden field, an admin action.

A malformed one («abc», «1.5», «-1», a NUL byte, a number no key column can hold)
is answered like an unknown one, with the Russian 404 page, never with a ValueError
or an overflow in the database (a server error). Django already turns an
out-of-range number in an exact lookup into «no such row»; `pk__in` and `int()`
are where it does not.
"""

from django.core.exceptions import BadRequest, ValidationError
from django.db import connections, router
from django.http import Http404

# bigint: the widest key column of SQLite and PostgreSQL.
MAX_ID = 2**63 - 1


def parse_id(value) -> int | None:
    """A positive integer id written in ASCII digits, or None."""
    text = "" if value is None else str(value)
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def id_or_404(value) -> int:
    number = parse_id(value)
    if number is None:
        raise Http404("Нет такого объекта.")
    return number


def check_keys(model, values) -> None:
    """Raise BadRequest unless every value can be looked up as `model`'s primary key
    (the ids of the rows ticked in an admin list, `_selected_action`)."""
    field = model._meta.pk
    connection = connections[router.db_for_read(model)]
    internal = field.get_internal_type()
    # Integer keys have a range; others (a UUID, text) have none to check.
    bounds = (
        connection.ops.integer_field_range(internal)
        if internal in connection.ops.integer_field_ranges
        else (None, None)
    )
    for value in values:
        try:
            key = field.to_python(value)
        except ValidationError:
            raise BadRequest("Неверный номер записи.") from None
        if isinstance(key, int):
            low, high = bounds
            if (low is not None and key < low) or (high is not None and key > high):
                raise BadRequest("Неверный номер записи.")
        elif key is None or "\x00" in str(key):
            raise BadRequest("Неверный номер записи.")
