"""``manage.py export_helpcenter``: write the whole help center as YAML.

The text is the same every time for the same data, and importing it into an
empty database and exporting again gives it back unchanged (see
fixtures/FORMAT.md).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.interchange import export_helpcenter


class Command(BaseCommand):
    help = "Write vendors, facts, mail clients, steps and articles as YAML (see fixtures/FORMAT.md)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--output", "-o", help="Write to this file instead of the screen.")

    def handle(self, *args, output: str | None, **options) -> None:
        text = export_helpcenter()
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Could not write {output}: {error.strerror}.") from None
        self.stderr.write(f"Wrote the help center to {output}.")
