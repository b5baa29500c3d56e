from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.roles import REGIONAL, ensure_roles


class Command(BaseCommand):
    help = (
        "Создаёт или обновляет группы-роли (accounts/roles.py). С --regional ЛОГИН "
        "делает пользователя сотрудником регионального центра: доступ в админку и группа "
        "«Региональный центр»."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--regional",
            metavar="LOGIN",
            action="append",
            default=[],
            help="Логин сотрудника регионального центра (можно несколько раз).",
        )

    @transaction.atomic
    def handle(self, *args, regional, **options):
        groups = ensure_roles()
        self.stdout.write(f"Роли: {', '.join(sorted(groups))}.")
        User = get_user_model()
        for username in regional:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"Пользователь «{username}» не найден: создайте его сначала.")
            user.is_staff = True
            user.save(update_fields=["is_staff"])
            user.groups.add(groups[REGIONAL])
            self.stdout.write(f"{username}: сотрудник регионального центра.")
