"""Pending changes to published articles, and withdrawal at a set time (issue 9, points 4 and 5)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The search's "is this article public?" probe (migration 0004) reads the withdrawal time too now:
# kept in the covering index so the probe stays index-only. The article table is small (staff
# write its rows), so the index is rebuilt in the migration's transaction.
POSTGRESQL_FORWARDS = [
    "DROP INDEX IF EXISTS article_public_covering_idx",
    "CREATE INDEX article_public_covering_idx ON articles_article (id) "
    "INCLUDE (status, published_at, unpublish_at, vendor_id, kind)",
]
POSTGRESQL_BACKWARDS = [
    "DROP INDEX IF EXISTS article_public_covering_idx",
    "CREATE INDEX article_public_covering_idx ON articles_article (id) "
    "INCLUDE (status, published_at, vendor_id, kind)",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0010_review'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='article',
            name='unpublish_at',
            field=models.DateTimeField(blank=True, help_text='Readers stop seeing the article at this time, by itself; empty means never.', null=True, verbose_name='withdrawal time'),
        ),
        migrations.AddField(
            model_name='searchdocument',
            name='public_until',
            field=models.DateTimeField(help_text="The article's withdrawal time, if it has one: from then on readers no longer find it.", null=True),
        ),
        migrations.CreateModel(
            name='PendingChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('data', models.JSONField(help_text='The change form as it was posted: each field name with its list of values.', verbose_name='posted form')),
                ('form_fields', models.JSONField(default=list, help_text="The fields the editor's form had: publishing replays the data through those only.", verbose_name='form fields')),
                ('base_edit_version', models.PositiveIntegerField(help_text="The live article's edit version the change was made from; a later save makes it stale.", verbose_name='based on edit version')),
                ('comment', models.CharField(blank=True, max_length=300, verbose_name='comment')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='last saved')),
                ('publish_at', models.DateTimeField(blank=True, help_text='The worker publishes the change at this time; empty means it waits for a publisher.', null=True, verbose_name='publish at')),
                ('problem', models.CharField(blank=True, help_text='Why the worker could not publish the change at its time, if it could not.', max_length=300, verbose_name='problem')),
                ('article', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='pending_change', to='articles.article', verbose_name='article')),
                ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='author')),
                ('scheduled_by', models.ForeignKey(blank=True, help_text='The publisher who set the time: the worker publishes in their name.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='scheduled by')),
            ],
            options={
                'verbose_name': 'pending change',
                'verbose_name_plural': 'pending changes',
                'ordering': ['article', 'pk'],
                'indexes': [models.Index(fields=['publish_at'], name='pending_change_due_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('publish_at__isnull', True), ('scheduled_by__isnull', False), _connector='OR'), name='scheduled_pending_change_has_publisher', violation_error_message='A pending change set to be published at a time needs a publisher.')],
            },
        ),
        migrations.RunPython(_run(POSTGRESQL_FORWARDS), _run(POSTGRESQL_BACKWARDS)),
    ]
