"""The test suite: fast hashing, tasks run inline, mail kept in memory."""

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR

SECRET_KEY = "masthead-test-key"  # noqa: S105  # nosec B105 # the tests' own key
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests write buffered views themselves, inside their own database transaction.
MASTHEAD_ANALYTICS_BACKGROUND_FLUSH = False
MEDIA_ROOT = VAR_DIR / "test-media"
SERVE_MEDIA = True  # browser tests show pictures
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "test-private"},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not ":memory:", so that a worker process started by a test sees the data.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
VAR_DIR.mkdir(parents=True, exist_ok=True)
# Tests of other features build pages with factories, which publish no signal
# and so purge nothing: they render every time. masthead/caching's tests and
# tests/browser/test_page_cache.py turn the page cache on.
MASTHEAD_PAGE_CACHE = False
# Most tests sign in with force_login and no second factor; masthead/accounts'
# tests and tests/browser/test_admin_security.py turn it on.
MASTHEAD_REQUIRE_2FA = False
