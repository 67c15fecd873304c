from django.db import models


class Interval(models.TextChoices):
    ONE_TIME = "one_time", "One-time"
    MONTHLY = "monthly", "Monthly"


class DonationStatus(models.TextChoices):
    """A donation's state; RANK orders them so late events never step back."""

    PENDING = "pending", "Pending"
    FAILED = "failed", "Failed"
    COMPLETED = "completed", "Completed"
    REFUNDED = "refunded", "Refunded"


# An event may move a donation only to a state of higher rank: a "completed"
# arriving after "refunded" (out of order) changes nothing.
STATUS_RANK = {
    DonationStatus.PENDING: 0,
    DonationStatus.FAILED: 1,
    DonationStatus.COMPLETED: 2,
    DonationStatus.REFUNDED: 3,
}


class DisputeStatus(models.TextChoices):
    """A chargeback or bank inquiry on a donation's payment, apart from its status.

    Kept apart so that the order of events cannot matter: a dispute may reach us
    before the payment it contests, and a won dispute puts the money back in the
    totals without moving the donation's status.
    """

    NONE = "", "No dispute"
    OPEN = "open", "Disputed"
    WON = "won", "Dispute won"
    LOST = "lost", "Dispute lost"


# A dispute closes once: after won or lost, a late "opened" changes nothing.
DISPUTE_RANK = {
    DisputeStatus.NONE: 0,
    DisputeStatus.OPEN: 1,
    DisputeStatus.WON: 2,
    DisputeStatus.LOST: 2,
}
# Donations whose money is ours: no dispute, or one we won.
COUNTED_DISPUTES = [DisputeStatus.NONE, DisputeStatus.WON]


class GiftStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    CANCELLED = "cancelled", "Cancelled"


class EventKind(models.TextChoices):
    """What a provider's webhook (or the test-mode page) tells us, normalised."""

    PAYMENT_COMPLETED = "payment_completed", "Payment completed"
    PAYMENT_FAILED = "payment_failed", "Payment failed"
    REFUNDED = "refunded", "Refunded"
    RENEWAL_PAID = "renewal_paid", "Monthly payment"
    GIFT_CANCELLED = "gift_cancelled", "Monthly gift cancelled"
    DISPUTE_OPENED = "dispute_opened", "Dispute opened"
    DISPUTE_WON = "dispute_won", "Dispute won"
    DISPUTE_LOST = "dispute_lost", "Dispute lost"
    IGNORED = "ignored", "Ignored"
