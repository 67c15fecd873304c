"""A site's own settings (BENCH_BASE_SETTINGS) with Django's request errors logged.

Django logs a request's 500 only when DEBUG is on (or by mail to the admins),
so without this a "database is locked" behind a failed request would never
reach the server log that bench/writers.py reads.
"""

import importlib
import os

_base = importlib.import_module(
    os.environ.get("BENCH_BASE_SETTINGS", "masthead.settings.production")
)
globals().update({name: value for name, value in vars(_base).items() if name.isupper()})

LOGGING = {
    **_base.LOGGING,
    "loggers": {
        **_base.LOGGING["loggers"],
        "django.request": {"handlers": ["console"], "level": "ERROR"},
        "django_tasks_db": {"handlers": ["console"], "level": "WARNING"},
        "django_tasks": {"handlers": ["console"], "level": "WARNING"},
    },
}
