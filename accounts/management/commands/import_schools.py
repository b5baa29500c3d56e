from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.onboarding import MAX_FILE_BYTES, ImportFileError, ImportRejected, read_rows
from accounts.services import schools_import


class Command(BaseCommand):
    help = (
        "Загружает школы и учётные записи заместителей директоров из списка .xlsx или .csv "
        "(столбцы описаны в accounts/onboarding.py). Если хотя бы одна строка с ошибкой, "
        "не загружается ничего. Новым пользователям уходит письмо со ссылкой для установки пароля."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Путь к файлу .xlsx или .csv.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Только проверить файл, ничего не записывать."
        )
        parser.add_argument(
            "--site-url",
            help="Адрес сайта для ссылок в письмах, например https://profplan.example.ru "
            "(по умолчанию – настройка SITE_URL или первое имя из DJANGO_ALLOWED_HOSTS).",
        )

    def handle(self, *args, file, dry_run, site_url, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Файла {path} нет.")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise CommandError(
                f"Файл больше {MAX_FILE_BYTES // (1024 * 1024)} МБ: для списка школ это слишком много."
            )
        try:
            rows = read_rows(path.read_bytes(), path.name)
            result = schools_import(rows=rows, by=None, site_url=site_url, dry_run=dry_run)
        except ImportFileError as error:
            raise CommandError(error.message) from None
        except ImportRejected as rejected:
            for line in rejected.errors:
                self.stderr.write(line)
            raise CommandError(
                f"Ошибок: {len(rejected.errors)}. Ничего не загружено: исправьте файл и повторите."
            ) from None
        self.stdout.write(result.summary())
