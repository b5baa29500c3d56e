"""Seed a scratch database for the load test: N schools, each with a deputy director
and a plan of a typical size, plus reviewers of the regional centre. Writes the
accounts and their plan and row ids as JSON for the locustfile.

    DJANGO_… python -m tests.load.seed --schools 40 --out users.json
"""

import argparse
import json
import os

PASSWORD = "load-test-password-1"


def seed(schools: int, rows_per_plan: int, reviewers: int) -> dict:
    from django.contrib.auth.hashers import make_password
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User
    from accounts.roles import REGIONAL, ensure_roles
    from plans.models import Level, Municipality, PlanRow, Region, School, SchoolYear
    from plans.services import plan_create
    from tests.plans.export_data import fill_rows

    year = SchoolYear.objects.get(title="2023-2024")
    levels = {level.code: level.pk for level in Level.objects.filter(year=year)}
    by_grade = {6: "basic", 7: "basic", 8: "main", 9: "main", 10: "advanced", 11: "advanced"}
    municipalities = list(Municipality.objects.all())
    password = make_password(PASSWORD)  # hashed once: PBKDF2 is slow on purpose
    groups = ensure_roles()
    deputies = []
    for index in range(schools):
        name = f"МКОУ СОШ № {index + 1} (нагрузочный тест)"
        school = School.objects.create(
            full_name=name,
            short_name=name,
            municipality=municipalities[index % len(municipalities)],
        )
        plan = plan_create(
            school=school, year=year, levels={g: levels[c] for g, c in by_grade.items()}
        )
        fill_rows(plan, rows_per_plan)
        user = User.objects.create(
            username=f"load-deputy-{index + 1}", school=school, password=password
        )
        rows = list(
            PlanRow.objects.filter(plan=plan, fixed_item=None)
            .exclude(activity="")
            .filter(hours__isnull=True)  # outside level blocks: no hours or grades to post
            .values_list("pk", flat=True)[:20]
        )
        deputies.append({"username": user.username, "plan": plan.pk, "rows": rows})
    staff = []
    for index in range(reviewers):
        user = User.objects.create(
            username=f"load-reviewer-{index + 1}",
            is_staff=True,
            password=password,
            region=Region.objects.default(),
        )
        user.groups.add(groups[REGIONAL])
        # The centre signs in with a second code (accounts/access.py): an app, and
        # recovery codes enough for every sign-in of the run, one spent per sign-in.
        TOTPDevice.objects.create(user=user, name="Нагрузочный тест", confirmed=True)
        codes = StaticDevice.objects.create(user=user, name="Нагрузочный тест", confirmed=True)
        tokens = list({StaticToken.random_token() for _ in range(200)})
        StaticToken.objects.bulk_create(StaticToken(device=codes, token=t) for t in tokens)
        staff.append({"username": user.username, "codes": tokens})
    return {"password": PASSWORD, "deputies": deputies, "reviewers": staff}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=40)
    parser.add_argument("--rows", type=int, default=40, help="rows added to the seed's rows")
    parser.add_argument("--reviewers", type=int, default=5)
    parser.add_argument("--out", required=True)
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "profplan.settings.base")
    import django

    django.setup()
    data = seed(options.schools, options.rows, options.reviewers)
    with open(options.out, "w", encoding="utf-8") as out:
        json.dump(data, out)


if __name__ == "__main__":
    main()
