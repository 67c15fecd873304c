"""System checks for newsletter settings."""

from django.core.checks import Error, register

from . import conf
from .webhooks import configured_esp, missing_webhook_secrets


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
    delays = conf.get("MASTHEAD_NEWSLETTER_RETRY_DELAYS")
    if (
        not isinstance(delays, list | tuple)
        or not delays
        or not all(
            isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in delays
        )
    ):
        errors.append(
            Error(
                "MASTHEAD_NEWSLETTER_RETRY_DELAYS must be a list of whole numbers of "
                f"seconds, each at least 1, not {delays!r}.",
                id="newsletter.E003",
            )
        )
    return errors


@register(deploy=True)
def check_bounce_webhooks_are_guarded(app_configs, **kwargs):
    # The webhook refuses every request until these are set, so bounces and
    # complaints would pile up unread at the ESP; and without them anyone could
    # post "bounced" for any address.
    esp = configured_esp()
    missing = missing_webhook_secrets(esp) if esp else []
    if missing:
        return [
            Error(
                f"Mail goes out through {esp}, but {' and '.join(missing)} "
                f"{'is' if len(missing) == 1 else 'are'} not set, so its bounce and "
                "complaint webhook cannot verify its caller and refuses everything.",
                hint="Set ANYMAIL_WEBHOOK_SECRET=user:password (and the ESP's "
                "signing key) and give the ESP https://user:password@<site>"
                f"/newsletter/anymail/{esp}/tracking/.",
                id="newsletter.E002",
            )
        ]
    return []
