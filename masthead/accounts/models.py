from django.conf import settings
from django.db import models
from django.utils import timezone

from .choices import ExportKind


class DataExport(models.Model):
    """One download of readers' personal data from the admin: who, what, how much.

    Written by `services.record_export` before the file leaves, never edited in
    the admin. Each also appears in Wagtail's Site history, which shows it only
    to those with a permission on this model: superusers, since no role has one.
    """

    kind = models.CharField(max_length=40, choices=ExportKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept as text too: the record outlives a deleted account.
    username = models.CharField(max_length=150)
    file_format = models.CharField(max_length=10)
    filters = models.JSONField(default=dict, blank=True)
    row_count = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        rows = f"{self.row_count} row{'s' if self.row_count != 1 else ''}"
        return f"{self.get_kind_display()} ({self.file_format}, {rows})"
