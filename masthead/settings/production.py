"""Serving the public. Refuses to start on unsafe configuration."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import MIDDLEWARE, SECRET_KEY, SITE_URL, STATIC_ROOT, STORAGES, env

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

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
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


def _one_year_for_hashed_names(headers, path, url):
    # WhiteNoise marks hashed names immutable for ten years; a year is the most
    # HTTP caches honour, and what deploy/nginx.conf sends for the same files.
    if "immutable" in headers.get("Cache-Control", ""):
        headers["Cache-Control"] = "public, max-age=31536000, immutable"


WHITENOISE_ADD_HEADERS_FUNCTION = _one_year_for_hashed_names
