"""Hours per grade of approved plans, stored on their grades for the region's dashboard
(`PlanGrade.hours_planned`, `hours_delivered`). The services keep them up to date on
approval and on every mark; this command fills them where they are missing (after the
migration that added them, or plans approved by hand in the database) and, with
`--all`, recomputes every approved plan (after a change to the regional template or
to how hours are counted). `make serve` runs it after `migrate`: with nothing missing
it costs one query."""

from django.core.management.base import BaseCommand

from plans.models import Plan, PlanStatus
from plans.services import plans_delivery_store


class Command(BaseCommand):
    help = "Пересчитывает проведённые часы по классам утверждённых планов (для сводки региона)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--all",
            action="store_true",
            help="Пересчитать все утверждённые планы, а не только те, где часов ещё нет.",
        )

    def handle(self, *args, **options):
        plans = Plan.objects.filter(status=PlanStatus.APPROVED)
        if not options["all"]:
            plans = plans.filter(
                grades__isnull=False, grades__hours_delivered__isnull=True
            ).distinct()
        count = plans_delivery_store(plans)
        self.stdout.write(f"Пересчитано планов: {count}.")
