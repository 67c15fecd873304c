"""System checks for newsletter settings."""

from django.core.checks import Error, register

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
