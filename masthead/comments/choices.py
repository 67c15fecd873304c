from django.db import models


class CommentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    SPAM = "spam", "Spam"
    TRASH = "trash", "Trash"
    # Erased by its author (own delete or "erase my data"): the row stays so that
    # replies keep their place in the thread, its text and identity are gone.
    DELETED = "deleted", "Deleted"


class ModerationPolicy(models.TextChoices):
    HOLD_ALL = "hold_all", "Hold every comment for a moderator"
    HOLD_FIRST_TIME = "hold_first_time", "Hold comments from first-time commenters"
    PUBLISH = "publish", "Publish at once"


class ErasedCommentDisplay(models.TextChoices):
    PLACEHOLDER = "placeholder", "Show a “deleted” placeholder (replies stay in place)"
    HIDE = "hide", "Hide them (replies move up a level)"


class SubscriptionKind(models.TextChoices):
    ALL_COMMENTS = "all", "New follow-up comments"
    REPLIES = "replies", "New replies to my comments"


class SubscriptionStatus(models.TextChoices):
    PENDING = "pending", "Waiting for confirmation"
    CONFIRMED = "confirmed", "Confirmed"
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed"


class CommentSort(models.TextChoices):
    NEWEST = "newest", "Newest"
    OLDEST = "oldest", "Oldest"
    MOST_VOTED = "votes", "Most voted"
