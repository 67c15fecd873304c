"""Editors run the newsletter: lists, issues, sending, subscribers and their CSVs.

core/roles.py lists the same grants for `apply_editorial_roles`.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Editors"
CODENAMES = [
    "add_newsletterlist",
    "change_newsletterlist",
    "delete_newsletterlist",
    "view_newsletterlist",
    "add_issue",
    "change_issue",
    "delete_issue",
    "view_issue",
    "send_issue",
    "view_subscriber",
    "change_subscriber",
    "delete_subscriber",
    "export_subscriber",
    "import_subscriber",
]


def forwards(apps, schema_editor):
    # Permissions are normally created after all migrations ran (post_migrate);
    # a data migration that grants them creates them itself.
    app_config = apps.get_app_config("newsletter")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=EDITORS)
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="newsletter", codename__in=CODENAMES
        )
    )


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=EDITORS):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="newsletter")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("newsletter", "0001_initial"),
        ("core", "0002_editorial_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
