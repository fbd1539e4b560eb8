"""``manage.py search_index``: rebuild every search document and the word list.

Changes keep the index current by themselves (articles/search/index.py); this
is for a database filled by other means (a restore, raw SQL) and for the one
thing that moves without a write: a retired range's ``{{ range_count }}``.
"""

from django.core.management.base import BaseCommand

from articles.search import index


class Command(BaseCommand):
    help = "Rebuild the search index: every article's search document and the list of known words."

    def handle(self, *args, **options) -> None:
        count = index.rebuild()
        self.stdout.write(self.style.SUCCESS(f"Indexed {count} article{'s' if count != 1 else ''}."))
