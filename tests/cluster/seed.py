"""Seed the cluster check's scratch database: the load test's schools, deputies and
plans (tests/load/seed.py) and a reviewer; some plans filled so that they can be
submitted, some approved with a row to mark done with evidence files.

    DJANGO_… python -m tests.cluster.seed --editors 6 --submits 6 --approved 3 --out accounts.json
"""

import argparse
import json
import os


def seed(editors: int, submits: int, approved: int) -> dict:
    from plans.models import Plan, PlanStatus
    from tests.factories import add_row
    from tests.load.seed import seed as load_seed
    from tests.plans.test_editor import complete

    data = load_seed(editors + submits + approved, 10, 1)
    deputies = data.pop("deputies")
    data["editors"] = deputies[:editors]
    data["submits"] = deputies[editors : editors + submits]
    data["approved"] = deputies[editors + submits :]
    for account in data["submits"]:
        complete(Plan.objects.get(pk=account["plan"]))
    for account in data["approved"]:
        plan = Plan.objects.get(pk=account["plan"])
        row = add_row(plan, "3.4.12.1.", activity="Урок «Шоу профессий»", hours=4, grades=(6, 7))
        Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.APPROVED)
        account["row"] = row.pk
    data["year"] = Plan.objects.get(pk=deputies[0]["plan"]).year_id
    return data


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--editors", type=int, default=6)
    parser.add_argument("--submits", type=int, default=6)
    parser.add_argument("--approved", type=int, default=3)
    parser.add_argument("--out", required=True)
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "profplan.settings.base")
    import django

    django.setup()
    data = seed(options.editors, options.submits, options.approved)
    with open(options.out, "w", encoding="utf-8") as out:
        json.dump(data, out)


if __name__ == "__main__":
    main()
