"""System checks for newsletter settings."""

from django.conf import settings
from django.core.checks import Error, Warning, register

from . import conf


@register()
def check_newsletter_settings(app_configs, **kwargs):
    errors = []
    for name in (
        "MASTHEAD_NEWSLETTER_BATCH_SIZE",
        "MASTHEAD_NEWSLETTER_CLAIM_SECONDS",
        "MASTHEAD_NEWSLETTER_SENDERS",
        "MASTHEAD_NEWSLETTER_MAX_ATTEMPTS",
    ):
        value = conf.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            errors.append(
                Error(
                    f"{name} must be a whole number of at least 1, not {value!r}.",
                    id="newsletter.E001",
                )
            )
    return errors


@register(deploy=True)
def check_bounce_webhooks_are_guarded(app_configs, **kwargs):
    # Without the shared secret anyone could post "bounced" for any address and
    # stop the newsletter reaching it.
    uses_esp = settings.EMAIL_BACKEND.startswith("anymail.")
    if uses_esp and not getattr(settings, "ANYMAIL", {}).get("WEBHOOK_SECRET"):
        return [
            Warning(
                "An ESP is configured but ANYMAIL_WEBHOOK_SECRET is not set, so its "
                "bounce and complaint webhooks cannot be verified.",
                hint="Set ANYMAIL_WEBHOOK_SECRET=user:password and give the ESP "
                "https://user:password@<site>/newsletter/anymail/<esp>/tracking/.",
                id="newsletter.W001",
            )
        ]
    return []
