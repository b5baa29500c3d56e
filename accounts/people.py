"""How a person who did something (wrote a remark, changed a plan's status, marked a
row, uploaded a file) is named to a reader: by name, or – to a reader who does not
see people (`access.sees_people`: the ministry) – by the side they act for."""


def side(person) -> str:
    """«региональный центр», «школа», …: whom `person` acts for, without their name.
    Read from the user's fields alone (no query)."""
    if person.is_staff or person.is_superuser:
        return "региональный центр"
    if person.school_id:
        return "школа"
    if person.municipality_id:
        return "муниципальный координатор"
    if getattr(person, "is_ministry", False):
        return "министерство"
    return "—"


def signature(person, *, names: bool) -> str:
    """`person` as the reader sees them: `str(person)` when the reader sees names
    (`names`), their side otherwise; "" for nobody (the system, a deleted account)."""
    if person is None:
        return ""
    return str(person) if names else side(person)
