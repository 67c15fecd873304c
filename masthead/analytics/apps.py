from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "masthead.analytics"
    label = "analytics"
    verbose_name = "Audience"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
