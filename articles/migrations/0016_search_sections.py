"""Sections as search units: ``SearchSection`` and its full-text index on each database.

As 0002 does for the documents: PostgreSQL fills ``vector`` by trigger (the
section's name and aliases weighted A, its text B) with a GIN index; SQLite
mirrors the rows into the FTS5 table ``articles_searchsection_fts``, same
tokenizer as the documents', kept in step by the triggers FTS5's documentation
gives for an external-content table.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models


POSTGRESQL_FORWARDS = [
    """
    CREATE FUNCTION articles_searchsection_vector() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.vector :=
            setweight(to_tsvector('english', translate(NEW.name || ' ' || NEW.aliases, '/<>', '   ')), 'A')
            || setweight(to_tsvector('english', translate(NEW.text, '/<>', '   ')), 'B');
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER articles_searchsection_vector BEFORE INSERT OR UPDATE ON articles_searchsection
    FOR EACH ROW EXECUTE FUNCTION articles_searchsection_vector()
    """,
    "CREATE INDEX articles_searchsection_vector_gin ON articles_searchsection USING gin (vector)",
]
POSTGRESQL_BACKWARDS = [
    "DROP INDEX IF EXISTS articles_searchsection_vector_gin",
    "DROP TRIGGER IF EXISTS articles_searchsection_vector ON articles_searchsection",
    "DROP FUNCTION IF EXISTS articles_searchsection_vector()",
]
_COLUMNS = "name, aliases, text"
SQLITE_FORWARDS = [
    f"""
    CREATE VIRTUAL TABLE articles_searchsection_fts USING fts5(
        {_COLUMNS}, content='articles_searchsection', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )
    """,
    f"""
    CREATE TRIGGER articles_searchsection_fts_insert AFTER INSERT ON articles_searchsection BEGIN
        INSERT INTO articles_searchsection_fts(rowid, {_COLUMNS}) VALUES (new.id, new.name, new.aliases, new.text);
    END
    """,
    f"""
    CREATE TRIGGER articles_searchsection_fts_delete AFTER DELETE ON articles_searchsection BEGIN
        INSERT INTO articles_searchsection_fts(articles_searchsection_fts, rowid, {_COLUMNS})
        VALUES ('delete', old.id, old.name, old.aliases, old.text);
    END
    """,
    f"""
    CREATE TRIGGER articles_searchsection_fts_update AFTER UPDATE ON articles_searchsection BEGIN
        INSERT INTO articles_searchsection_fts(articles_searchsection_fts, rowid, {_COLUMNS})
        VALUES ('delete', old.id, old.name, old.aliases, old.text);
        INSERT INTO articles_searchsection_fts(rowid, {_COLUMNS}) VALUES (new.id, new.name, new.aliases, new.text);
    END
    """,
]
SQLITE_BACKWARDS = [
    "DROP TRIGGER IF EXISTS articles_searchsection_fts_update",
    "DROP TRIGGER IF EXISTS articles_searchsection_fts_delete",
    "DROP TRIGGER IF EXISTS articles_searchsection_fts_insert",
    "DROP TABLE IF EXISTS articles_searchsection_fts",
]


def _run(schema_editor, statements_by_vendor):
    vendor = schema_editor.connection.vendor
    if vendor not in statements_by_vendor:
        raise RuntimeError(f"Search needs PostgreSQL or SQLite, not {vendor}.")
    for statement in statements_by_vendor[vendor]:
        schema_editor.execute(statement)


def create_index(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL_FORWARDS, "sqlite": SQLITE_FORWARDS})


def drop_index(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL_BACKWARDS, "sqlite": SQLITE_BACKWARDS})


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0015_feedback"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchSection",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "position",
                    models.PositiveSmallIntegerField(help_text="The section's place in the article's page."),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("top", "Top of the article"),
                            ("heading", "Heading"),
                            ("client", "Mail client"),
                            ("it", "IT section"),
                        ],
                        max_length=10,
                    ),
                ),
                ("anchor", models.CharField(blank=True, max_length=80)),
                ("name", models.TextField(blank=True)),
                ("aliases", models.TextField(blank=True)),
                ("text", models.TextField(blank=True)),
                ("vector", django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="search_sections",
                        to="articles.article",
                    ),
                ),
            ],
            options={
                "verbose_name": "search section",
                "verbose_name_plural": "search sections",
                "ordering": ["article", "position"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("article", "position"), name="unique_search_section_position"
                    )
                ],
            },
        ),
        migrations.RunPython(create_index, drop_index),
    ]
