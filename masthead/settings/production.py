"""Serving the public. Refuses to start on unsafe configuration."""

from email.utils import formataddr, parseaddr
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.http.request import validate_host

from .base import *  # noqa: F403
from .base import (
    LOGGING,
    MEDIA_STORAGE,
    MIDDLEWARE,
    SECRET_KEY,
    SITE_URL,
    STATIC_ROOT,
    STORAGES,
    WAGTAIL_SITE_NAME,
    env,
)

DEBUG = False


def _require(name: str, value, hint: str) -> None:
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in production: {hint}")


_require(
    "SECRET_KEY",
    SECRET_KEY,
    "a long random string, e.g. "
    "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`.",
)
if (
    len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
    or SECRET_KEY.startswith("django-insecure")
):
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak for production: use at least 50 random characters."
    )
_require(
    "ALLOWED_HOSTS",
    env.list("ALLOWED_HOSTS", default=[]),
    "the comma-separated host names this site answers to, e.g. news.example.org.",
)

# Links in mails, feeds and the admin are built on SITE_URL, not on a request:
# base.py's default (http://127.0.0.1:PORT) would send every reader to loopback.
_require(
    "SITE_URL",
    env.str("SITE_URL", default=""),
    "the address readers use, e.g. https://news.example.org.",
)
_site = urlsplit(SITE_URL)
if _site.scheme != "https" and not (
    _site.scheme == "http" and env.bool("SITE_URL_ALLOW_HTTP", default=False)
):
    raise ImproperlyConfigured(
        f"SITE_URL={SITE_URL!r} must start with https:// in production "
        "(SITE_URL_ALLOW_HTTP=true allows http:// for a site without TLS)."
    )
# As Django compares a request's Host: no port, an IPv6 address in brackets.
_site_host = f"[{_site.hostname}]" if ":" in (_site.hostname or "") else _site.hostname
if not _site_host or not validate_host(_site_host, env.list("ALLOWED_HOSTS")):
    raise ImproperlyConfigured(
        f"SITE_URL={SITE_URL!r} names a host ALLOWED_HOSTS does not list: "
        "links to it would be refused."
    )


def _sender(variable: str, value: str) -> str:
    """The address with the site's name shown, or an error naming `variable`."""
    name, address = parseaddr(value)
    domain = address.rpartition("@")[2].lower()
    if "@" not in address or "." not in domain or domain.endswith("localhost"):
        raise ImproperlyConfigured(
            f"{variable}={value!r} is not an address mail can come from: set it to "
            f"one at the site's own domain, e.g. '{WAGTAIL_SITE_NAME} "
            f"<news@{_site.hostname}>'."
        )
    return formataddr((name or WAGTAIL_SITE_NAME, address))


# Mail from @localhost is refused or marked as spam by every receiving server; no
# default is guessed, since only the operator knows which domain may send.
_require(
    "DEFAULT_FROM_EMAIL",
    env.str("DEFAULT_FROM_EMAIL", default=""),
    f"the sender of the site's mail, e.g. '{WAGTAIL_SITE_NAME} "
    f"<news@{_site.hostname}>'.",
)
DEFAULT_FROM_EMAIL = _sender("DEFAULT_FROM_EMAIL", env.str("DEFAULT_FROM_EMAIL"))
SERVER_EMAIL = _sender(
    "SERVER_EMAIL", env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
)

# Every warning of `check --deploy` is fixed, none is hidden.
SILENCED_SYSTEM_CHECKS: list[str] = []

# HTTPS. The app listens on loopback behind a proxy that terminates TLS, so it
# learns the scheme from X-Forwarded-Proto. Django's condition for trusting that
# header is that the proxy overwrites whatever the client sent: deploy/nginx.conf
# does (`proxy_set_header X-Forwarded-Proto $scheme`). An app reachable without
# such a proxy must set TRUST_X_FORWARDED_PROTO=false, or any client could claim
# https.
if env.bool("TRUST_X_FORWARDED_PROTO", default=True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Load balancers probe the app itself over plain HTTP and count a redirect as a
# failure; the health report says nothing a reader could misuse.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
# The Host header alone names the site (checked against ALLOWED_HOSTS); a header
# a client can add must never change links, redirects or the page cache's key.
USE_X_FORWARDED_HOST = False
USE_X_FORWARDED_PORT = False

# Cookies: HTTPS only, out of reach of scripts, not sent on cross-site POSTs.
# No script reads the CSRF cookie: our forms carry signed tokens of their own and
# Wagtail's admin takes the CSRF token from the page (wagtailConfig.CSRF_TOKEN).
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

# Static files with hashed names, compressed (gzip, and Brotli with the Brotli
# package) at collectstatic, cached forever; served by the app itself (or by nginx
# / a CDN in front of it, from STATIC_ROOT).
STATIC_ROOT = env.path("STATIC_ROOT", default=str(STATIC_ROOT))
# Everything leaves the app gzipped: nginx's cache (deploy/nginx.conf) keeps that
# one variant and serves it without compressing each answer again. Cached pages
# are stored gzipped by the page cache; GZipMiddleware, outside it, compresses
# the rest (and skips what is compressed already). Inside WhiteNoise, whose
# files have their .gz and .br twins.
MIDDLEWARE = [
    MIDDLEWARE[0],
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    *MIDDLEWARE[1:],
]
STORAGES = {
    **STORAGES,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}


# Uploaded pictures from the app itself when it stands alone (`make serve`);
# behind deploy/nginx.conf or a CDN, /media/ never reaches it. From S3 they come
# from the bucket's own URLs.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=MEDIA_STORAGE == "local")


def _one_year_for_hashed_names(headers, path, url):
    # WhiteNoise marks hashed names immutable for ten years; a year is the most
    # HTTP caches honour, and what deploy/nginx.conf sends for the same files.
    if "immutable" in headers.get("Cache-Control", ""):
        headers["Cache-Control"] = "public, max-age=31536000, immutable"


WHITENOISE_ADD_HEADERS_FUNCTION = _one_year_for_hashed_names

# A reader's 500 shows nothing of the error, so the log must: Django prints
# tracebacks to the console only with DEBUG on, and mails them only to ADMINS.
# Tracebacks go to stderr, the service manager's log. Not django.security: a
# scanner's every unknown Host would fill it.
LOGGING = {
    **LOGGING,
    "loggers": {
        **LOGGING["loggers"],
        "django.request": {"handlers": ["console"], "level": "ERROR"},
    },
}
