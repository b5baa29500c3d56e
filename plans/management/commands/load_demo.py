"""Demo data: a few schools, one realistic plan, one submitted, one empty, and the
demo accounts; then the demo monitoring (load_demo_monitoring). The data is in
fixtures/demo/plans.json; this command only loads it, through the services, so the
plans are numbered, checked and submitted like any other. The data is written in the
seed's year; the demo lives in the school year that contains today, with its dates
moved there (plans/demo.py). Idempotent: running it twice changes nothing."""

import json
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.demo import MINISTRY_USERNAME, demo_ministry, demo_second_factor
from accounts.roles import COORDINATOR, DEPUTY, REGIONAL, TEAM_MEMBER, ensure_roles
from plans.demo import SEED_YEAR, DemoCalendar, demo_year
from plans.models import (
    Level,
    Municipality,
    Plan,
    PlanEvent,
    PlanRow,
    PlanStatus,
    PlanSubmission,
    Region,
    School,
    SchoolYear,
    TemplateItem,
)
from plans.services import (
    note_from_template,
    plan_approve,
    plan_create,
    plan_refresh_check,
    plan_start,
    plan_submit,
    row_execution_record,
)
from profplan.site import site_url

DATA = settings.BASE_DIR / "fixtures" / "demo" / "plans.json"
ROLES = {
    "deputy": DEPUTY,
    "member": TEAM_MEMBER,
    "regional": REGIONAL,
    "coordinator": COORDINATOR,
}


def demo_data() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


class Command(BaseCommand):
    help = "Загружает демонстрационные данные и демо-учётные записи (только для разработки)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Разрешить запуск при DJANGO_DEBUG=0 (демо-пароли известны всем).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "Демо-данные и учётные записи с известным паролем не создаются в рабочей системе "
                "(DJANGO_DEBUG выключен)."
            )
        data = demo_data()
        if not SchoolYear.objects.filter(title=SEED_YEAR).exists():
            call_command("load_reference", verbosity=0)
        with transaction.atomic():
            self._load(data, DemoCalendar.now())
        call_command(
            "load_demo_monitoring", allow_production=options["allow_production"], stdout=self.stdout
        )
        # The demo centre's and ministry's authenticator apps, with the keys README publishes.
        second_factor = demo_second_factor(
            [account["username"] for account in data["users"]] + [MINISTRY_USERNAME]
        )
        password = data["password"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Демо-данные готовы. Вход: {site_url()}/\n"
                f"  deputy      / {password}  – заместитель директора МКОУ СОШ № 1 (Нальчик)\n"
                f"  navigator   / {password}  – педагог-навигатор МКОУ СОШ № 1: /my/\n"
                f"  reviewer    / {password}  – региональный центр (ЦОПП КБР), админка /admin/\n"
                f"  coordinator / {password}  – муниципальный координатор (Нальчик)\n"
                f"  ministry    / {password}  – министерство: планы региона, только чтение"
            )
        )
        if second_factor:
            self.stdout.write(self.style.SUCCESS(second_factor))

    def _load(self, data, calendar: DemoCalendar):
        # The demo is Kabardino-Balkaria's: the default region (the only one a fresh
        # database has), unless the data names another by its code.
        region = Region.objects.by_code(data.get("region"))
        year = demo_year(calendar, region)
        municipalities = {m.name: m for m in Municipality.objects.filter(region=region)}
        groups = ensure_roles()
        schools = {}
        for key, school in data["schools"].items():
            schools[key], _ = School.objects.get_or_create(
                inn=school["inn"],
                defaults={
                    "full_name": school["full_name"],
                    "short_name": school["short_name"],
                    "municipality": municipalities[school["municipality"]],
                    "director_name": school["director_name"],
                },
            )

        self._users(data, schools, municipalities, region, groups)
        demo_ministry(region=region, password=data["password"])
        reviewer = get_user_model().objects.get(username="reviewer")

        levels = {level.code: level.pk for level in Level.objects.filter(year=year)}
        by_grade = {int(grade): levels[code] for grade, code in data["levels"].items()}
        for entry in data["plans"]:
            school = schools[entry["school"]]
            if Plan.objects.filter(school=school, year=year).exists():
                continue
            # The пояснительная записка a school starts with (services.plan_start's).
            note = note_from_template(year=year, school_name=school.short_name)
            if not entry["filled"]:
                plan = plan_create(school=school, year=year)
                Plan.objects.filter(pk=plan.pk).update(explanatory_note=note)
                continue
            plan = plan_create(school=school, year=year, levels=by_grade)
            Plan.objects.filter(pk=plan.pk).update(explanatory_note=note)
            level_rows = self._fill(plan, data, calendar)
            team_rows = self._team_rows(plan, data, calendar) if entry.get("team") else []
            if entry.get("submitted_at"):
                # Submitted through the service, so that it has its frozen PDF and its
                # history like any other; then dated back to when it was «submitted».
                plan_submit(plan=plan, by=None, version=None)
                when = calendar.happened_at(entry["submitted_at"])
                Plan.objects.filter(pk=plan.pk).update(submitted_at=when)
                PlanSubmission.objects.filter(plan=plan).update(submitted_at=when)
                PlanEvent.objects.filter(plan=plan).update(at=when)
            if entry.get("approved_at"):
                # Approved by the demo's centre, then the year as the school marked it.
                plan = plan_approve(plan=plan, by=reviewer)
                when = calendar.happened_at(entry["approved_at"])
                Plan.objects.filter(pk=plan.pk).update(approved_at=when)
                PlanSubmission.objects.filter(plan=plan).update(approved_at=when)
                PlanEvent.objects.filter(plan=plan, to_status=PlanStatus.APPROVED).update(at=when)
                deputy = get_user_model().objects.filter(school=school, username="deputy").first()
                for mark in entry.get("execution", []):
                    self._mark(level_rows[mark["level_row"]], mark, calendar, by=deputy)
                if entry.get("team"):
                    self._team_marks(team_rows, level_rows, data)
            if entry.get("next_year"):
                self._next_year(school, region, calendar)
        for plan in Plan.objects.filter(year=year, school__in=schools.values()):
            plan_refresh_check(plan=plan)

    def _users(self, data, schools, municipalities, region, groups):
        User = get_user_model()
        for account in data["users"]:
            fields = {
                name: account[name]
                for name in (
                    "first_name",
                    "last_name",
                    "position",
                    "email",
                    "is_staff",
                    "team_position",
                )
                if name in account
            }
            if "school" in account:
                fields["school"] = schools[account["school"]]
            if "municipality" in account:
                fields["municipality"] = municipalities[account["municipality"]]
            if account.get("is_staff"):
                fields["region"] = region
            if account["role"] == "member":
                fields["school_role"] = "member"
            user, created = User.objects.get_or_create(
                username=account["username"], defaults=fields
            )
            if created:
                user.set_password(data["password"])
                user.save()
            user.groups.add(groups[ROLES[account["role"]]])

    def _team_rows(self, plan, data, calendar) -> list:
        """The rows the school's team carries out, dated around today (some past, one
        today, some next week), so that «Мои мероприятия», the calendars and the
        reminders have something to show on any day of the year. Added before the plan
        is submitted, as any row."""
        year = plan.year
        rows = []
        for order, entry in enumerate(data["team_rows"], start=100):
            day = calendar.today + timedelta(days=entry["days"])
            day = min(max(day, year.start_date), year.end_date)
            rows.append(
                PlanRow.objects.create(
                    plan=plan,
                    parent=TemplateItem.objects.get(year=year, code=entry["parent"]),
                    order=order,
                    activity=entry["activity"],
                    responsible=entry["responsible"],
                    hours=Decimal(entry["hours"]),
                    grades=tuple(entry["grades"]),
                    start_date=day,
                    end_date=day,
                )
            )
        return rows

    def _team_marks(self, team_rows, level_rows, data):
        """Who of the team carries out which row (assigned by the deputy, through the
        service the bulk page calls), and the marks they made themselves (signed with
        their names on the execution page)."""
        from plans.team.assignments import rows_assign

        User = get_user_model()
        people = {user.username: user for user in User.objects.filter(school_role="member")}
        deputy = User.objects.get(username="deputy")
        plan = team_rows[0].plan
        # The class teacher also holds the year's course «Россия – мои горизонты».
        course = [r for r in level_rows if "Россия – мои горизонты" in r.activity and 8 in r.grades]
        for username, person in people.items():
            mine = [
                row
                for row, entry in zip(team_rows, data["team_rows"], strict=True)
                if username in entry["assignees"]
            ]
            if username == "classteacher":
                mine += course
            rows_assign(plan=plan, rows=mine, person=person, by=deputy)
        for row, entry in zip(team_rows, data["team_rows"], strict=True):
            if mark := entry.get("mark"):
                data_ = {
                    "status": mark["status"],
                    "result": mark["result"],
                    "start_date": row.start_date,
                    "end_date": row.end_date,
                    "pupils": mark["pupils"],
                    "hours": Decimal(mark["hours"]),
                }
                row_execution_record(row=row, by=people[mark["by"]], data=data_)

    def _next_year(self, school, region, calendar):
        """Next year's template and the school's draft plan for it, copied from this
        year's: the deputy has a plan to fill in while this year's is carried out."""
        following = DemoCalendar(calendar.start.replace(year=calendar.start.year + 1))
        year = demo_year(following, region)
        if not Plan.objects.filter(school=school, year=year).exists():
            plan_start(school=school, year=year, copy_last_year=True)

    def _mark(self, row, mark, calendar, by=None):
        """One row's execution, recorded through the service as the school would: what
        was done, done before today; a new date (moved), in the year's calendar."""
        data = {"status": mark["status"], "result": calendar.text(mark.get("result", ""))}
        for name in ("start_date", "end_date"):
            if mark.get(name):
                data[name] = calendar.happened(date.fromisoformat(mark[name]))
        if mark.get("moved_to"):
            data["moved_to"] = calendar.planned(date.fromisoformat(mark["moved_to"]))
        if mark.get("pupils"):
            data["pupils"] = mark["pupils"]
        if mark.get("hours"):
            data["hours"] = Decimal(mark["hours"])
        row.refresh_from_db()
        row_execution_record(row=row, by=by, data=data)

    def _fill(self, plan, data, calendar) -> list:
        """The demo rows into the plan; returns the level blocks' rows, in data order."""
        items = {item.code: item for item in TemplateItem.objects.filter(year=plan.year)}
        blank = {}
        rows = PlanRow.objects.filter(plan=plan, fixed_item=None).select_related("parent", "anchor")
        for row in sorted(rows, key=lambda r: (r.anchor.order if r.anchor else 0, r.order)):
            blank.setdefault(row.parent.code, []).append(row)
        for code, slots in blank.items():
            entries = data["rows"].get(code, [])
            if len(entries) > len(slots):
                raise CommandError(f"Демо-данные: у пункта {code} строк больше, чем в шаблоне.")
            for row, entry in zip(slots, entries, strict=False):
                for name, value in entry.items():
                    setattr(row, name, calendar.text(value))
                row.save()
            # The seed's remaining blank lines are the school's to fill or delete; the
            # demo plan deletes them, as a finished plan would.
            for row in slots[len(entries) :]:
                row.delete()
        level_rows = []
        for order, entry in enumerate(data["level_rows"], start=1):
            level_row = PlanRow.objects.create(
                plan=plan,
                parent=items[entry["parent"]],
                order=order,
                activity=calendar.text(entry["activity"]),
                period=calendar.text(entry["period"]),
                responsible=entry["responsible"],
                hours=Decimal(entry["hours"]),
                grades=tuple(entry["grades"]),
                start_date=calendar.planned(date.fromisoformat(entry["start_date"])),
                end_date=calendar.planned(date.fromisoformat(entry["end_date"])),
            )
            level_rows.append(level_row)
        for code, fields in data["fixed"].items():
            PlanRow.objects.filter(plan=plan, fixed_item=items[code]).update(
                **{name: calendar.text(value) for name, value in fields.items()}
            )
        return level_rows
