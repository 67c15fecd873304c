"""Let Editors see the audience dashboard; Writers and Moderators do not."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Editors"


def forwards(apps, schema_editor):
    # Permissions are normally created after all migrations ran (post_migrate);
    # a data migration that grants them creates them itself, as core/0002 does.
    app_config = apps.get_app_config("analytics")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=EDITORS)
    group.permissions.add(
        Permission.objects.get(
            content_type__app_label="analytics", codename="view_audience"
        )
    )


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=EDITORS).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="analytics", codename="view_audience"
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_initial"),
        ("core", "0002_editorial_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
