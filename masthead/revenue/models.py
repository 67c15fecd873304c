"""Donations, the people who give them, monthly gifts, and the events that moved them.

Card numbers never come here: the providers' own pages take them. We keep what
a receipt and the publisher's reports need.
"""

import uuid

from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from .choices import DisputeStatus, DonationStatus, GiftStatus, Interval
from .money import format_amount


class Donor(models.Model):
    """Someone who gave, known by the email their provider confirmed."""

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        # The admin's donor list, newest first.
        indexes = [models.Index(fields=["created_at"], name="revenue_donor_created")]

    def __str__(self):
        return self.name or self.email


class MonthlyGift(models.Model):
    """A monthly donation as the provider runs it (a subscription)."""

    donor = models.ForeignKey(
        Donor, on_delete=models.PROTECT, related_name="gifts", null=True, blank=True
    )
    provider = models.CharField(max_length=30)
    subscription_ref = models.CharField(max_length=200)
    amount_minor = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=20, choices=GiftStatus.choices, default=GiftStatus.ACTIVE
    )
    started_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        # The admin's monthly supporters list, newest first.
        indexes = [models.Index(fields=["started_at"], name="revenue_gift_started")]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "subscription_ref"],
                name="one_gift_per_subscription",
            )
        ]

    def __str__(self):
        return f"{format_amount(self.amount_minor, self.currency)} a month"


class Donation(models.Model):
    """One payment: a one-time gift, or one month of a monthly gift."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    donor = models.ForeignKey(
        Donor, on_delete=models.PROTECT, related_name="donations", null=True, blank=True
    )
    gift = models.ForeignKey(
        MonthlyGift,
        on_delete=models.PROTECT,
        related_name="payments",
        null=True,
        blank=True,
    )
    amount_minor = models.PositiveIntegerField(help_text="In cents (minor units).")
    fee_minor = models.PositiveIntegerField(
        default=0, help_text="Added to cover the provider's fee, included in amount."
    )
    currency = models.CharField(max_length=3)
    interval = models.CharField(
        max_length=20, choices=Interval.choices, default=Interval.ONE_TIME
    )
    provider = models.CharField(max_length=30)
    # The checkout (Stripe session, PayPal order or subscription) and, once paid,
    # the payment (charge, capture) a refund will name.
    checkout_ref = models.CharField(max_length=200, blank=True, db_index=True)
    payment_ref = models.CharField(max_length=200, blank=True, db_index=True)
    status = models.CharField(
        max_length=20,
        choices=DonationStatus.choices,
        default=DonationStatus.PENDING,
        db_index=True,
    )
    # What the donor typed before checkout; the provider's confirmed email wins.
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    source_page = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The story the donor gave from.",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    # While open or lost, the money is not ours: totals and reports leave it out.
    dispute = models.CharField(
        max_length=10,
        choices=DisputeStatus.choices,
        default=DisputeStatus.NONE,
        blank=True,
        db_index=True,
    )
    disputed_at = models.DateTimeField(null=True, blank=True)
    # The reader's checkout attempt (a random token made by the browser per
    # rendered form, hashed with the ask): a second submit of the same form
    # finds this donation instead of starting another checkout.
    attempt_key = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )
    receipt_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("export_donation", "Can export donations")]

    def __str__(self):
        return f"{self.amount_display} ({self.get_status_display()})"

    @property
    def amount_display(self) -> str:
        return format_amount(self.amount_minor, self.currency)

    @property
    def status_label(self) -> str:
        """The status, with the dispute when there is one ("Completed, disputed")."""
        if not self.dispute:
            return self.get_status_display()
        return f"{self.get_status_display()}, {self.get_dispute_display().lower()}"


class PaymentEvent(models.Model):
    """A provider event we acted on; its id is unique, so a replay does nothing."""

    provider = models.CharField(max_length=30)
    event_id = models.CharField(max_length=200)
    kind = models.CharField(max_length=30)
    donation = models.ForeignKey(
        Donation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
    )
    outcome = models.CharField(max_length=200, blank=True)
    # The payment a dispute names, kept while no donation has it yet: the
    # dispute is settled when that payment reaches us.
    payment_ref = models.CharField(max_length=200, blank=True, db_index=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="one_row_per_provider_event"
            )
        ]

    def __str__(self):
        return f"{self.provider} {self.event_id}"


@register_setting(icon="pick")
class DonationSettings(BaseSiteSetting):
    """The appeal and this month's goal, changed by editors without a deploy."""

    appeal = models.CharField(
        max_length=200,
        default="Your donations make all the difference",
        help_text="The widget's heading.",
    )
    goal_amount = models.PositiveIntegerField(
        default=0, help_text="In whole units; 0 shows no goal."
    )
    goal_currency = models.CharField(max_length=3, default="EUR")
    goal_text = models.CharField(
        max_length=200,
        default="Help us reach {goal} this month",
        help_text="{goal} becomes the amount.",
    )
    goal_in_sidebar = models.BooleanField(default=True)
    goal_on_donate_page = models.BooleanField(default=True)
    goal_below_articles = models.BooleanField(default=False)
    widget_below_articles = models.BooleanField(
        default=True, help_text="The donation form at the end of every story."
    )

    panels = [
        FieldPanel("appeal"),
        MultiFieldPanel(
            [
                FieldPanel("goal_amount"),
                FieldPanel("goal_currency"),
                FieldPanel("goal_text"),
                FieldPanel("goal_in_sidebar"),
                FieldPanel("goal_on_donate_page"),
                FieldPanel("goal_below_articles"),
            ],
            heading="Monthly goal",
        ),
        FieldPanel("widget_below_articles"),
    ]

    class Meta:
        verbose_name = "Donations"
