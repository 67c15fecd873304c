"""Serving the public. Refuses to start on unsafe configuration."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import MIDDLEWARE, SECRET_KEY, SITE_URL, STORAGES, env

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

# Static files with hashed names, compressed, cached forever; served by the app itself
# (or by nginx / a CDN in front of it).
MIDDLEWARE = [
    MIDDLEWARE[0],
    "whitenoise.middleware.WhiteNoiseMiddleware",
    *MIDDLEWARE[1:],
]
STORAGES = {
    **STORAGES,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}
