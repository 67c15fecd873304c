from django.apps import AppConfig


class RevenueConfig(AppConfig):
    name = "masthead.revenue"
    label = "revenue"
    verbose_name = "Reader revenue"

    def ready(self):
        from django.core.exceptions import ImproperlyConfigured

        from . import checks  # noqa: F401  (registers the system checks)
        from .providers import problems

        # Checks do not run under gunicorn: a provider that cannot take money
        # stops the process at start instead, naming the entry.
        found = problems()
        if found:
            raise ImproperlyConfigured(" ".join(found))
