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
    IGNORED = "ignored", "Ignored"
