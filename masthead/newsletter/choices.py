from django.db import models


class SubscriberStatus(models.TextChoices):
    PENDING = "pending", "Waiting for confirmation"
    CONFIRMED = "confirmed", "Confirmed"
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
    # A hard bounce or a spam complaint: never mailed again.
    SUPPRESSED = "suppressed", "Suppressed"


class SuppressionReason(models.TextChoices):
    BOUNCED = "bounced", "Hard bounce"
    COMPLAINED = "complained", "Spam complaint"
    REJECTED = "rejected", "Rejected by the mail server"
    MANUAL = "manual", "Suppressed by an editor"


class DigestSchedule(models.TextChoices):
    MANUAL = "manual", "Only when an editor sends an issue"
    DAILY = "daily", "Daily digest"
    WEEKLY = "weekly", "Weekly digest"


class IssueStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SCHEDULED = "scheduled", "Scheduled"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"


class IssueKind(models.TextChoices):
    EDITION = "edition", "Composed by an editor"
    DIGEST = "digest", "Automatic digest"


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    CLAIMED = "claimed", "Claimed by a sender"
    # Committed just before the message is handed over; see sending.py.
    SENT = "sent", "Sent"
    # A temporary refusal (a greylisting 451): tried again at `retry_at`.
    DEFERRED = "deferred", "Waiting to retry"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped (unsubscribed or suppressed meanwhile)"


class SubscriberSource(models.TextChoices):
    SIGNUP = "signup", "Signup form"
    IMPORT = "import", "CSV import"
