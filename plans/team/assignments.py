"""Who of the school's team carries out a row (item 2 of issue 22): the services that
assign, the reads that show assignments on many rows at once, and the pure functions
that word an assignee for the document's column and find team members' names in it.

Assigning is the deputy's (`access.may_manage_team`) and works whatever the plan's
status: the deputy assigns during the year too. It never touches the plan's text nor
`Plan.version` (the editor's cache key and the frozen PDFs depend on it); only the
explicit «Записать в графу «Ответственные, исполнители»» writes the row's text, through
`plan_row_update`, as any edit does.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from accounts import access
from accounts.models import SchoolRole
from plans.fields import CELL_MAX_LENGTH
from plans.models import Plan, PlanRow, RowAssignment
from plans.services.errors import TransitionRefused
from plans.services.rows import plan_row_update

NOT_DEPUTY = "Назначать исполнителей может только заместитель директора школы."
NOT_EDITABLE = (
    "Графу «Ответственные, исполнители» можно заполнить, только пока план – черновик или "
    "возвращён на доработку. Исполнители назначены, текст плана не изменён."
)

# --- Reads ------------------------------------------------------------------------


def assignable_people(school_id: int):
    """Whom a row of this school's plan may be assigned to: the school's active people
    (its team members and its deputy), by name. One query when evaluated."""
    return (
        get_user_model()
        .objects.filter(school_id=school_id, is_active=True)
        .order_by("last_name", "first_name", "pk")
    )


def assignees_by_row(plan: Plan | int) -> dict[int, list]:
    """The active assignees of every row of the plan, by row id, each row's in the
    order they were assigned: ONE query whatever the rows and people (for the pages
    that show many rows)."""
    plan_id = plan if isinstance(plan, int) else plan.pk
    result: dict[int, list] = {}
    assignments = (
        RowAssignment.objects.filter(row__plan_id=plan_id, person__is_active=True)
        .select_related("person")
        .order_by("row_id", "pk")
    )
    for assignment in assignments:
        result.setdefault(assignment.row_id, []).append(assignment.person)
    return result


# --- Words ------------------------------------------------------------------------


def initials(person) -> str:
    """«А. П.» from a first name «Анна Петровна» (the name and patronymic are kept
    together in `first_name`)."""
    return " ".join(f"{word[0].upper()}." for word in (person.first_name or "").split())


def position_of(person) -> str:
    """A school's person's position as the pages and documents name it: the team
    position, else the position written on the account, else the deputy's role."""
    if person.team_position:
        return person.get_team_position_display()
    if person.position:
        return person.position
    return "заместитель директора" if person.school_role == SchoolRole.DEPUTY else ""


def person_label(person) -> str:
    """How the document's column names a person: «Иванова А. П., педагог-навигатор»."""
    name = " ".join(part for part in (person.last_name.strip(), initials(person)) if part)
    name = name or person.get_username()
    position = position_of(person)
    return f"{name}, {position}" if position else name


def responsible_text(people: Iterable) -> str:
    """The column «Ответственные, исполнители» made of the assignees: one per line."""
    return "\n".join(person_label(person) for person in people)


def _fold(text: str) -> str:
    """Lower case, «е» for «ё», character by character: the folded text keeps the
    original's positions (a few letters grow when lowered, as «İ»)."""
    return "".join((ch.lower() or ch)[0] for ch in text).replace("ё", "е")


# A single letter and a dot: an initial («А.», «П.»).
_INITIALS_AFTER = re.compile(r"\s*([^\W\d_])\.\s*(?:([^\W\d_])\.)?")
_INITIALS_BEFORE = re.compile(r"(?<![\w.])([^\W\d_])\.\s*(?:([^\W\d_])\.)?\s*$")
# A full name after the surname: «Анна Петровна», «Анна» – two words the second of
# which looks like a patronymic, or one word (compared with the person's name only).
_NAME_AFTER = re.compile(r"\s+([^\W\d_]+)(?:\s+([^\W\d_]+(?:вна|вич|чна|ична|ич)))?(?![\w])")
_WORD = r"(?<![\w-]){}(?![\w-])"


def _given(text: str, start: int, end: int, person) -> bool | None:
    """Does what stands beside the surname at text[start:end] (initials or a first name)
    agree with `person`? None when nothing is given there."""
    own = [_fold(word[0]) for word in (person.first_name or "").split()]
    letters = None
    after = _INITIALS_AFTER.match(text, end)
    before = _INITIALS_BEFORE.search(text[:start])
    if after:
        letters = [letter for letter in after.groups() if letter]
    elif before:
        letters = [letter for letter in before.groups() if letter]
    else:
        name = _NAME_AFTER.match(text, end)
        if name and (name.group(2) or _fold(name.group(1)) == _fold(person.first_name or "")):
            words = (person.first_name or "").split()
            given = [name.group(1)] + ([name.group(2)] if name.group(2) else [])
            return all(
                i < len(words) and _fold(word) == _fold(words[i]) for i, word in enumerate(given)
            )
    if not letters:
        return None
    letters = [_fold(letter) for letter in letters]
    return all(i < len(own) and letter == own[i] for i, letter in enumerate(letters))


def match_team(responsible_text: str, people: Iterable) -> list:
    """The people whose surname the text names, in the order of `people`.

    Case and ё/е do not matter; the surname is a whole word («Иванова А. П.», «Иванова
    Анна Петровна», «зам. директора Иванова» all name Иванова; «Иванов» does not). When
    initials or a first name stand beside the surname and disagree with the person's
    («Иванова М. С.» for Иванова Анна Петровна), that mention is not theirs. A pure
    function: no query."""
    text = responsible_text or ""
    folded = _fold(text)  # the same length as `text`: positions agree
    found = []
    for person in people:
        surname = _fold((person.last_name or "").strip())
        if len(surname) < 2:
            continue
        for mention in re.finditer(_WORD.format(re.escape(surname)), folded):
            if _given(text, mention.start(), mention.end(), person) is not False:
                found.append(person)
                break
    return found


# --- Services ---------------------------------------------------------------------


def _check_manager(by, plan: Plan) -> None:
    if not access.may_manage_team(by, plan.school_id):
        raise TransitionRefused(NOT_DEPUTY)


def _check_people(people: Iterable, plan: Plan) -> list:
    people = list(dict.fromkeys(people))  # once each, in the order given
    for person in people:
        if person.school_id != plan.school_id or not person.is_active:
            raise TransitionRefused(
                f"{person} не входит в команду школы: назначить исполнителем можно только "
                "её участников и заместителя директора."
            )
    return people


def _check_rows(rows: Iterable[PlanRow], plan: Plan) -> list[PlanRow]:
    rows = list(rows)
    if any(row.plan_id != plan.pk for row in rows):
        raise TransitionRefused("Строка не из этого плана: обновите страницу.")
    return rows


@transaction.atomic
def row_assignees_set(
    *,
    row: PlanRow,
    people: Iterable,
    by,
    fill_responsible: bool = False,
    version: int | None = None,
) -> list:
    """Make `people` the row's assignees (adding and removing as needed). Returns them.

    `fill_responsible`: also write the column «Ответственные, исполнители» from their
    names and positions, through `plan_row_update` at the page's `version` (PlanConflict,
    PlanNotEditable as any edit; everything rolls back). Only while the plan is
    editable (`access.may_edit_plan`), else TransitionRefused and nothing changes."""
    plan = row.plan
    _check_manager(by, plan)
    people = _check_people(people, plan)
    if fill_responsible and not access.may_edit_plan(by, plan):
        raise TransitionRefused(NOT_EDITABLE)
    wanted = {person.pk for person in people}
    RowAssignment.objects.filter(row=row).exclude(person_id__in=wanted).delete()
    RowAssignment.objects.bulk_create(
        [RowAssignment(row=row, person=person, assigned_by=by) for person in people],
        ignore_conflicts=True,  # those already assigned stay as they were
    )
    if fill_responsible and people:
        text = responsible_text(people)
        if len(text) > CELL_MAX_LENGTH:
            raise TransitionRefused(
                "Имена исполнителей не помещаются в графу «Ответственные, исполнители»: "
                f"не более {CELL_MAX_LENGTH} знаков."
            )
        fresh = PlanRow.objects.select_related("plan").get(pk=row.pk)
        plan_row_update(row=fresh, data={"responsible": text}, version=version)
        row.responsible = text
    return people


@transaction.atomic
def rows_assign(*, plan: Plan, rows: Iterable[PlanRow], person, by, replace: bool = False) -> int:
    """Add `person` to the assignees of each of `rows` (with `replace`: make them the
    only assignee). Returns how many rows got them anew. The plan's text and version
    stay."""
    _check_manager(by, plan)
    (person,) = _check_people([person], plan)
    rows = _check_rows(rows, plan)
    ids = [row.pk for row in rows]
    if replace:
        RowAssignment.objects.filter(row_id__in=ids).exclude(person=person).delete()
    already = set(
        RowAssignment.objects.filter(row_id__in=ids, person=person).values_list("row_id", flat=True)
    )
    RowAssignment.objects.bulk_create(
        [
            RowAssignment(row_id=row_id, person=person, assigned_by=by)
            for row_id in ids
            if row_id not in already
        ],
        ignore_conflicts=True,
    )
    return len(set(ids) - already)


@transaction.atomic
def rows_unassign(*, plan: Plan, rows: Iterable[PlanRow], person, by) -> int:
    """Take `person` off the assignees of each of `rows`. Returns how many rows lost
    them. Works for a person who has left the team as well."""
    _check_manager(by, plan)
    rows = _check_rows(rows, plan)
    deleted, _ = RowAssignment.objects.filter(
        row_id__in=[row.pk for row in rows], person=person
    ).delete()
    return deleted


def assignments_add(*, plan: Plan, pairs: Iterable[tuple[PlanRow, object]], by) -> int:
    """Assign people to rows of `plan` an import just wrote (`pairs` of row and person),
    in the import's own transaction. The import's view checked `may_manage_team`;
    people not of the plan's school are skipped (they cannot be: the offer is made
    from the team). One query."""
    created = [
        RowAssignment(row=row, person=person, assigned_by=by)
        for row, person in pairs
        if person.school_id == plan.school_id and person.is_active
    ]
    RowAssignment.objects.bulk_create(created, ignore_conflicts=True)
    return len(created)


# --- Imports: the offer to turn names in «Ответственные» into assignments ----------


@dataclass
class Offer:
    """One checkbox of an import's preview: «назначить исполнителем» `person` on the
    imported row `entry` (Word: the placed row's index; Excel: the change's index),
    whose column names them."""

    entry: int
    number: str
    activity: str
    responsible: str
    person: object
    checked: bool = True

    @property
    def key(self) -> str:
        return f"{self.entry}:{self.person.pk}"

    @property
    def label(self) -> str:
        return person_label(self.person)


def team_offers(entries: Iterable[tuple], people: Iterable, skip=frozenset()) -> list[Offer]:
    """The matches of the team in the imported rows' «Ответственные»: `entries` are
    (entry, number, activity, responsible); `skip` the (entry, person id) pairs already
    assigned. No query (the people are read by the caller)."""
    people = list(people)
    offers = []
    for entry, number, activity, responsible in entries:
        for person in match_team(responsible, people):
            if (entry, person.pk) not in skip:
                offers.append(Offer(entry, number, activity, responsible, person))
    return offers


def offers_posted(offers: list[Offer], posted: Iterable[str]) -> dict[int, list]:
    """The offers ticked in a posted preview (`assign` values), as entry → people; the
    boxes' state kept on the offers for a page shown again. Only what was offered is
    taken: a value the page did not offer is ignored."""
    ticked = set(posted)
    chosen: dict[int, list] = {}
    for offer in offers:
        offer.checked = offer.key in ticked
        if offer.checked:
            chosen.setdefault(offer.entry, []).append(offer.person)
    return chosen
