"""The demo's calendar: the demo lives in the current school year, whatever today is.

The demo data (fixtures/demo/plans.json, monitoring.json) is written in the seed's
year, 2023-2024, which stays as reference data. `load_demo` and
`load_demo_monitoring` put it into the school year that contains today (from
1 September: in December 2026 and in June 2027 alike, 2026-2027), made as a copy of
the seed's template, so that a newcomer meets plans of this year, not a region where
every plan is «просрочен». Two kinds of dates move differently:

- what is planned (rows' dates, a row moved to a later day) keeps its place in the
  school year: the same day as many years on as the year is;
- what has happened (submissions, approvals, marks, monitoring campaigns and their
  reports, recommendations) must lie before today: the seed's story, told as of
  `SEED_TOLD`, is laid over the part of this school year that has passed, in the same
  order and proportions. Late in the year (after 20 June) that is the calendar again.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from .models import Region, SchoolYear

SEED_YEAR = "2023-2024"  # the demo data's year: fixtures/demo/*.json
SEED_START = date(2023, 9, 1)
SEED_TOLD = date(2024, 6, 20)  # after every event the demo data records
SUBMISSION_DAYS_LEFT = 14  # the demo year's plans are due this many days from today, at least


def school_year_start(today: date) -> date:
    """1 September of the school year that contains `today` (a school year starts on
    1 September: on 31 August it is still the last one)."""
    return date(today.year if today.month >= 9 else today.year - 1, 9, 1)


@dataclass(frozen=True)
class DemoCalendar:
    today: date

    @classmethod
    def now(cls) -> "DemoCalendar":
        return cls(timezone.localdate())

    @property
    def start(self) -> date:
        return school_year_start(self.today)

    @property
    def years(self) -> int:
        """How many years on from the seed's the demo's year is."""
        return self.start.year - SEED_START.year

    @property
    def title(self) -> str:
        return f"{self.start.year}-{self.start.year + 1}"

    def planned(self, day: date) -> date:
        """A planned day of the seed's year in the demo's year."""
        from .services import shift_date

        return shift_date(day, self.years)

    def happened(self, day: date) -> date:
        """A day something happened in the seed's story, before today in the demo's year."""
        span = (SEED_TOLD - SEED_START).days
        elapsed = (self.today - self.start).days
        if elapsed >= span:
            return min(self.planned(day), self.today)
        offset = max(0, (day - SEED_START).days)
        return min(self.start + timedelta(days=offset * elapsed // span), self.today)

    def happened_at(self, moment: str, tzinfo=None) -> datetime:
        """`happened()` for a local date and time of the seed («2023-09-27T15:40»)."""
        seed = datetime.fromisoformat(moment)
        when = datetime.combine(self.happened(seed.date()), seed.time())
        return when.replace(tzinfo=tzinfo) if tzinfo else timezone.make_aware(when)

    def text(self, value: str) -> str:
        """A text of the demo data about the demo's year: «2023-2024» becomes its title,
        «декабрь 2023 г.» its own year. Other numbers (a letter of 01.06.2023) stay."""
        from .services import year_title_substitute

        value = year_title_substitute(value, SEED_YEAR, self.title)
        return re.sub(r"(?<!\d)(2023|2024)(?=\s*г\.)", lambda m: str(int(m[1]) + self.years), value)


def demo_year(calendar: DemoCalendar, region: Region) -> SchoolYear:
    """The demo's school year of `region`: the year that contains today; made, when the
    region has none, as a copy of the seed's template (services.school_year_copy,
    as `copy_school_year` does), published, and taking plans until at least
    `SUBMISSION_DAYS_LEFT` days from today."""
    from .services import school_year_copy, shift_date, template_publish

    year = SchoolYear.objects.filter(region=region, title=calendar.title).first()
    if year is not None:
        return year
    seed = SchoolYear.objects.get(region=region, title=SEED_YEAR)
    year = school_year_copy(
        source=seed,
        title=calendar.title,
        start_date=calendar.start,
        end_date=shift_date(seed.end_date, calendar.years),
    )
    closes = calendar.today + timedelta(days=SUBMISSION_DAYS_LEFT)
    if year.submission_closes is None or year.submission_closes < closes:
        year.submission_closes = closes
        year.save(update_fields=["submission_closes"])
    template_publish(year=year, by=None)
    return year
