"""The environment variables that choose a deployment's services and secrets.

A process we start ourselves (a test's worker, a benchmark's servers) must not
inherit these from whoever started us by accident: it is given its own.
"""

DEPLOYMENT_VARIABLES = frozenset(
    {
        "DATABASE_URL",
        "DATABASE_REPLICA_URL",
        "REDIS_URL",
        "EMAIL_URL",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "MEDIA_STORAGE",
        "ANYMAIL_ESP",
        "DEBUG",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "DJANGO_SETTINGS_MODULE",
        "MASTHEAD_PAGE_CACHE",
        "MASTHEAD_PURGE_URL",
        "OPENSEARCH_URL",
        "SITE_URL",
        "SITE_URL_ALLOW_HTTP",
        "DEFAULT_FROM_EMAIL",
        "SERVER_EMAIL",
        "MASTHEAD_TRUSTED_PROXIES",
        "CLOUDFLARE_ZONE_ID",
        "CLOUDFLARE_BEARER_TOKEN",
        "CLOUDFRONT_DISTRIBUTION_ID",
    }
)


def without_deployment(environ, **extra: str) -> dict[str, str]:
    """A copy of `environ` without the deployment variables, plus `extra`."""
    env = {
        k: v
        for k, v in environ.items()
        if k not in DEPLOYMENT_VARIABLES and not k.startswith("ANYMAIL_")
    }
    env.update(extra)
    return env
