"""The two staff roles, as groups: Editor prepares, Publisher publishes.

What each may do is written out here (a migration is a snapshot; the README's
admin section explains the roles to staff). An Editor may edit anything, but a
change that readers would see is kept as a pending change for a Publisher
(articles/admin/pending.py); the publishing permissions below are what a
Publisher has in addition.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITED = [
    "vendor",
    "senderaddress",
    "senderdomain",
    "iprange",
    "mailclient",
    "steplist",
    "step",
    "article",
    "articleclient",
]
VIEWED = [*EDITED, "synonym", "promotedresult", "searchquerylog", "searchclick"]

EDITOR = [
    *(f"view_{model}" for model in VIEWED),
    *(f"add_{model}" for model in EDITED),
    *(f"change_{model}" for model in EDITED),
    # Rows inside a form being prepared: a step, a client section, an address or domain of a draft vendor.
    "delete_step",
    "delete_articleclient",
    "delete_senderaddress",
    "delete_senderdomain",
]
PUBLISHER = [
    *EDITOR,
    "publish_article",
    "change_published_facts",
    "retire_iprange",
    "delete_article",
    "delete_steplist",
    *(f"{action}_{model}" for action in ("add", "change", "delete") for model in ("synonym", "promotedresult")),
]
ROLES = {"Editor": EDITOR, "Publisher": PUBLISHER}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations ran; the groups need them now.
    app_config = apps.get_app_config("articles")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(content_type__app_label="articles", codename__in=codenames)
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Permissions missing for the {name} group: {', '.join(sorted(missing))}")
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0008_revisions_and_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
