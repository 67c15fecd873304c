from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "masthead.accounts"
    label = "accounts"
    verbose_name = "Editors' accounts"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
