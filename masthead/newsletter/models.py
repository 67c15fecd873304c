"""Newsletter lists, their subscribers, the issues sent to them, and each delivery.

A subscriber is one address. They pick lists at signup, and belong to them only
once they confirm (double opt-in). Every issue is sent as one `Delivery` row per
subscriber, under a unique constraint: the row, not the mail server, is the
record of what went out, so a sender that dies mid-issue can be restarted.
"""

import hashlib
import secrets
from datetime import time

from django.conf import settings
from django.db import models
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable

from .choices import (
    DeliveryStatus,
    DigestSchedule,
    IssueKind,
    IssueStatus,
    SubscriberSource,
    SubscriberStatus,
    SuppressionReason,
)

WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]


def new_key() -> str:
    return secrets.token_urlsafe(24)


def email_hash(email: str) -> str:
    """A stable digest of a normalised address: what a suppression keeps.

    Plain SHA-256, not keyed by SECRET_KEY, so a suppression survives a key
    rotation; an erased subscriber's address is not kept in the clear.
    """
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


class NewsletterList(models.Model):
    """One newsletter readers can choose (Daily digest, Weekly, Breaking news)."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.CharField(
        max_length=250, blank=True, help_text="One line, shown on the signup form."
    )
    schedule = models.CharField(
        max_length=10, choices=DigestSchedule.choices, default=DigestSchedule.MANUAL
    )
    send_time = models.TimeField(
        default=time(7, 0), help_text="Site time at which an automatic digest goes out."
    )
    weekday = models.PositiveSmallIntegerField(
        choices=WEEKDAYS, default=0, help_text="For weekly digests."
    )
    checked_at_signup = models.BooleanField(
        default=False, help_text="Ticked in advance on the signup form."
    )
    active = models.BooleanField(
        default=True, help_text="Inactive lists are hidden from readers."
    )
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        MultiFieldPanel(
            [FieldPanel("schedule"), FieldPanel("send_time"), FieldPanel("weekday")],
            heading="Automatic digest",
        ),
        FieldPanel("checked_at_signup"),
        FieldPanel("active"),
        FieldPanel("position"),
    ]

    class Meta:
        ordering = ["position", "name"]
        verbose_name = "newsletter list"

    def __str__(self):
        return self.name


class Subscriber(models.Model):
    """An address that asked for the newsletter, and where it stands."""

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=12,
        choices=SubscriberStatus.choices,
        default=SubscriberStatus.PENDING,
    )
    # Secret part of the preferences and unsubscribe links; never expires, so a
    # year-old mail's unsubscribe link still works.
    key = models.CharField(max_length=40, unique=True, default=new_key)
    lists = models.ManyToManyField(
        NewsletterList, through="ListMembership", related_name="subscribers"
    )
    source = models.CharField(
        max_length=10, choices=SubscriberSource.choices, default=SubscriberSource.SIGNUP
    )
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    suppressed_reason = models.CharField(
        max_length=12, choices=SuppressionReason.choices, blank=True
    )
    # The exact words the reader agreed to when they last confirmed (the
    # confirmation page's statement): wording changes, the record must not.
    consent_text = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            # The admin's unfiltered list, newest first: without it PostgreSQL
            # sorted every subscriber for each page of 50.
            models.Index(fields=["created_at"], name="newsletter_subscriber_created"),
        ]
        permissions = [
            ("export_subscriber", "Can export subscribers as CSV"),
            ("import_subscriber", "Can import subscribers from CSV"),
        ]

    def __str__(self):
        return self.email


class ListMembership(models.Model):
    """A confirmed subscriber's place on one list."""

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="memberships"
    )
    newsletter_list = models.ForeignKey(
        NewsletterList, on_delete=models.CASCADE, related_name="memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["newsletter_list", "subscriber"], name="one_membership_per_list"
            )
        ]

    def __str__(self):
        return f"{self.subscriber_id} on {self.newsletter_list_id}"


class PendingSignup(models.Model):
    """One signup waiting for its mailed link to be clicked.

    Holds what the form asked for (lists, the name typed) until the owner of the
    address confirms, so the confirmation task needs only this row's id and a
    known subscriber's row is not touched by a stranger's form. The row is the
    link's single use: confirming deletes it, and any later choice of the reader
    (unsubscribing, changing lists, erasure) deletes them all, so an old link
    cannot undo it.
    """

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="pending_signups"
    )
    list_ids = models.JSONField(default=list)
    name = models.CharField(max_length=200, blank=True)
    # In the signed link too: a row id reused after a delete (SQLite) is not
    # enough to confirm someone else's signup.
    nonce = models.CharField(max_length=40, default=new_key)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"signup {self.pk} of {self.subscriber_id}"


class Suppression(models.Model):
    """An address that must never be mailed again (hard bounce, complaint).

    Kept apart from `Subscriber`, as a hash, so it holds after the subscriber is
    erased or deleted and an import cannot bring the address back.
    """

    email_hash = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=12, choices=SuppressionReason.choices)
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.get_reason_display()} {self.email_hash[:12]}"


class Issue(ClusterableModel):
    """One mailing to one list: an editor's edition or an automatic digest."""

    newsletter_list = models.ForeignKey(
        NewsletterList, on_delete=models.PROTECT, related_name="issues"
    )
    kind = models.CharField(
        max_length=10, choices=IssueKind.choices, default=IssueKind.EDITION
    )
    subject = models.CharField(max_length=200)
    intro = RichTextField(
        blank=True, features=["bold", "italic", "link"], help_text="Opens the mail."
    )
    status = models.CharField(
        max_length=10, choices=IssueStatus.choices, default=IssueStatus.DRAFT
    )
    scheduled_for = models.DateTimeField(null=True, blank=True)
    # The digest's slot (its list's send time on that day): unique per list, so
    # two schedulers cannot make the same digest twice.
    digest_slot = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)
    total = models.PositiveIntegerField(default=0, editable=False)
    # Refreshed by every batch a sender claims; a stale heartbeat means no sender
    # is alive and the dispatcher starts one.
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)

    panels = [
        FieldPanel("newsletter_list"),
        FieldPanel("subject"),
        FieldPanel("intro"),
        InlinePanel("stories", heading="Stories", label="Story"),
    ]

    class Meta:
        ordering = ["-created_at"]
        permissions = [("send_issue", "Can send newsletter issues")]
        constraints = [
            models.UniqueConstraint(
                fields=["newsletter_list", "digest_slot"], name="one_digest_per_slot"
            )
        ]

    def __str__(self):
        return self.subject


class IssueStory(Orderable):
    """A story in an issue, in the editor's order."""

    issue = ParentalKey(Issue, on_delete=models.CASCADE, related_name="stories")
    page = models.ForeignKey(
        "news.ArticlePage", on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("page")]

    def __str__(self):
        return str(self.page)


class Delivery(models.Model):
    """One issue for one subscriber: sent at most once, and once is the goal."""

    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="deliveries"
    )
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    claimed_by = models.CharField(max_length=40, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    # When a deferred delivery may be claimed again.
    retry_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "subscriber"], name="one_delivery_per_subscriber"
            )
        ]
        indexes = [models.Index(fields=["issue", "status", "id"])]

    def __str__(self):
        return f"{self.issue_id} -> {self.subscriber_id}: {self.status}"
