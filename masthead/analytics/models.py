"""What the audience counters keep: counts, never readers.

A view is counted once per visitor per story per day. The visitor is a keyed
hash of the day's salt, the address and the browser name; the salt is deleted
after two days, and with it any way to link a hash back to anyone.
"""

from django.db import models

# Who sees the audience dashboard and each story's Audience tab.
VIEW_AUDIENCE = "analytics.view_audience"


class DailySalt(models.Model):
    """The secret mixed into the day's visitor hashes; rotates at UTC midnight."""

    day = models.DateField(unique=True)
    salt = models.BinaryField(max_length=32)

    def __str__(self):
        return f"salt for {self.day}"


class SeenVisitor(models.Model):
    """One visitor-and-story pair already counted today (embedded mode only).

    At scale the same set lives in Redis. Rows go with their day's salt.
    """

    key = models.BinaryField(max_length=16, unique=True)
    day = models.DateField(db_index=True)

    def __str__(self):
        return f"a visitor seen on {self.day}"


class HourlyViews(models.Model):
    """Counted views of one story in one hour (UTC, on the hour)."""

    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="+"
    )
    hour = models.DateTimeField(db_index=True)
    views = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "hourly views"
        constraints = [
            models.UniqueConstraint(fields=["page", "hour"], name="one_row_per_hour")
        ]
        permissions = [("view_audience", "Can see the audience dashboard")]

    def __str__(self):
        return f"{self.views} views of page {self.page_id} at {self.hour:%Y-%m-%d %H}h"


class ViewTotal(models.Model):
    """A story's views since it went live, kept beside the hours for teasers."""

    page = models.OneToOneField(
        "wagtailcore.Page",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="view_total",
    )
    views = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.views} views of page {self.page_id}"


class ReferrerViews(models.Model):
    """Counted views per day by the domain the reader came from."""

    day = models.DateField()
    domain = models.CharField(max_length=253)
    views = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "referrer views"
        constraints = [
            models.UniqueConstraint(fields=["day", "domain"], name="one_row_per_domain")
        ]

    def __str__(self):
        return f"{self.views} views from {self.domain or 'direct'} on {self.day}"


class AppliedFlush(models.Model):
    """A Redis counter batch already written, so a rerun after a crash skips it."""

    batch = models.CharField(max_length=64, unique=True)
    applied_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self):
        return self.batch
