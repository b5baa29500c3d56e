from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.roles import REGIONAL, ensure_roles
from plans.management.regions import add_region_argument, region_or_error


class Command(BaseCommand):
    help = (
        "Создаёт или обновляет группы-роли (accounts/roles.py). С --regional ЛОГИН "
        "делает пользователя сотрудником регионального центра: доступ в админку, группа "
        "«Региональный центр» и регион (--region; по умолчанию первый, сейчас единственный)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--regional",
            metavar="LOGIN",
            action="append",
            default=[],
            help="Логин сотрудника регионального центра (можно несколько раз).",
        )
        add_region_argument(parser)

    @transaction.atomic
    def handle(self, *args, regional, region=None, **options):
        groups = ensure_roles()
        self.stdout.write(f"Роли: {', '.join(sorted(groups))}.")
        User = get_user_model()
        for username in regional:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"Пользователь «{username}» не найден: создайте его сначала.")
            user.is_staff = True
            # The centre's staff see their region only; a superuser keeps seeing every
            # region unless --region is given.
            if region or not user.is_superuser:
                user.region = region_or_error(region)
            user.save(update_fields=["is_staff", "region"])
            user.groups.add(groups[REGIONAL])
            where = f" ({user.region.short_name})" if user.region_id else ""
            self.stdout.write(f"{username}: сотрудник регионального центра{where}.")
