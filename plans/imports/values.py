"""What a school wrote in a cell, as a plan row's values: periods and their dates,
hours and grades, links. Pure functions; no database.

Every reader (Word, Excel) passes its cell texts through these, so a period or an
hour reads the same whichever file it came in. What is not understood stays as the
school's text, and a note says so.
"""

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from ..fields import GRADES
from ..services.years import shift_date

PERIOD_MAX = 500  # PlanRow.period
HOURS_MAX = Decimal("9999.9")  # PlanRow.hours: 5 digits, one after the point

# A cell a school left "empty" with a dash.
EMPTY_MARKS = {"", "-", "–", "—", "−", "х", "x", "нет"}

_DASH = re.compile(r"\s*[-–—−]\s*")
_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f]+")


def clean_cell(text: str) -> str:
    """A cell's text: lines stripped, no blank lines at either end, a lone dash is empty."""
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    value = "\n".join(lines)
    return "" if value.lower() in EMPTY_MARKS else value


# --- Periods ------------------------------------------------------------------

_MONTHS = (
    ("сентябр", 9),
    ("октябр", 10),
    ("ноябр", 11),
    ("декабр", 12),
    ("январ", 1),
    ("феврал", 2),
    ("март", 3),
    ("апрел", 4),
    ("ма", 5),  # май, мая, мае
    ("июн", 6),
    ("июл", 7),
    ("август", 8),
)
_MONTH = r"(сентябр[а-я]*|октябр[а-я]*|ноябр[а-я]*|декабр[а-я]*|январ[а-я]*|феврал[а-я]*|март[а-я]*|апрел[а-я]*|ма[йяе]|июн[а-я]*|июл[а-я]*|август[а-я]*)"
_DATE = r"(\d{1,2})\.(\d{1,2})(?:\.(\d{4}|\d{2}))?"
# «сентябрь 2023 г.»: the year after a month adds nothing to the school year's.
_YEAR_TAIL = re.compile(r"(?:\s+\d{4})?(?:\s*(?:г\.?|года?|гг\.?))?$")

_EXPORTED = re.compile(r"^(?P<text>.*?)\s*\((?P<dates>[^()]*\d[^()]*)\)$", re.S)
_RANGE = re.compile(rf"^(?:с\s*)?{_DATE}(?:\s*г\.?)?\s*(?:–|по)\s*{_DATE}(?:\s*г\.?)?$")
_UNTIL = re.compile(rf"^(?:до|не позднее|по)\s+{_DATE}(?:\s*г\.?)?$")
_FROM = re.compile(rf"^(?:с|начиная с)\s+{_DATE}(?:\s*г\.?)?$")
_SINGLE = re.compile(rf"^{_DATE}(?:\s*г\.?)?$")
_UNTIL_WORDS = re.compile(rf"^(?:до|не позднее)\s+(\d{{1,2}})\s+{_MONTH}$")
_MONTHS_RANGE = re.compile(rf"^(?:в\s+|с\s+)?{_MONTH}(?:\s*(?:–|по|до)\s*{_MONTH})?$")
_ANY_DATE = re.compile(r"\d{1,2}\.\d{1,2}")


@dataclass
class Period:
    text: str
    start: date | None = None
    end: date | None = None
    notes: list[str] = field(default_factory=list)


def _key(text: str) -> str:
    """A period's text for matching: lower case, one kind of dash, single spaces."""
    key = _DASH.sub("–", text.lower().replace("ё", "е")).strip().rstrip(".;,")
    return re.sub(r"\s+", " ", key)


def _month_number(word: str) -> int:
    return next(number for stem, number in _MONTHS if word.startswith(stem))


def _in_year(day: int, month: int, year_digits: str | None, school_year) -> date:
    """The date a school meant: with its year as written, or the one inside the school year."""
    if year_digits:
        number = int(year_digits)
        number += 2000 if number < 100 else 0
        return date(number, month, day)
    first = school_year.start_date.year
    candidate = date(first, month, day)
    return candidate if candidate >= school_year.start_date else date(first + 1, month, day)


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _dates(text: str, school_year) -> tuple[date | None, date | None] | None:
    """Dates of a period written only as dates: «01.09.2023–31.05.2024», «до 15.09»,
    «с 01.09.2023», «15.09.2023». None when the text is something else."""
    if match := _RANGE.match(text):
        a, b = match.groups()[:3], match.groups()[3:]
        return _in_year(int(a[0]), int(a[1]), a[2], school_year), _in_year(
            int(b[0]), int(b[1]), b[2], school_year
        )
    if match := _UNTIL.match(text):
        return None, _in_year(int(match[1]), int(match[2]), match[3], school_year)
    if match := _FROM.match(text):
        return _in_year(int(match[1]), int(match[2]), match[3], school_year), None
    if match := _SINGLE.match(text):
        day = _in_year(int(match[1]), int(match[2]), match[3], school_year)
        return day, day
    return None


def _month_dates(text: str, school_year) -> tuple[date, date | None] | tuple[None, date] | None:
    """«сентябрь», «сентябрь–октябрь», «до 15 сентября»: the first and last days."""
    if match := _UNTIL_WORDS.match(text):
        month = _month_number(match[2])
        return None, _in_year(int(match[1]), month, None, school_year)
    if match := _MONTHS_RANGE.match(text):
        first, last = _month_number(match[1]), _month_number(match[2] or match[1])
        start = _in_year(1, first, None, school_year)
        end_year = _in_year(1, last, None, school_year).year
        return start, date(end_year, last, _last_day(end_year, last))
    return None


def parse_period(raw: str, school_year) -> Period:
    """Column 3 «Сроки» as the row's period text and dates.

    Dates alone («01.09.2023–31.05.2024», «до 15.09») become dates and no text, so the
    row prints as the school wrote it. Months («сентябрь–октябрь») keep the words and
    get the first and last days. What this project's own exports print («сентябрь
    (01.09.2023–30.09.2023)») reads back as it was. «В течение года» and anything else
    stays text without dates: the whole year is what a row without dates means already.
    Dates of another school year (last year's plan) move into this one by whole years.
    """
    text = clean_cell(raw)
    if not text:
        return Period("")
    words, dates = text, None
    try:
        if match := _EXPORTED.match(text):
            inner = _dates(_key(match["dates"]), school_year)
            if inner is not None:
                words, dates = match["text"].strip(), inner
        if dates is None:
            key = _key(text)
            if (found := _dates(key, school_year)) is not None:
                words, dates = "", found
            elif (found := _month_dates(_YEAR_TAIL.sub("", key), school_year)) is not None:
                dates = found
    except ValueError:  # 31.02 and the like: not a date
        words, dates = text, None
    period = Period(words)
    if dates is None:
        if _ANY_DATE.search(text):
            period.notes.append("Сроки не разобраны на даты: сохранены текстом.")
        return _limited(period)
    start, end = dates
    start, end, note = _into_year(start, end, school_year)
    if note:
        period.notes.append(note)
    if start is None and end is None:
        period.text = text  # the dates did not fit: the school's words stay
    period.start, period.end = start, end
    return _limited(period)


def _into_year(start, end, school_year):
    """Dates moved into the school year by whole years (last year's plan), or dropped."""
    anchor = start or end
    if start and end and start > end:
        return None, None, "Дата окончания раньше даты начала: сроки сохранены текстом."
    if all(day is None or school_year.contains(day) for day in (start, end)):
        return start, end, ""
    first = anchor.year if anchor.month >= school_year.start_date.month else anchor.year - 1
    years = school_year.start_date.year - first
    moved = [shift_date(day, years) if day else None for day in (start, end)]
    if all(day is None or school_year.contains(day) for day in moved):
        return moved[0], moved[1], f"Даты перенесены на {school_year.title} учебный год."
    return None, None, f"Даты вне {school_year.title} учебного года: сроки сохранены текстом."


def _limited(period: Period) -> Period:
    if len(period.text) > PERIOD_MAX:
        period.text = period.text[: PERIOD_MAX - 1] + "…"
        period.notes.append(f"Сроки длиннее {PERIOD_MAX} знаков: текст сокращён.")
    return period


# --- Hours and grades ------------------------------------------------------------

_HOURS = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:ч\.?(?![а-яё])|час[а-яё]*)", re.I)
_GRADES = re.compile(
    r"(\d{1,2}(?:\s*(?:[-–—]|,|и)\s*\d{1,2})*)\s*(?:-?х\s*)?(?:кл\.?(?![а-яё])|класс[а-яё]*)",
    re.I,
)
_LOAD_LINE = re.compile(
    r"^\s*(?:(?P<hours>\d+(?:[.,]\d+)?\s*(?:ч\.?|час[а-яё]*))\s*[;,]?\s*)?"
    r"(?P<grades>\d{1,2}(?:\s*(?:[-–—]|,|и)\s*\d{1,2})*\s*(?:-?х\s*)?(?:кл\.?|класс[а-яё]*))?\s*$",
    re.I,
)


@dataclass
class Load:
    activity: str
    hours: Decimal | None = None
    grades: tuple[int, ...] = ()
    notes: list[str] = field(default_factory=list)


def parse_hours(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", ".").strip())
    except InvalidOperation:
        return None
    return value if 0 <= value <= HOURS_MAX else None


def parse_grades(text: str, notes: list[str] | None = None) -> tuple[int, ...]:
    """«6–7», «6, 7, 9», «9 и 11», «5–11» → grades within 6–11."""
    grades: set[int] = set()
    for part in re.split(r"\s*(?:,|и|;)\s*", text.strip()):
        bounds = [int(n) for n in re.findall(r"\d{1,2}", part)]
        if not bounds:
            continue
        low, high = (bounds[0], bounds[-1]) if len(bounds) > 1 else (bounds[0], bounds[0])
        grades.update(range(min(low, high), max(low, high) + 1))
    kept = tuple(sorted(g for g in grades if g in GRADES))
    if notes is not None and len(kept) < len(grades):
        notes.append("Классы вне 6–11 не перенесены: профминимум – для 6–11 классов.")
    return kept


def parse_load(activity: str) -> Load:
    """Hours and grades of an activity of a level block, where the school wrote them.

    A last line holding only them («34 ч; 6, 7 кл.», as our exports print it) is
    taken off the text; written inside the text («… 6 ч, 6–7 кл.») they are read and
    the text stays as it is."""
    load = Load(activity)
    lines = activity.split("\n")
    last = lines[-1] if lines else ""
    match = _LOAD_LINE.match(last) if last.strip() else None
    if match and (match["hours"] or match["grades"]) and len(lines) > 1:
        load.activity = "\n".join(lines[:-1]).rstrip()
        source = last
    else:
        source = activity
    if hours := _HOURS.search(source):
        value = parse_hours(hours[1])
        if value is None:
            load.notes.append(f"Часы «{hours[0]}» не перенесены: число вне 0–9999.")
        load.hours = value
    if grades := _GRADES.search(source):
        load.grades = parse_grades(grades[1], load.notes)
    return load


# --- Links --------------------------------------------------------------------

_URL = re.compile(r"https?://[^\s<>\"«»]+", re.I)
_check_url = URLValidator(schemes=["http", "https"])


def split_links(raw: str) -> tuple[str, str]:
    """Column 6 as (links one a line, other text). Only http(s) addresses are links;
    words around them go back to the caller (they belong to column 5)."""
    links, other = [], []
    for line in clean_cell(raw).split("\n"):
        line = line.strip()
        if not line:
            continue
        found = [url.rstrip(".,;)") for url in _URL.findall(line)]
        valid = []
        for url in found:
            try:
                _check_url(url)
            except ValidationError:
                continue
            valid.append(url)
        links.extend(valid)
        rest = line
        for url in found:
            rest = rest.replace(url, " ")
        rest = re.sub(r"\s+([,;.])", r"\1", _SPACES.sub(" ", rest)).strip(" ,;–-:")
        if rest:
            other.append(rest)
    return "\n".join(links), "\n".join(other)
