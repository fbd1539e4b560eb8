"""``manage.py import_helpcenter FILE``: load a help center file, all or nothing.

The file's format is described in fixtures/FORMAT.md. Every problem in the file
is listed at once, each with its line and place; if there is any, nothing in
the database changes and the command exits with an error.
"""

from __future__ import annotations

from pathlib import Path

import reversion
from django.core.management.base import BaseCommand, CommandError

from articles.facts.models import Vendor
from articles.interchange import InterchangeError, import_text


class Command(BaseCommand):
    help = (
        "Import vendors, facts, mail clients, steps and articles from a YAML file "
        "(see fixtures/FORMAT.md). Checks the whole file first; a file with any problem changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="The YAML file to import.")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if the help center already has a vendor (used by `make run`).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and say what would change, without writing anything.",
        )

    def handle(self, *args, file: str, if_empty: bool, dry_run: bool, **options) -> None:
        if if_empty and Vendor.objects.exists():
            self.stdout.write(f"The help center already has vendors; {file} was not imported (--if-empty).")
            return
        text = _read(file)
        try:
            # import_text's recording block is the revision; this outer one (they merge) names it.
            with reversion.create_revision(manage_manually=True):
                reversion.set_comment(f"Imported from {file}")
                report = import_text(text=text, dry_run=dry_run)
        except InterchangeError as error:
            count = len(error.problems)
            heading = (
                f"{file} was not imported, and nothing in the help center changed. "
                f"{count} problem{'s' if count != 1 else ''} to fix:"
            )
            raise CommandError(
                "\n".join([heading, *(f"  {problem}" for problem in error.problems)])
            ) from None
        if dry_run:
            self.stdout.write(f"Dry run: {file} is valid; nothing was written.")
            if not report.changed:
                self.stdout.write("Importing it would change nothing.")
                return
            self.stdout.write("Importing it would make these changes:")
            for change in report.changes:
                self.stdout.write(f"  {change}")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {file}."))
            if options["verbosity"] >= 2:
                for change in report.changes:
                    self.stdout.write(f"  {change}")
        for line in report.summary():
            self.stdout.write(f"  {line}")
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(f"Warning: {warning}"))


def _read(file: str) -> str:
    path = Path(file)
    try:
        # utf-8-sig: editors on Windows may start the file with a byte-order mark.
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CommandError(f"There is no file at {file}.") from None
    except IsADirectoryError:
        raise CommandError(f"{file} is a folder, not a file.") from None
    except UnicodeDecodeError as error:
        raise CommandError(
            f"{file} is not a text file in UTF-8 (byte {error.start} cannot be read); is it the right file?"
        ) from None
