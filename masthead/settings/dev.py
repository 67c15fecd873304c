"""`make run`: the embedded mode on a developer's or editor's own machine."""

from .base import *  # noqa: F403
from .base import VAR_DIR, env

DEBUG = env.bool("DEBUG", default=True)
# A fixed key is fine here: dev settings never serve the public.
SECRET_KEY = env.str("SECRET_KEY", default="masthead-dev-only-key-not-for-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=True)
VAR_DIR.mkdir(parents=True, exist_ok=True)
# A developer changing templates wants to see each change at once: no stored pages
# unless asked for (MASTHEAD_PAGE_CACHE=true); `make serve` keeps them.
MASTHEAD_PAGE_CACHE = env.bool("MASTHEAD_PAGE_CACHE", default=not DEBUG)
