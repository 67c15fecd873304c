"""Second factor pages, recovery codes and the export record, hooked into Wagtail."""

from django.urls import reverse
from wagtail import hooks
from wagtail.log_actions import LogFormatter

from .admin_views import urlpatterns
from .choices import ExportKind
from .services import EXPORT_ACTION


@hooks.register("register_admin_urls")
def register_account_urls():
    return urlpatterns


@hooks.register("register_account_menu_item")
def authenticator_menu_item(request):
    return {
        "url": reverse("accounts_2fa_setup"),
        "label": "Authenticator app",
        "help_text": "Move your sign-in codes to a new phone or app.",
    }


@hooks.register("register_account_menu_item")
def recovery_codes_menu_item(request):
    return {
        "url": reverse("accounts_recovery_codes"),
        "label": "Recovery codes",
        "help_text": "One-time codes for signing in without your authenticator app.",
    }


@hooks.register("register_log_actions")
def register_export_action(actions):
    @actions.register_action(EXPORT_ACTION)
    class ExportFormatter(LogFormatter):
        label = "Export of personal data"

        def format_message(self, log_entry):
            data = log_entry.data
            kind = ExportKind(data["kind"]).label if data.get("kind") else "data"
            filters = ", ".join(
                f"{name}: {value}" for name, value in data.get("filters", {}).items()
            )
            return (
                f"Exported {data.get('rows')} rows of {kind} as "
                f"{str(data.get('format', '')).upper()}"
                + (f" ({filters})" if filters else "")
            )
