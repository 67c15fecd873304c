from django.conf import settings
from django.db import models
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from .choices import (
    CommentStatus,
    ErasedCommentDisplay,
    ModerationPolicy,
    SubscriptionKind,
    SubscriptionStatus,
)


class Thread(models.Model):
    """An article's discussion state, kept outside the page's revisions.

    A moderator closes a thread without publishing the article again, and the
    visible count and change stamp make teaser counts and the cached comment list
    cheap: `changed_at` is part of the list's cache key.
    """

    page = models.OneToOneField(
        "news.ArticlePage",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="comment_thread",
    )
    is_closed = models.BooleanField(default=False)
    visible_count = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Comments on {self.page_id}"


class Comment(models.Model):
    """A reader's comment on an article, from a guest or a signed-in user.

    `parent` places the comment in the tree (never deeper than the configured
    depth); `reply_to` is the comment actually answered, which may sit one level
    deeper than the parent when the thread is at its maximum depth.
    """

    page = models.ForeignKey(
        "news.ArticlePage", on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    depth = models.PositiveSmallIntegerField(default=0)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    author_name = models.CharField("name", max_length=80)
    # Never rendered on the reader site; blank once the commenter erased their data.
    author_email = models.EmailField("email", blank=True, db_index=True)
    author_url = models.URLField("website", blank=True, max_length=300)
    # Keyed hash of the email: draws the avatar without revealing the address.
    avatar_seed = models.CharField(max_length=32, blank=True)
    body = models.TextField(max_length=5000)
    body_html = models.TextField(editable=False)
    status = models.CharField(
        max_length=12,
        choices=CommentStatus.choices,
        default=CommentStatus.PENDING,
        db_index=True,
    )
    # The nonce of the signed form that created it: a retried POST finds this
    # comment again instead of storing a second one.
    submission_key = models.CharField(max_length=64, unique=True, null=True)
    content_hash = models.CharField(max_length=64, db_index=True, editable=False)
    upvotes = models.PositiveIntegerField(default=0)
    downvotes = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["page", "status", "created_at"])]
        permissions = [("moderate_comment", "Can moderate comments")]

    def __str__(self):
        return f"{self.author_name}: {self.body[:40]}"

    @property
    def score(self) -> int:
        return self.upvotes - self.downvotes

    @property
    def is_guest(self) -> bool:
        return self.user_id is None

    @property
    def is_visible(self) -> bool:
        return self.status == CommentStatus.APPROVED


class Vote(models.Model):
    """One reader's up or down vote on one comment.

    Readers have no accounts: `voter` is a keyed hash of the signed voter id their
    browser keeps, and the unique constraint makes "once per reader" hold under
    any concurrency.
    """

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="votes")
    voter = models.CharField(max_length=64)
    value = models.SmallIntegerField(choices=[(1, "Up"), (-1, "Down")])
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "voter"], name="one_vote_per_reader"
            )
        ]

    def __str__(self):
        return f"{self.value:+d} on comment {self.comment_id}"


class Subscription(models.Model):
    """An email address following an article's discussion, after double opt-in."""

    page = models.ForeignKey(
        "news.ArticlePage",
        on_delete=models.CASCADE,
        related_name="comment_subscriptions",
    )
    email = models.EmailField()
    kind = models.CharField(max_length=10, choices=SubscriptionKind.choices)
    status = models.CharField(
        max_length=12,
        choices=SubscriptionStatus.choices,
        default=SubscriptionStatus.PENDING,
        db_index=True,
    )
    # Random, unguessable: unsubscribe links carry it. It lives as long as the
    # row, since a mail client may offer the link years later.
    token = models.CharField(max_length=64, unique=True)
    # What the confirmation link carries; shared by the rows its mail listed and
    # blanked once used, or when the reader unsubscribes, so that an old link can
    # never turn a later "no" back into a "yes".
    confirm_key = models.CharField(max_length=64, blank=True, db_index=True)
    confirm_key_issued_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["page", "email", "kind"], name="one_subscription_per_kind"
            )
        ]

    def __str__(self):
        return f"{self.email} → {self.page_id} ({self.kind})"


class PendingNotification(models.Model):
    """A visible comment a subscriber has not been told about yet.

    Rows wait here until the subscriber's 15-minute window allows a mail, then go
    out together in one mail and are deleted in the same transaction.
    """

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="pending"
    )
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "comment"], name="one_notification_per_comment"
            )
        ]

    def __str__(self):
        return f"comment {self.comment_id} for subscription {self.subscription_id}"


@register_setting(icon="comment")
class CommentSettings(BaseSiteSetting):
    """The site's comment rules, changed by editors without a deploy."""

    moderation = models.CharField(
        max_length=20,
        choices=ModerationPolicy.choices,
        default=ModerationPolicy.HOLD_FIRST_TIME,
        help_text="Which new comments wait for a moderator before readers see them.",
    )
    max_links = models.PositiveSmallIntegerField(
        default=2, help_text="A comment with more links than this is refused."
    )
    blocked_words = models.TextField(
        blank=True,
        help_text="One word or phrase per line. Matching comments go to spam.",
    )
    blocked_emails = models.TextField(
        blank=True,
        help_text="One address or @domain per line. Their comments go to spam.",
    )
    blocked_ip_ranges = models.TextField(
        blank=True,
        verbose_name="Blocked IP ranges",
        help_text="One address or CIDR range per line, e.g. 203.0.113.0/24.",
    )
    close_after_days = models.PositiveIntegerField(
        default=0,
        help_text="Close comments this many days after publication; 0 keeps them open.",
    )
    erased_comments = models.CharField(
        max_length=12,
        choices=ErasedCommentDisplay.choices,
        default=ErasedCommentDisplay.PLACEHOLDER,
        verbose_name="Comments erased by their authors",
    )
    moderator_digest = models.BooleanField(
        default=True,
        help_text="Mail moderators a digest of comments waiting for them.",
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("moderation"), FieldPanel("close_after_days")],
            heading="Moderation",
        ),
        MultiFieldPanel(
            [
                FieldPanel("max_links"),
                FieldPanel("blocked_words"),
                FieldPanel("blocked_emails"),
                FieldPanel("blocked_ip_ranges"),
            ],
            heading="Spam rules",
        ),
        MultiFieldPanel(
            [FieldPanel("erased_comments"), FieldPanel("moderator_digest")],
            heading="Privacy and mail",
        ),
    ]

    class Meta:
        verbose_name = "Comment settings"
