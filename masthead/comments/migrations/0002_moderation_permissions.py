"""Let Moderators and Editors moderate comments; Editors also set the rules.

Writers get nothing here: they write articles, they do not moderate readers.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODERATORS = "Moderators"
EDITORS = "Editors"
MODERATION = ["view_comment", "change_comment", "moderate_comment"]
GRANTS = {
    MODERATORS: MODERATION,
    EDITORS: [*MODERATION, "change_commentsettings"],
}


def _comment_permission(apps, codename):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.get(content_type__app_label="comments", codename=codename)


def forwards(apps, schema_editor):
    # Permissions are normally created after all migrations ran (post_migrate);
    # a data migration that grants them creates them itself, as core/0002 does.
    app_config = apps.get_app_config("comments")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    for name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*[_comment_permission(apps, c) for c in codenames])


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label="comments", codename__in=codenames
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0001_initial"),
        ("core", "0002_editorial_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
