"""Create the Finance role, who read and export donations; Editors may read them.

Nobody gets add, change or delete: money records change only through the
providers' events (services), never by hand in the admin. core/roles.py lists
the same grants for `apply_editorial_roles`.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

FINANCE = "Finance"
EDITORS = "Editors"
VIEW = ["view_donation", "view_donor", "view_monthlygift"]
GRANTS = {
    FINANCE: [
        ("wagtailadmin", "access_admin"),
        *[("revenue", codename) for codename in VIEW],
        ("revenue", "export_donation"),
    ],
    EDITORS: [("revenue", codename) for codename in VIEW],
}


def _permissions(apps, pairs):
    Permission = apps.get_model("auth", "Permission")
    return [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in pairs
    ]


def forwards(apps, schema_editor):
    # Permissions are normally created after all migrations ran (post_migrate);
    # a data migration that grants them creates them itself, as core/0002 does.
    for label in ("wagtailadmin", "revenue"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    for name, pairs in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*_permissions(apps, pairs))


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    revenue = Permission.objects.filter(content_type__app_label="revenue")
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.remove(*revenue)


class Migration(migrations.Migration):
    dependencies = [
        ("revenue", "0001_initial"),
        ("core", "0002_editorial_roles"),
        ("wagtailadmin", "0006_formstate"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
