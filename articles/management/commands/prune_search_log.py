"""``manage.py prune_search_log``: forget searches older than SEARCH_LOG_RETENTION_DAYS.

The background worker runs the same prune every night
(``articles/tasks/search_log.py``); this command runs it by hand.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from articles.search.analytics import prune_search_log


class Command(BaseCommand):
    help = "Delete logged searches, and their clicks, older than SEARCH_LOG_RETENTION_DAYS."

    def handle(self, *args, **options):
        count = prune_search_log()
        days = settings.SEARCH_LOG_RETENTION_DAYS
        self.stdout.write(
            self.style.SUCCESS(
                f"Deleted {count} search{'es' if count != 1 else ''} older than {days} day{'s' if days != 1 else ''}."
            )
        )
