"""Mail after payment, run by the worker; safe to run twice."""

import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from masthead.core.mailing import send_or_retry

from .choices import DonationStatus
from .emails import receipt
from .models import Donation

logger = logging.getLogger("masthead.revenue")


@task()
def send_receipt_task(donation_id: int, attempt: int = 0) -> bool:
    """Mail the donor their receipt once; False when there is nothing to send
    (or when the mail server failed for now and a retry is queued)."""
    with transaction.atomic():
        donation = (
            # PostgreSQL locks no outer-joined row: only the donation itself.
            Donation.objects.select_for_update(of=("self",))
            .select_related("donor", "gift")
            .filter(pk=donation_id, status=DonationStatus.COMPLETED)
            .first()
        )
        if donation is None or donation.receipt_sent_at or not donation.email:
            return False
        donation.receipt_sent_at = timezone.now()
        donation.save(update_fields=["receipt_sent_at"])
    # Marked before sending, so two workers never mail it twice; a failed send
    # clears the mark for the retry.
    sent = False
    try:
        sent = send_or_retry(
            receipt(donation).send, send_receipt_task, donation_id, attempt=attempt
        )
    finally:
        if not sent:
            Donation.objects.filter(pk=donation.pk).update(receipt_sent_at=None)
    return sent
