"""The --region option of the commands that name a year by its title: a year's title
is unique only within a region. Without the option, the default region (the first,
today the only one: Kabardino-Balkaria), so the commands run as before."""

from django.core.management.base import CommandError

from plans.models import Region, SchoolYear


def add_region_argument(parser) -> None:
    parser.add_argument(
        "--region",
        help="Код региона (например, kbr). По умолчанию – первый регион (сейчас единственный).",
    )


def region_or_error(code: str | None) -> Region:
    try:
        return Region.objects.by_code((code or "").strip())
    except Region.DoesNotExist:
        if not code:
            raise CommandError("Регионов нет: выполните manage.py load_reference.") from None
        raise CommandError(f"Региона с кодом «{code}» нет.") from None


def year_or_error(title: str, code: str | None) -> SchoolYear:
    """The year `title` of the region `code` (the default one if none)."""
    region = region_or_error(code)
    year = SchoolYear.objects.filter(region=region, title=title.strip()).first()
    if year is None:
        raise CommandError(f"Учебного года «{title}» нет (регион: {region.short_name}).")
    return year
