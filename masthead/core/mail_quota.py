"""One limit on the mail anyone can make us send to an address.

Every form that mails the address it was given (comment-subscription and reply
confirmations, newsletter confirmations and "already subscribed" notices, my-data
links) asks `reserve()` before it queues the mail. All kinds share one budget per
address, so posting from many forms, addresses or connections cannot turn the
site into a mail bomb aimed at somebody's inbox.

The count lives in the database, not the cache: it must hold across app processes
and survive a cache outage, and a refused mail costs nothing.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import MailToAddress
from .ratelimit import private_digest

# (mails, seconds): at most 3 an hour and 6 a day to one address, all kinds together.
DEFAULT_LIMITS = ((3, 3600), (6, 24 * 3600))
# A kind's `once_per` window is at most a day.
ONCE_PER_AT_MOST = timedelta(days=1)


def limits() -> tuple[tuple[int, int], ...]:
    return tuple(getattr(settings, "MASTHEAD_MAIL_PER_ADDRESS", DEFAULT_LIMITS))


def reserve(email: str, kind: str, *, once_per: timedelta | None = None) -> bool:
    """Take one mail of the address's budget; False when it has had its share.

    `once_per` also allows at most one mail of this kind in that window (an
    "already subscribed" notice a day). The row is written first and the window
    counted after, so two requests racing for the last mail both see each other
    and at worst both give way: the limit is never exceeded.
    """
    digest = address_digest(email)
    entry = MailToAddress.objects.create(address_digest=digest, kind=kind)
    now = timezone.now()
    mine = MailToAddress.objects.filter(address_digest=digest)
    over = any(
        mine.filter(created_at__gt=now - timedelta(seconds=seconds)).count() > count
        for count, seconds in limits()
    )
    if not over and once_per is not None:
        once_per = min(once_per, ONCE_PER_AT_MOST)
        over = (
            mine.filter(kind=kind, created_at__gt=now - once_per)
            .exclude(pk=entry.pk)
            .exists()
        )
    if over:
        entry.delete()
    return not over


def address_digest(email: str) -> str:
    return private_digest("mail:" + email.strip().lower())


def forget(email: str) -> int:
    """Drop the address's entries (erasure); returns how many went."""
    entries = MailToAddress.objects.filter(address_digest=address_digest(email))
    deleted, _ = entries.delete()
    return deleted


def prune(now=None) -> int:
    """Forget entries older than the longest window."""
    longest = max([ONCE_PER_AT_MOST.total_seconds(), *(s for _, s in limits())])
    cutoff = (now or timezone.now()) - timedelta(seconds=longest)
    deleted, _ = MailToAddress.objects.filter(created_at__lt=cutoff).delete()
    return deleted
