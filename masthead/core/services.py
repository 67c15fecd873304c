"""Setting up a site: its address, and the local admin account of embedded mode."""

import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from wagtail.models import Site

LOCAL_ADMIN_USERNAME = "admin"


@dataclass(frozen=True)
class LocalAdmin:
    username: str
    password: str
    created: bool


def credentials_file() -> Path:
    return Path(settings.VAR_DIR) / "admin-credentials.txt"


def ensure_local_admin() -> LocalAdmin:
    """Create the embedded site's admin account once, and return its credentials.

    Only for a site on the developer's machine (DEBUG on): the password is kept in
    var/ so that a later `make run` can print it again. A production site creates
    accounts with `manage.py createsuperuser` instead.
    """
    if not settings.DEBUG:
        raise ImproperlyConfigured(
            "A local admin account is only created in embedded mode (DEBUG on); "
            "use `manage.py createsuperuser` for this site."
        )
    User = get_user_model()
    path = credentials_file()
    user = User.objects.filter(username=LOCAL_ADMIN_USERNAME).first()
    if user is not None and path.exists():
        password = path.read_text().strip()
        if user.check_password(password):
            return LocalAdmin(LOCAL_ADMIN_USERNAME, password, created=False)
    password = secrets.token_urlsafe(12)
    if user is None:
        User.objects.create_superuser(LOCAL_ADMIN_USERNAME, "admin@localhost", password)
        created = True
    else:
        # Someone changed the password or lost the file: print a fresh one.
        user.set_password(password)
        user.save(update_fields=["password"])
        created = False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(password + "\n")
    path.chmod(0o600)
    return LocalAdmin(LOCAL_ADMIN_USERNAME, password, created=created)


def sync_default_site(site_url: str) -> Site:
    """Make the default Wagtail site answer at `site_url` (SITE_URL).

    Feeds, sitemaps, structured data and admin links build absolute URLs from the
    Wagtail site record, so it has to name the address readers actually use.
    """
    parts = urlsplit(site_url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ImproperlyConfigured(
            f"SITE_URL={site_url!r} is not a web address like https://news.example.org"
        )
    port = parts.port or (443 if parts.scheme == "https" else 80)
    site = Site.objects.get(is_default_site=True)
    if (site.hostname, site.port) != (parts.hostname, port):
        site.hostname, site.port = parts.hostname, port
        site.save(update_fields=["hostname", "port"])
    return site
