"""`masthead_backup` and `masthead_restore`: a round trip through an empty site.

The same tests run on SQLite and, with DATABASE_URL, on PostgreSQL: build
content (articles with pictures, comments, subscribers, donations), back up,
wipe the database and the media, restore, and compare every table's rows and
every file's checksum.
"""

import hashlib
import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from masthead.comments.tests.fixtures import post_comment
from masthead.core import backups
from masthead.core.backups import table_row_counts
from masthead.news.tests.factories import ArticlePageFactory
from masthead.newsletter.tests.fixtures import confirmed_subscribers, make_list
from masthead.revenue import services as revenue
from masthead.revenue.tests.fixtures import ask, event

# Committed for real: the restore replaces the database under the test's feet.
# serialized_rollback brings Wagtail's migrated rows (root page, site) back.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def storage_roots(settings, tmp_path):
    """Media and private files in folders of this test's own."""
    media, private = tmp_path / "media", tmp_path / "private"
    settings.MEDIA_ROOT = media
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": media},
        },
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": private},
        },
    }
    return media, private


@pytest.fixture
def site_content(storage_roots, section, author):
    """A small site with something in every part that matters."""
    images = [
        Image.objects.create(title=f"Picture {n}", file=get_test_image_file())
        for n in range(2)
    ]
    for image in images:
        image.get_rendition("fill-300x200")  # renditions are files too
    articles = [
        ArticlePageFactory(parent=section, authors=[author], featured_image=image)
        for image in images
    ]
    for n, article in enumerate(articles):
        post_comment(article, f"Comment {n}: well reported.", email=f"r{n}@example.org")
    confirmed_subscribers(make_list("Morning", "morning"), 5)
    for amount in ("5", "12.50"):
        donation = revenue.create_pending(ask(amount=amount))
        revenue.apply_event("test_mode", event(donation=donation), send_receipts=False)
    private_file = storage_roots[1] / "imports" / "waiting.csv"
    private_file.parent.mkdir(parents=True)
    private_file.write_text("email\nana@example.org\n")
    return articles


def checksums(*roots: Path) -> dict[str, str]:
    return {
        f"{root.name}/{path.relative_to(root).as_posix()}": hashlib.sha256(
            path.read_bytes()
        ).hexdigest()
        for root in roots
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def wipe(storage_roots) -> None:
    """A fresh, empty database and empty media folders."""
    if connection.vendor == "sqlite":
        name = Path(connection.settings_dict["NAME"])
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{name}{suffix}").unlink(missing_ok=True)
    else:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    for root in storage_roots:
        shutil.rmtree(root, ignore_errors=True)
    assert table_row_counts() == {}


def backup(tmp_path) -> Path:
    out = io.StringIO()
    call_command("masthead_backup", output=str(tmp_path / "backups"), stdout=out)
    (archive,) = (tmp_path / "backups").glob("masthead-*.tar.gz")
    assert str(archive) in out.getvalue()
    return archive


def test_round_trip_restores_every_row_and_every_file(
    site_content, storage_roots, tmp_path
):
    with connection.cursor() as cursor:
        # As the hourly optimize task does; SQLite then keeps statistics in a
        # table of its own (sqlite_stat1), which is no table of the site's.
        cursor.execute("ANALYZE")
    rows_before = table_row_counts()
    files_before = checksums(*storage_roots)
    assert rows_before["news_articlepage"] == 2
    assert rows_before["comments_comment"] == 2
    assert rows_before["newsletter_subscriber"] == 5
    assert rows_before["revenue_donation"] == 2
    assert any(name.startswith("media/original_images/") for name in files_before)
    assert any(name.startswith("media/images/") for name in files_before)
    assert "private/imports/waiting.csv" in files_before

    archive = backup(tmp_path)
    wipe(storage_roots)
    out = io.StringIO()
    call_command("masthead_restore", str(archive), stdout=out)

    assert table_row_counts() == rows_before
    assert checksums(*storage_roots) == files_before
    assert f"{sum(rows_before.values()):,} rows" in out.getvalue()
    assert f"{len(files_before)} files" in out.getvalue()
    # The restored site works: its pages and pictures are all there.
    restored = Image.objects.get(title="Picture 0")
    assert restored.file.storage.exists(restored.file.name)


def test_manifest_lists_rows_per_table_and_checksums(site_content, tmp_path):
    archive = backup(tmp_path)

    with tarfile.open(archive) as opened:
        manifest = json.load(opened.extractfile("manifest.json"))
        names = set(opened.getnames())
    database = manifest["database"]
    assert database["vendor"] == connection.vendor
    assert database["tables"] == table_row_counts()
    assert database["file"] in names
    assert set(manifest["files"]) <= names
    assert all(len(checksum) == 64 for checksum in manifest["files"].values())


def test_restore_refuses_a_database_with_tables_unless_forced(
    site_content, storage_roots, tmp_path
):
    archive = backup(tmp_path)
    rows_before = table_row_counts()
    post_comment(site_content[0], "Written after the backup.", email="late@example.org")

    with pytest.raises(CommandError, match="already has .* tables.*--force"):
        call_command("masthead_restore", str(archive), stdout=io.StringIO())
    assert table_row_counts()["comments_comment"] == 3  # untouched

    call_command("masthead_restore", str(archive), force=True, stdout=io.StringIO())
    assert table_row_counts() == rows_before


def test_restore_refuses_files_in_the_way_unless_forced(
    site_content, storage_roots, tmp_path
):
    archive = backup(tmp_path)
    wipe(storage_roots)
    storage_roots[0].mkdir(parents=True)
    (storage_roots[0] / "stray.txt").write_text("left behind")

    with pytest.raises(CommandError, match="default storage already holds files"):
        call_command("masthead_restore", str(archive), stdout=io.StringIO())
    assert table_row_counts() == {}

    call_command("masthead_restore", str(archive), force=True, stdout=io.StringIO())
    assert (storage_roots[0] / "stray.txt").read_text() == "left behind"
    assert table_row_counts()["revenue_donation"] == 2


def test_a_damaged_archive_is_refused_and_nothing_is_restored(
    site_content, storage_roots, tmp_path
):
    archive = backup(tmp_path)
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as target:
        pictures = [m for m in source.getmembers() if "original_images/" in m.name]
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member is pictures[0]:
                data = data[:-10] + b"0123456789"  # a changed tail
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    wipe(storage_roots)

    with pytest.raises(CommandError, match="damaged: 1 file"):
        call_command("masthead_restore", str(damaged), stdout=io.StringIO())
    assert table_row_counts() == {}
    assert not storage_roots[0].exists()

    call_command("masthead_restore", str(archive), stdout=io.StringIO())
    assert table_row_counts()["revenue_donation"] == 2


def test_restore_names_a_missing_archive(db, tmp_path):
    with pytest.raises(CommandError, match="There is no archive at"):
        call_command("masthead_restore", str(tmp_path / "nope.tar.gz"))


def test_s3_media_is_named_in_the_report_not_pretended(
    site_content, settings, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"bucket_name": "masthead-media"},
        },
    }
    out = io.StringIO()
    call_command("masthead_backup", output=str(tmp_path / "s3.tar.gz"), stdout=out)

    assert "Note: media files are on S3 and are not in this archive" in out.getvalue()
    with tarfile.open(tmp_path / "s3.tar.gz") as opened:
        manifest = json.load(opened.extractfile("manifest.json"))
    assert not any(name.startswith("media/") for name in manifest["files"])
    assert "private/imports/waiting.csv" in manifest["files"]
    assert manifest["notes"] == [backups.S3_NOTE]


def test_missing_postgresql_tools_are_a_clear_error(monkeypatch):
    monkeypatch.setattr(backups.shutil, "which", lambda name: None)

    with pytest.raises(backups.BackupError, match="pg_dump was not found.*client"):
        backups._postgres_tool("pg_dump")
