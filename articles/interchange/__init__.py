"""The whole help center as one human-editable YAML file, read and written.

The format (``format: safelist-helpcenter/1``) is described for support staff in
fixtures/FORMAT.md. The work falls into three steps, kept apart:

- ``parse()`` (parse.py) reads the text into plain entries (schema.py) and
  checks everything it can without writing, collecting every problem, each
  placed at its line and path in the file (locations.py): mail clients in
  parse_clients.py, vendors in parse_vendors.py, articles in
  parse_articles.py, with the reader they share in parse_reader.py. Reading
  typed values out of YAML nodes is nodes.py.
- ``import_helpcenter()`` (write.py) writes parsed entries in one transaction,
  all or nothing; ``import_text()`` parses and imports in one call. One row is
  written by rows.py, step lists by steps.py, vendors and their facts by
  vendors.py; what changed is counted in report.py.
- ``export_helpcenter()`` (export.py) writes the database as text,
  deterministically, so that export, import into an empty database and export
  again give the same text.
"""

from articles.interchange.export import export_helpcenter
from articles.interchange.locations import InterchangeError, Problem
from articles.interchange.parse import parse
from articles.interchange.report import ImportReport
from articles.interchange.schema import FORMAT, HelpCenterFile
from articles.interchange.write import import_helpcenter, import_text

__all__ = [
    "FORMAT",
    "HelpCenterFile",
    "ImportReport",
    "InterchangeError",
    "Problem",
    "export_helpcenter",
    "import_helpcenter",
    "import_text",
    "parse",
]
