from django.db import migrations


def forwards(apps, schema_editor):
    from masthead.core.roles import apply_editorial_roles

    apply_editorial_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("news", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailredirects", "0008_add_verbose_name_plural"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
