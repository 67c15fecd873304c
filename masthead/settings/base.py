"""Settings shared by every run mode.

Everything comes from environment variables with defaults that need no service at all:
SQLite in WAL mode, an in-process cache, the database task queue and a local mail
outbox. DATABASE_URL, REDIS_URL, EMAIL_URL and MEDIA_STORAGE move the same code to
scale.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("MASTHEAD_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

SECRET_KEY = env.str("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
SITE_URL = env.str(
    "SITE_URL", default=f"http://127.0.0.1:{env.str('PORT', default='8000')}"
).rstrip("/")
# Wagtail's mails (password reset, workflow notifications) build their links on
# this; unset, the reset link would take its domain from the request's Host.
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAIL_SITE_NAME = env.str("SITE_NAME", default="Masthead")

INSTALLED_APPS = [
    "masthead.core",
    "masthead.caching",
    "masthead.news",
    "masthead.demo",
    "masthead.search",
    "masthead.comments",
    "masthead.analytics",
    "masthead.revenue",
    "masthead.newsletter",
    "masthead.privacy",
    "masthead.accounts",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks",
    "django_tasks_db",
    "anymail",
    "csp",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before everything that reads cookies or sessions: a stored page skips it all.
    "masthead.caching.middleware.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Staff who signed in with a password alone are sent to their second factor.
    "masthead.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "masthead.core.middleware.CSPMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as axes asks: it turns a lock-out into the 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "masthead.urls"
WSGI_APPLICATION = "masthead.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- Database: SQLite in WAL mode unless DATABASE_URL says otherwise ----------------
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'masthead.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while one writer writes; IMMEDIATE takes the write
        # lock at BEGIN so two writers queue on the busy timeout instead of failing
        # with "database is locked" when a read transaction tries to upgrade.
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", 60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A PostgreSQL read replica for anonymous readers' pages (masthead.core.replicas).
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {
        **env.db_url("DATABASE_REPLICA_URL"),
        "CONN_MAX_AGE": DATABASES["default"].get("CONN_MAX_AGE", 0),
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["masthead.core.replicas.PrimaryReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: local memory unless REDIS_URL is set ------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="masthead"),
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 2,
                "SOCKET_TIMEOUT": 2,
                # With Redis down a cache read is a miss and a write is skipped:
                # pages keep serving from the database.
                "IGNORE_EXCEPTIONS": True,
                # A Redis that hangs is not waited on for every call: after one
                # timeout, the next few seconds' calls miss at once.
                "CONNECTION_POOL_CLASS": (
                    "masthead.caching.failfast.FailFastConnectionPool"
                ),
            },
        }
    }
    # Rendered pages and fragments: the same Redis, its own key space.
    CACHES["pages"] = {
        **CACHES["default"],
        "KEY_PREFIX": CACHES["default"]["KEY_PREFIX"] + ":pages",
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "masthead",
        },
        # Files, so that every app process sees the same pages and a purge by
        # one process reaches all of them (a process's memory would not).
        "pages": {
            "BACKEND": "masthead.caching.backends.PageFileCache",
            "LOCATION": VAR_DIR / "cache" / "pages",
            "OPTIONS": {"MAX_ENTRIES": 5000, "CULL_FREQUENCY": 4},
        },
    }
# The full-page cache for anonymous readers (masthead.caching). Off, every page
# is rendered; the Cache-Control headers for a CDN or nginx stay.
MASTHEAD_PAGE_CACHE = env.bool("MASTHEAD_PAGE_CACHE", default=True)
# How long a shared cache (ours, nginx, a CDN) may keep a page: purges make it exact.
MASTHEAD_PAGE_CACHE_SECONDS = env.int("MASTHEAD_PAGE_CACHE_SECONDS", default=600)
# nginx's purge endpoint (deploy/nginx.conf), e.g. http://127.0.0.1:8080: publishing
# purges the pages it changed there too, through Wagtail's frontend cache.
# Several nginx servers: their addresses, comma-separated.
MASTHEAD_PURGE_URL = env.list("MASTHEAD_PURGE_URL", default=[])
_edges = {
    f"nginx-{number}": {
        "BACKEND": "masthead.caching.frontend.NginxPurgeBackend",
        "LOCATION": location,
    }
    for number, location in enumerate(MASTHEAD_PURGE_URL, 1)
}
# A CDN in front: its API is told what publishing changed, and a site-wide change
# drops the whole zone. Cloudflare: an API token allowed "Cache Purge" on the zone.
CLOUDFLARE_ZONE_ID = env.str("CLOUDFLARE_ZONE_ID", default="")
CLOUDFLARE_BEARER_TOKEN = env.str("CLOUDFLARE_BEARER_TOKEN", default="")
if CLOUDFLARE_ZONE_ID or CLOUDFLARE_BEARER_TOKEN:
    if not (CLOUDFLARE_ZONE_ID and CLOUDFLARE_BEARER_TOKEN):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "Cloudflare purging needs both CLOUDFLARE_ZONE_ID and "
            "CLOUDFLARE_BEARER_TOKEN."
        )
    _edges["cloudflare"] = {
        "BACKEND": "masthead.caching.frontend.CloudflareBackend",
        "ZONEID": CLOUDFLARE_ZONE_ID,
        "BEARER_TOKEN": CLOUDFLARE_BEARER_TOKEN,
    }
# CloudFront: credentials from boto3's own chain (AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY, or the machine's role) with cloudfront:CreateInvalidation.
CLOUDFRONT_DISTRIBUTION_ID = env.str("CLOUDFRONT_DISTRIBUTION_ID", default="")
if CLOUDFRONT_DISTRIBUTION_ID:
    _edges["cloudfront"] = {
        "BACKEND": "masthead.caching.frontend.CloudFrontBackend",
        "DISTRIBUTION_ID": CLOUDFRONT_DISTRIBUTION_ID,
    }
if _edges:
    WAGTAILFRONTENDCACHE = _edges

# --- Background tasks: the database queue, run by `manage.py db_worker` -------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Mail: a local outbox folder unless EMAIL_URL or an anymail ESP is set ----------
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Masthead <news@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# The newsletter's From, e.g. "The Daily Ledger <letters@example.org>".
MASTHEAD_NEWSLETTER_FROM_EMAIL = env.str("MASTHEAD_NEWSLETTER_FROM_EMAIL", default="")
# How long a dead sender's claimed deliveries wait before another sender takes them.
MASTHEAD_NEWSLETTER_CLAIM_SECONDS = env.int("MASTHEAD_NEWSLETTER_CLAIM_SECONDS", 120)
ANYMAIL_ESP = env.str("ANYMAIL_ESP", default="")
EMAIL_URL = env.str("EMAIL_URL", default="")
# anymail's options come from ANYMAIL_* variables: ANYMAIL_MAILGUN_API_KEY becomes
# ANYMAIL["MAILGUN_API_KEY"]. ANYMAIL_WEBHOOK_SECRET ("user:password") guards the
# bounce webhooks at /newsletter/anymail/<esp>/tracking/.
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): value
    for name, value in os.environ.items()
    if name.startswith("ANYMAIL_") and name != "ANYMAIL_ESP"
}
if ANYMAIL_ESP:
    EMAIL_BACKEND = f"anymail.backends.{ANYMAIL_ESP}.EmailBackend"
elif EMAIL_URL:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "outbox"
# Seconds an SMTP connection waits on the server at each step: a hanging server
# fails the send (the mail stays queued for a retry) instead of holding a worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# --- Files --------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static_src"]
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="local")
# The app serves MEDIA_URL itself (urls.py): on in development and in production
# with local files, where nginx or a CDN in front answers /media/ first.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=False)
# Documents always go through Wagtail's view, which checks the collection's and
# the linking page's privacy; a file URL (local or the bucket's) would skip that.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
if MEDIA_STORAGE == "s3":
    MEDIA_BACKEND = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "custom_domain": env.str("AWS_S3_CUSTOM_DOMAIN", default=None),
            "file_overwrite": False,
        },
    }
    # Files that must never have a public URL (a CSV of addresses waiting to be
    # imported): a private prefix, reachable only through signed requests.
    PRIVATE_BACKEND = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **MEDIA_BACKEND["OPTIONS"],
            "custom_domain": None,
            "location": "private",
            "default_acl": "private",
            "querystring_auth": True,
        },
    }
elif MEDIA_STORAGE == "local":
    MEDIA_BACKEND = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    PRIVATE_BACKEND = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "private"},
    }
else:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"MEDIA_STORAGE={MEDIA_STORAGE!r} is not known: use 'local' or 's3'."
    )
STORAGES = {
    "default": MEDIA_BACKEND,
    "private": PRIVATE_BACKEND,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}

# --- Auth, i18n ---------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # First: a locked-out client is refused before its password is even checked.
    "masthead.accounts.backends.ThrottledSignIn",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling (masthead/accounts/throttling.py). Counters live in the cache
# (locmem per process embedded, Redis at scale), never in the database, and hold
# hashes, not addresses. A lock-out ends by itself after the cool-off.
AXES_HANDLER = "masthead.accounts.throttling.LoginThrottle"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env.int("MASTHEAD_LOGIN_FAILURES", default=5)
# Looser, for a whole address: a newsroom behind one NAT has many editors.
MASTHEAD_LOGIN_FAILURES_PER_IP = env.int("MASTHEAD_LOGIN_FAILURES_PER_IP", default=50)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("MASTHEAD_LOGIN_COOLOFF_MINUTES", 15))
# Attempts during a lock-out do not restart the clock: never locked out for good.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "masthead.core.ratelimit.client_ip"
# Axes' log lines name the account and the page, never the address.
AXES_CLIENT_STR_CALLABLE = "masthead.accounts.throttling.client_str"
AXES_LOCKOUT_CALLABLE = "masthead.accounts.views.locked_out"
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
# Staff set up an authenticator app at their first sign-in and use it at every one.
MASTHEAD_REQUIRE_2FA = env.bool("MASTHEAD_REQUIRE_2FA", default=True)
OTP_TOTP_ISSUER = WAGTAIL_SITE_NAME
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": (
            "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
        )
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Security headers for readers ----------------------------------------------------
# No inline script anywhere on the reader site (JSON-LD is data, never run). The
# one inline <style>, the site's accent colour, is allowed by its hash, added per
# response by our middleware: no nonce, so a page is the same bytes for every
# reader and any cache may keep it. Players are framed only from the two
# privacy-respecting hosts. The admin keeps Wagtail's own needs.
from csp.constants import NONE, SELF  # noqa: E402

# --- Comments (the rest of MASTHEAD_COMMENTS_* is in masthead/comments/conf.py) -----
# Gravatar is a request to a third party for every avatar: off unless asked for.
MASTHEAD_COMMENTS_GRAVATAR = env.bool("MASTHEAD_COMMENTS_GRAVATAR", default=False)
# An Akismet key (or a compatible service's, with its URL) turns on the spam check.
MASTHEAD_COMMENTS_AKISMET_KEY = env.str("MASTHEAD_COMMENTS_AKISMET_KEY", default="")
MASTHEAD_COMMENTS_AKISMET_URL = env.str(
    "MASTHEAD_COMMENTS_AKISMET_URL",
    default="https://{key}.rest.akismet.com/1.1/comment-check",
)

# --- Proxies and audience (more MASTHEAD_ANALYTICS_* in masthead/analytics/conf.py) -
# Proxies (nginx, a load balancer) whose X-Forwarded-For names the reader's address.
MASTHEAD_TRUSTED_PROXIES = env.list("MASTHEAD_TRUSTED_PROXIES", default=[])
# View counters go to Redis when REDIS_URL is set; this one setting overrides that.
MASTHEAD_ANALYTICS_REDIS_URL = env.str(
    "MASTHEAD_ANALYTICS_REDIS_URL", default=REDIS_URL
)

# --- Donations (more MASTHEAD_DONATION_* in masthead/revenue/conf.py) ---------------
# Each provider is set up by its keys; with none, the test-mode provider lets a
# newcomer click through a donation that moves no money.
MASTHEAD_PAYMENT_PROVIDERS = {}
if env.str("STRIPE_SECRET_KEY", default=""):
    MASTHEAD_PAYMENT_PROVIDERS["stripe"] = {
        "BACKEND": "masthead.revenue.providers.stripe.StripeProvider",
        "OPTIONS": {
            "secret_key": env.str("STRIPE_SECRET_KEY"),
            "webhook_secret": env.str("STRIPE_WEBHOOK_SECRET", default=""),
            "api_base": env.str("STRIPE_API_BASE", default=""),
        },
    }
if env.str("PAYPAL_CLIENT_ID", default=""):
    MASTHEAD_PAYMENT_PROVIDERS["paypal"] = {
        "BACKEND": "masthead.revenue.providers.paypal.PayPalProvider",
        "OPTIONS": {
            "client_id": env.str("PAYPAL_CLIENT_ID"),
            "client_secret": env.str("PAYPAL_CLIENT_SECRET", default=""),
            "webhook_id": env.str("PAYPAL_WEBHOOK_ID", default=""),
            "environment": env.str("PAYPAL_ENVIRONMENT", default="sandbox"),
            "api_base": env.str("PAYPAL_API_BASE", default=""),
        },
    }
# A donation form without JavaScript is answered with a redirect to the provider's
# checkout page; the CSP's form-action must allow it.
PAYMENT_CHECKOUT_ORIGINS = {
    "stripe": ["https://checkout.stripe.com"],
    "paypal": ["https://www.paypal.com", "https://www.sandbox.paypal.com"],
}
if not MASTHEAD_PAYMENT_PROVIDERS:
    MASTHEAD_PAYMENT_PROVIDERS["test_mode"] = {
        "BACKEND": "masthead.revenue.providers.test_mode.TestModeProvider",
        "OPTIONS": {},
    }

CONTENT_SECURITY_POLICY = {
    # The view beacon answers 204 with no body: no policy to enforce there.
    "EXCLUDE_URL_PREFIXES": ["/documents/", "/views/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"]
        + (["https://www.gravatar.com"] if MASTHEAD_COMMENTS_GRAVATAR else []),
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": ["https://www.youtube-nocookie.com", "https://w.soundcloud.com"],
        "media-src": [SELF, "https:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF]
        + [
            origin
            for name in MASTHEAD_PAYMENT_PROVIDERS
            for origin in PAYMENT_CHECKOUT_ORIGINS.get(name, [])
        ],
        "frame-ancestors": [SELF],
        "manifest-src": [SELF],
    },
}
# The admin's own policy (masthead.core.middleware): Wagtail's panels and date
# widgets still run inline scripts and set inline styles, so those stay allowed,
# but nothing may load from or talk to another host, and no plugin or frame
# from elsewhere runs: an injected script can neither fetch more code nor send
# what it reads away.
MASTHEAD_ADMIN_CSP_DIRECTIVES = {
    "default-src": [SELF],
    "script-src": [SELF, "'unsafe-inline'"],
    "style-src": [SELF, "'unsafe-inline'"],
    "img-src": [SELF, "data:", "blob:"],
    "font-src": [SELF, "data:"],
    "connect-src": [SELF],
    "frame-src": [SELF, "https://www.youtube-nocookie.com", "https://w.soundcloud.com"],
    "media-src": [SELF, "blob:"],
    "worker-src": [SELF, "blob:"],
    "object-src": [NONE],
    "base-uri": [SELF],
    "form-action": [SELF],
    "frame-ancestors": [SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

# --- Wagtail ------------------------------------------------------------------------
# The database's own full-text search (PostgreSQL's tsvector, SQLite's FTS5), or
# OpenSearch at OPENSEARCH_URL (with `pip install opensearch-py`).
OPENSEARCH_URL = env.str("OPENSEARCH_URL", default="")
WAGTAILSEARCH_BACKENDS = {
    "default": (
        {
            "BACKEND": "modelsearch.backends.opensearch3",
            "URLS": [OPENSEARCH_URL],
            "INDEX_PREFIX": env.str("OPENSEARCH_INDEX_PREFIX", default="masthead_"),
            "TIMEOUT": 5,
        }
        if OPENSEARCH_URL
        else {"BACKEND": "wagtail.search.backends.database"}
    )
}
WAGTAILEMBEDS_FINDERS = []  # no oEmbed calls: our embed block knows its providers
WAGTAILDOCS_EXTENSIONS = [
    "pdf",
    "mp3",
    "m4a",
    "ogg",
    "oga",
    "opus",
    "wav",
    "csv",
    "txt",
]
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No third-party request from the admin either: avatars are uploaded or initials.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# The reset mail counts against the address's mail budget (masthead.core.mail_quota).
# (Through a name: a string assigned to a *PASSWORD* setting reads as a secret to
# ruff and bandit, and this one is a dotted path.)
RESET_FORM = "masthead.accounts.forms.PasswordResetForm"
WAGTAILADMIN_USER_PASSWORD_RESET_FORM = RESET_FORM
WAGTAILADMIN_COMMENTS_ENABLED = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "masthead": {"handlers": ["console"], "level": env.str("LOG_LEVEL", "INFO")},
    },
}
