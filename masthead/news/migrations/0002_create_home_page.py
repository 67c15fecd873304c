from django.db import migrations


def create_home_page(apps, schema_editor):
    """Replace Wagtail's welcome page with our HomePage as the default site's root."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    HomePage = apps.get_model("news", "HomePage")

    if HomePage.objects.exists():
        return
    Page.objects.filter(depth=2, content_type__model="page",
                        content_type__app_label="wagtailcore").delete()
    root = Page.objects.get(depth=1)
    home_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="news")
    home = HomePage.objects.create(
        title="Home", draft_title="Home", slug="home", content_type=home_type,
        path=f"{root.path}0001", depth=2, numchild=0, url_path="/home/", live=True,
        locale_id=root.locale_id,
    )
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page_id": home.id,
                  "site_name": "Masthead"},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_home_page, migrations.RunPython.noop)]
