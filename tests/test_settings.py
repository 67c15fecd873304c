"""Settings come from the environment; production refuses what would be unsafe."""

import json
import subprocess
import sys

import pytest

from .processes import ROOT, clean_env

STRONG_KEY = "prod-Key-for-tests-0123456789-abcdefghijklmnopqrstuvwxyz"
PRINT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "db": settings.DATABASES["default"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"].get("LOCATION"),
    "email_backend": settings.EMAIL_BACKEND,
    "email_host": getattr(settings, "EMAIL_HOST", None),
    "email_port": getattr(settings, "EMAIL_PORT", None),
    "media": settings.STORAGES["default"],
    "tasks": settings.TASKS["default"]["BACKEND"],
    "site_url": settings.SITE_URL,
    "debug": settings.DEBUG,
    "pages_cache": settings.CACHES["pages"]["BACKEND"],
    "pages_prefix": settings.CACHES["pages"].get("KEY_PREFIX"),
    "replica": settings.DATABASES.get("replica"),
    "purge": getattr(settings, "WAGTAILFRONTENDCACHE", {}),
    "search": settings.WAGTAILSEARCH_BACKENDS["default"],
}, default=str))
"""


def run_python(code: str, module: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean_env(DJANGO_SETTINGS_MODULE=module, **env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def settings_of(module: str = "masthead.settings.dev", **env: str) -> dict:
    result = run_python(PRINT_SETTINGS, module, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_embedded_default_needs_no_service(tmp_path):
    values = settings_of(MASTHEAD_VAR_DIR=str(tmp_path))

    assert values["db"]["ENGINE"] == "django.db.backends.sqlite3"
    assert values["db"]["NAME"] == str(tmp_path / "masthead.sqlite3")
    assert "journal_mode=WAL" in values["db"]["OPTIONS"]["init_command"]
    assert values["cache"].endswith("LocMemCache")
    # Pages in files: every app process sees a purge made by another.
    assert values["pages_cache"] == "masthead.caching.backends.PageFileCache"
    assert values["search"]["BACKEND"] == "wagtail.search.backends.database"
    assert values["replica"] is None and values["purge"] == {}
    assert values["email_backend"].endswith("filebased.EmailBackend")
    assert values["tasks"] == "django_tasks_db.DatabaseBackend"
    assert values["media"]["BACKEND"].endswith("FileSystemStorage")


def test_environment_moves_the_site_to_scale():
    values = settings_of(
        DATABASE_URL="postgres://news:secret@db.internal:5433/masthead",
        REDIS_URL="redis://cache.internal:6379/2",
        EMAIL_URL="smtp+tls://mailer:pw@smtp.example.org:587",
        MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="masthead-media",
        SITE_URL="https://news.example.org/",
        DATABASE_REPLICA_URL="postgres://news:secret@replica.internal:5432/masthead",
        MASTHEAD_PURGE_URL="http://10.0.0.5:80,http://10.0.0.6:80",
        OPENSEARCH_URL="https://search.internal:9200",
    )

    assert values["db"]["ENGINE"] == "django.db.backends.postgresql"
    assert values["db"]["HOST"] == "db.internal" and values["db"]["PORT"] == 5433
    assert values["db"]["CONN_HEALTH_CHECKS"] is True
    assert values["cache"] == "django_redis.cache.RedisCache"
    assert values["cache_location"] == "redis://cache.internal:6379/2"
    assert values["email_backend"].endswith("smtp.EmailBackend")
    assert (values["email_host"], values["email_port"]) == ("smtp.example.org", 587)
    assert values["media"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert values["media"]["OPTIONS"]["bucket_name"] == "masthead-media"
    assert values["site_url"] == "https://news.example.org"
    assert values["pages_cache"] == "django_redis.cache.RedisCache"
    assert values["pages_prefix"] == "masthead:pages"
    assert values["replica"]["HOST"] == "replica.internal"
    assert values["replica"]["TEST"]["MIRROR"] == "default"
    assert [b["LOCATION"] for b in values["purge"].values()] == [
        "http://10.0.0.5:80",
        "http://10.0.0.6:80",
    ]
    assert values["search"]["BACKEND"] == "modelsearch.backends.opensearch3"
    assert values["search"]["URLS"] == ["https://search.internal:9200"]


def test_a_cdn_in_front_is_purged_through_its_api():
    values = settings_of(
        MASTHEAD_PURGE_URL="http://127.0.0.1:80",
        CLOUDFLARE_ZONE_ID="zone-7",
        CLOUDFLARE_BEARER_TOKEN="purge-token",
        CLOUDFRONT_DISTRIBUTION_ID="E2EXAMPLE",
    )

    assert values["purge"] == {
        "nginx-1": {
            "BACKEND": "masthead.caching.frontend.NginxPurgeBackend",
            "LOCATION": "http://127.0.0.1:80",
        },
        "cloudflare": {
            "BACKEND": "masthead.caching.frontend.CloudflareBackend",
            "ZONEID": "zone-7",
            "BEARER_TOKEN": "purge-token",
        },
        "cloudfront": {
            "BACKEND": "masthead.caching.frontend.CloudFrontBackend",
            "DISTRIBUTION_ID": "E2EXAMPLE",
        },
    }


@pytest.mark.parametrize(
    "env",
    [{"CLOUDFLARE_ZONE_ID": "zone-7"}, {"CLOUDFLARE_BEARER_TOKEN": "purge-token"}],
)
def test_half_a_cloudflare_configuration_is_refused(env):
    result = run_python("import django; django.setup()", "masthead.settings.dev", **env)

    assert result.returncode != 0
    assert "needs both CLOUDFLARE_ZONE_ID and CLOUDFLARE_BEARER_TOKEN" in result.stderr


def test_an_esp_through_anymail():
    values = settings_of(ANYMAIL_ESP="postmark")

    assert values["email_backend"] == "anymail.backends.postmark.EmailBackend"


def test_unknown_media_storage_is_named_in_the_error():
    result = run_python(
        "import django; django.setup()", "masthead.settings.dev", MEDIA_STORAGE="floppy"
    )

    assert result.returncode != 0
    assert "MEDIA_STORAGE='floppy' is not known" in result.stderr


SAFE_PRODUCTION = {
    "SECRET_KEY": STRONG_KEY,
    "ALLOWED_HOSTS": "news.example.org",
    "SITE_URL": "https://news.example.org",
    "DEFAULT_FROM_EMAIL": "The Ledger <news@example.org>",
}


def production_settings(**changes: str | None) -> subprocess.CompletedProcess:
    """Production settings loaded from SAFE_PRODUCTION with `changes` (None: unset)."""
    env = {**SAFE_PRODUCTION, **changes}
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps([settings.DEFAULT_FROM_EMAIL, settings.SERVER_EMAIL, "
        "settings.SERVE_MEDIA, settings.WAGTAILDOCS_SERVE_METHOD]))"
    )
    return run_python(
        code,
        "masthead.settings.production",
        **{name: value for name, value in env.items() if value is not None},
    )


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY must be set"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS must be set"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY is too weak"),
        ({"SITE_URL": None}, "SITE_URL must be set"),
        ({"SITE_URL": "http://news.example.org"}, "must start with https://"),
        ({"SITE_URL": "news.example.org"}, "must start with https://"),
        (
            {"SITE_URL": "https://other.example.org"},
            "names a host ALLOWED_HOSTS does not list",
        ),
        ({"DEFAULT_FROM_EMAIL": None}, "DEFAULT_FROM_EMAIL must be set"),
        (
            {"DEFAULT_FROM_EMAIL": "Masthead <news@localhost>"},
            "DEFAULT_FROM_EMAIL='Masthead <news@localhost>' is not an address",
        ),
        ({"DEFAULT_FROM_EMAIL": "newsroom"}, "DEFAULT_FROM_EMAIL='newsroom'"),
        ({"SERVER_EMAIL": "root@mail.localhost"}, "SERVER_EMAIL='root@mail"),
    ],
)
def test_production_refuses_to_start_without_safe_configuration(changes, named):
    result = production_settings(**changes)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr


def test_the_error_suggests_a_sender_named_after_the_site():
    result = production_settings(DEFAULT_FROM_EMAIL=None, SITE_NAME="The Ledger")

    assert "'The Ledger <news@news.example.org>'" in result.stderr


def test_a_bare_sender_address_gets_the_sites_name():
    result = production_settings(
        DEFAULT_FROM_EMAIL="letters@example.org", SITE_NAME="The Daily Ledger"
    )
    assert result.returncode == 0, result.stderr

    sender, server, _, _ = json.loads(result.stdout)
    assert sender == server == "The Daily Ledger <letters@example.org>"


def test_a_site_without_tls_must_say_so():
    result = production_settings(
        SITE_URL="http://news.example.org", SITE_URL_ALLOW_HTTP="true"
    )

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("site_url", "allowed_hosts"),
    [
        ("https://News.example.org:8443/", "news.example.org"),
        ("https://[2001:db8::1]:8443", "[2001:db8::1]"),
        ("https://news.example.org", ".example.org"),
    ],
)
def test_the_site_urls_host_is_matched_as_django_matches_a_request(
    site_url, allowed_hosts
):
    result = production_settings(SITE_URL=site_url, ALLOWED_HOSTS=allowed_hosts)

    assert result.returncode == 0, result.stderr


def test_production_serves_local_pictures_and_documents_through_their_view():
    local = production_settings()
    bucket = production_settings(MEDIA_STORAGE="s3", AWS_STORAGE_BUCKET_NAME="m")
    assert local.returncode == 0, local.stderr
    assert bucket.returncode == 0, bucket.stderr

    assert json.loads(local.stdout)[2:] == [True, "serve_view"]
    assert json.loads(bucket.stdout)[2:] == [False, "serve_view"]


def test_production_passes_the_deploy_check(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=clean_env(
            DJANGO_SETTINGS_MODULE="masthead.settings.production",
            MASTHEAD_VAR_DIR=str(tmp_path),
            **SAFE_PRODUCTION,
        ),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
