"""Search: the index, the word list, synonyms, analytics and read counts.

Each database gets its own full-text index of ``SearchDocument``, kept in
step by triggers so that any write to a document updates it in the same
statement: PostgreSQL a weighted ``search_vector`` (GIN) and pg_trgm for the
word list; SQLite an FTS5 table. The same migration applies on both: the
database-specific parts check ``schema_editor.connection.vendor``.
"""

import django.contrib.postgres.search
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


DOCUMENT_COLUMNS = "title, vendor_name, summary, sections, body, details"

POSTGRESQL_FORWARDS = [
    # Kept on the way back: other things in the database may use it. (Django's
    # TrigramExtension would do, but its reverse runs PostgreSQL SQL on SQLite.)
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # Title and vendor name weigh most, then summary and section names, then
    # body, then steps and facts. Slashes split words ("SPF/DKIM") that the
    # english parser would otherwise read as one file path, and angle brackets
    # go, or the parser would take "<vendor>" in a code example for an HTML tag.
    """
    CREATE FUNCTION articles_searchdocument_vector() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.head_vector :=
            setweight(to_tsvector('english', translate(NEW.title || ' ' || NEW.vendor_name, '/<>', '   ')), 'A')
            || setweight(to_tsvector('english', translate(NEW.summary || ' ' || NEW.sections, '/<>', '   ')), 'B');
        NEW.search_vector :=
            NEW.head_vector
            || setweight(to_tsvector('english', translate(NEW.body, '/<>', '   ')), 'C')
            || setweight(to_tsvector('english', translate(NEW.details, '/<>', '   ')), 'D');
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER articles_searchdocument_vector BEFORE INSERT OR UPDATE ON articles_searchdocument
    FOR EACH ROW EXECUTE FUNCTION articles_searchdocument_vector()
    """,
    "CREATE INDEX articles_searchdocument_vector_gin ON articles_searchdocument USING gin (search_vector)",
    "CREATE INDEX articles_searchdocument_head_gin ON articles_searchdocument USING gin (head_vector)",
    "CREATE INDEX articles_searchterm_trigram_gist ON articles_searchterm USING gist (term gist_trgm_ops)",
]
POSTGRESQL_BACKWARDS = [
    "DROP INDEX IF EXISTS articles_searchterm_trigram_gist",
    "DROP INDEX IF EXISTS articles_searchdocument_head_gin",
    "DROP INDEX IF EXISTS articles_searchdocument_vector_gin",
    "DROP TRIGGER IF EXISTS articles_searchdocument_vector ON articles_searchdocument",
    "DROP FUNCTION IF EXISTS articles_searchdocument_vector()",
]

_NEW_ROW = "new.article_id, new.title, new.vendor_name, new.summary, new.sections, new.body, new.details"
_OLD_ROW = "old.article_id, old.title, old.vendor_name, old.summary, old.sections, old.body, old.details"
SQLITE_FORWARDS = [
    f"""
    CREATE VIRTUAL TABLE articles_searchdocument_fts USING fts5(
        {DOCUMENT_COLUMNS},
        content='articles_searchdocument', content_rowid='article_id',
        tokenize='porter unicode61 remove_diacritics 2', prefix='2 3 4'
    )
    """,
    # The triggers FTS5's documentation gives for an external-content table.
    f"""
    CREATE TRIGGER articles_searchdocument_fts_insert AFTER INSERT ON articles_searchdocument BEGIN
        INSERT INTO articles_searchdocument_fts(rowid, {DOCUMENT_COLUMNS}) VALUES ({_NEW_ROW});
    END
    """,
    f"""
    CREATE TRIGGER articles_searchdocument_fts_delete AFTER DELETE ON articles_searchdocument BEGIN
        INSERT INTO articles_searchdocument_fts(articles_searchdocument_fts, rowid, {DOCUMENT_COLUMNS})
        VALUES ('delete', {_OLD_ROW});
    END
    """,
    f"""
    CREATE TRIGGER articles_searchdocument_fts_update AFTER UPDATE ON articles_searchdocument BEGIN
        INSERT INTO articles_searchdocument_fts(articles_searchdocument_fts, rowid, {DOCUMENT_COLUMNS})
        VALUES ('delete', {_OLD_ROW});
        INSERT INTO articles_searchdocument_fts(rowid, {DOCUMENT_COLUMNS}) VALUES ({_NEW_ROW});
    END
    """,
]
SQLITE_BACKWARDS = [
    "DROP TRIGGER IF EXISTS articles_searchdocument_fts_update",
    "DROP TRIGGER IF EXISTS articles_searchdocument_fts_delete",
    "DROP TRIGGER IF EXISTS articles_searchdocument_fts_insert",
    "DROP TABLE IF EXISTS articles_searchdocument_fts",
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


SEED_SYNONYMS = [
    "whitelist, allowlist, safelist, safe senders, approved senders, trusted senders",
    "spam, junk, bulk",
    "outlook, hotmail, outlook.com",
    "microsoft 365, office 365, o365, exchange online",
]


def seed_synonyms(apps, schema_editor):
    Synonym = apps.get_model("articles", "Synonym")
    Synonym.objects.bulk_create([Synonym(terms=terms) for terms in SEED_SYNONYMS])


def unseed_synonyms(apps, schema_editor):
    apps.get_model("articles", "Synonym").objects.filter(terms__in=SEED_SYNONYMS).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchDocument',
            fields=[
                ('article', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='search_document', serialize=False, to='articles.article')),
                ('title', models.TextField()),
                ('vendor_name', models.TextField(blank=True)),
                ('summary', models.TextField(blank=True)),
                ('sections', models.TextField(blank=True, help_text='The names of the mail client sections.')),
                ('body', models.TextField(blank=True)),
                ('details', models.TextField(blank=True, help_text='Steps, sender addresses, domains and IP ranges.')),
                ('search_vector', django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
                ('head_vector', django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
                ('indexed_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': 'search document',
                'verbose_name_plural': 'search documents',
            },
        ),
        migrations.CreateModel(
            name='SearchQueryLog',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('query', models.CharField(max_length=200, verbose_name='query')),
                ('normalised', models.CharField(db_index=True, max_length=200, verbose_name='normalised query')),
                ('kind', models.CharField(choices=[('text', 'Words'), ('ip', 'IP address or range'), ('sender', 'Email address or domain')], default='text', max_length=10, verbose_name='kind')),
                ('result_count', models.PositiveIntegerField(verbose_name='results')),
                ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='searched at')),
            ],
            options={
                'verbose_name': 'search',
                'verbose_name_plural': 'searches',
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='SearchTerm',
            fields=[
                ('term', models.CharField(max_length=40, primary_key=True, serialize=False)),
            ],
            options={
                'verbose_name': 'search term',
                'verbose_name_plural': 'search terms',
            },
        ),
        migrations.CreateModel(
            name='Synonym',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('terms', models.TextField(help_text='Words or short phrases that mean the same, separated by commas, e.g. “whitelist, allowlist, safe senders”.', verbose_name='terms')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
            ],
            options={
                'verbose_name': 'synonym group',
                'verbose_name_plural': 'synonym groups',
                'ordering': ['terms'],
            },
        ),
        migrations.CreateModel(
            name='ArticleReadCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('count', models.PositiveIntegerField(default=0)),
                ('article', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='read_counts', to='articles.article')),
            ],
            options={
                'verbose_name': 'article reads on a day',
                'verbose_name_plural': 'article reads per day',
                'indexes': [models.Index(fields=['day'], name='read_count_day_idx')],
                'constraints': [models.UniqueConstraint(fields=('article', 'day'), name='unique_read_count_per_day')],
            },
        ),
        migrations.CreateModel(
            name='PromotedResult',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('query', models.CharField(help_text='The search, as readers type it; capitals and extra spaces do not matter.', max_length=200, verbose_name='query')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('article', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='promotions', to='articles.article')),
            ],
            options={
                'verbose_name': 'promoted result',
                'verbose_name_plural': 'promoted results',
                'ordering': ['query', 'article__title'],
                'constraints': [models.UniqueConstraint(fields=('query', 'article'), name='unique_promotion_per_query', violation_error_message='That article is already promoted for this query.')],
            },
        ),
        migrations.CreateModel(
            name='SearchClick',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveSmallIntegerField(verbose_name='position in the results')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('article', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='articles.article')),
                ('log', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='clicks', to='articles.searchquerylog')),
            ],
            options={
                'verbose_name': 'search click',
                'verbose_name_plural': 'search clicks',
                'constraints': [models.UniqueConstraint(fields=('log', 'article'), name='unique_click_per_search')],
            },
        ),
        migrations.RunPython(create_index, drop_index),
        migrations.RunPython(seed_synonyms, unseed_synonyms),
    ]
