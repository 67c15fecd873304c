from django.conf import settings
from django.core.checks import Error, register

from . import conf

MIDDLEWARE_2FA = "masthead.accounts.middleware.SecondFactorMiddleware"


@register()
def check_account_settings(app_configs, **kwargs):
    errors = []
    if conf.get("MASTHEAD_REQUIRE_2FA") and MIDDLEWARE_2FA not in settings.MIDDLEWARE:
        errors.append(
            Error(
                f"MASTHEAD_REQUIRE_2FA is on but {MIDDLEWARE_2FA} is not in "
                "MIDDLEWARE: nobody would be asked for a second factor.",
                id="accounts.E001",
            )
        )
    limits = {
        "AXES_FAILURE_LIMIT": getattr(settings, "AXES_FAILURE_LIMIT", None),
        "MASTHEAD_LOGIN_FAILURES_PER_IP": conf.get("MASTHEAD_LOGIN_FAILURES_PER_IP"),
    }
    for name, value in limits.items():
        if not isinstance(value, int) or value < 1:
            errors.append(
                Error(
                    f"{name} must be a whole number above 0, not {value!r}.",
                    id="accounts.E002",
                )
            )
    if not getattr(settings, "AXES_COOLOFF_TIME", None):
        errors.append(
            Error(
                "AXES_COOLOFF_TIME is empty: a lock-out would never end.",
                id="accounts.E003",
            )
        )
    return errors
