"""Bounces and complaints from the ESP, through anymail's tracking webhooks.

anymail verifies each webhook (its shared secret, plus the ESP's own signature
where the ESP signs) and turns every ESP's payload into one `tracking` signal.
A hard bounce, a rejection for a bad address, or a spam complaint suppresses the
address for good; an unsubscribe made in the ESP's own footer unsubscribes.
Soft bounces (anymail's "deferred") change nothing: the ESP retries them.
"""

import logging

from anymail.signals import tracking
from django.dispatch import receiver

from .choices import SuppressionReason

logger = logging.getLogger("masthead.newsletter")
# anymail's reject_reason values that say the address itself is bad.
BAD_ADDRESS = {"bounced", "invalid", "spam"}


def reason_for(event) -> str | None:
    """The suppression an anymail tracking event calls for, if any."""
    if event.event_type == "bounced":
        return SuppressionReason.BOUNCED
    if event.event_type == "complained":
        return SuppressionReason.COMPLAINED
    if event.event_type == "rejected" and event.reject_reason in BAD_ADDRESS:
        return SuppressionReason.REJECTED
    return None


@receiver(tracking)
def handle_tracking_event(sender, event, esp_name, **kwargs):
    from .models import Subscriber
    from .services import normalise_email, suppress, unsubscribe

    email = normalise_email(event.recipient or "")
    if not email:
        return
    reason = reason_for(event)
    if reason is not None:
        detail = f"{esp_name}: {event.description or event.reject_reason or ''}"
        suppress(email, reason, detail)
    elif event.event_type == "unsubscribed":
        subscriber = Subscriber.objects.filter(email=email).first()
        if subscriber is not None:
            unsubscribe(subscriber)
    else:
        return
    logger.info("newsletter %s event from %s applied", event.event_type, esp_name)
