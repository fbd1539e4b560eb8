"""Search at scale on PostgreSQL: what the ranking reads is kept small and in indexes.

- Search documents keep only their short columns and the head vector in the
  row; body, details and the full vector go out of line (TOAST) at once
  rather than past 2 kB. A scan over thousands of head matches then reads a
  few hundred pages instead of thousands. Existing rows are rewritten.
- Two covering indexes answer the search's most frequent probes from the
  index alone: "is this article public (and of this vendor, this kind)?" and
  "which ranges start where a network of this address could start, and end
  after it?", so that of a million ranges only the rows found are read.

SQLite has no such storage settings, and ``Index(include=...)`` only warns
there, so this migration does nothing on SQLite.
"""

from django.db import migrations

POSTGRESQL_FORWARDS = [
    "ALTER TABLE articles_searchdocument SET (toast_tuple_target = 128)",
    "ALTER TABLE articles_searchdocument ALTER COLUMN head_vector SET STORAGE MAIN",
    # Rewrites every row under the new settings (the trigger computes the same vectors).
    "UPDATE articles_searchdocument SET indexed_at = indexed_at",
    # Built without locking out writes: a site with a million ranges keeps taking edits.
    "CREATE INDEX CONCURRENTLY iprange_covering_idx ON articles_iprange "
    '(version, start) INCLUDE ("end", retired_on, id)',
    "CREATE INDEX CONCURRENTLY article_public_covering_idx ON articles_article (id) "
    "INCLUDE (status, published_at, vendor_id, kind)",
]
POSTGRESQL_BACKWARDS = [
    "DROP INDEX IF EXISTS article_public_covering_idx",
    "DROP INDEX IF EXISTS iprange_covering_idx",
    "ALTER TABLE articles_searchdocument ALTER COLUMN head_vector SET STORAGE EXTENDED",
    "ALTER TABLE articles_searchdocument RESET (toast_tuple_target)",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("articles", "0003_vendor_facts_changed_help"),
    ]

    operations = [
        migrations.RunPython(_run(POSTGRESQL_FORWARDS), _run(POSTGRESQL_BACKWARDS)),
    ]
