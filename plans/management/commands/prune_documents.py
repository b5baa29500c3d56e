from django.core.management.base import BaseCommand

from plans.documents.queue import documents_prune


class Command(BaseCommand):
    help = (
        "Удаляет сформированные документы, которые давно никто не скачивал (запускать ежедневно)."
    )

    def handle(self, *args, **options):
        count = documents_prune()
        self.stdout.write(f"Удалено документов: {count}")
