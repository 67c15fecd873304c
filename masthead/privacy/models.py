"""The one table of the "my data" flow: the links we mail."""

from django.db import models
from django.utils import timezone


class MyDataLink(models.Model):
    """A "my data" link asked for, so that the queue carries an id and a link
    erases at most once.

    `email` holds the address only until the worker has mailed the link; after
    that a keyed digest is all that is left. Erasing deletes every link of the
    address, so no link mailed before can erase what the reader gives us later.
    """

    email = models.EmailField(blank=True)
    address_digest = models.CharField(max_length=32, db_index=True)
    # When the link was asked for, then when it was signed and mailed: its day
    # of validity counts from there.
    issued_at = models.DateTimeField(default=timezone.now, db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"my-data link {self.pk}"
