from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "masthead.news"
    label = "news"
    verbose_name = "News"

    def ready(self):
        from . import serving

        serving.connect_signals()
