"""The "my data" flow's changes: mail the proof link, erase an address everywhere.

Each app's own service does the work on its data (comments, newsletter,
donations); this module decides the order and keeps it in one transaction.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from masthead.comments import services as comment_services
from masthead.comments import subscriptions as comment_subscriptions
from masthead.comments.choices import CommentStatus
from masthead.comments.models import Subscription as CommentSubscription
from masthead.core import mail_quota
from masthead.newsletter import services as newsletter_services
from masthead.newsletter.models import Subscriber
from masthead.revenue import providers
from masthead.revenue import services as revenue_services
from masthead.revenue.choices import GiftStatus
from masthead.revenue.models import MonthlyGift
from masthead.revenue.providers.base import ProviderError

from . import conf, emails, queries, tokens
from .exceptions import ErasureRefused, LinkUsed
from .models import MyDataLink

logger = logging.getLogger("masthead.privacy")

# What erasure does to each column of queries.EMAIL_COLUMNS, and why when it
# keeps something. docs/privacy.md says the same to readers and operators.
ERASURE = {
    "comments.Comment.author_email": (
        "emptied; name, website and avatar go too; the text stays under "
        "“Anonymous reader” unless the reader asks to remove it"
    ),
    "comments.Subscription.email": "deleted, with the notifications waiting",
    "newsletter.Subscriber.email": "deleted, with list memberships and deliveries",
    "newsletter.Suppression.email_hash": (
        "kept: a hash that tells us never to mail a bounced or complaining address"
    ),
    "revenue.Donor.email": "deleted, after any monthly gift is stopped",
    "revenue.Donation.email": (
        "emptied with the name; amount, currency, dates and provider references "
        "stay in the books"
    ),
    "auth.User.email": "kept: staff accounts are closed by the site's administrator",
    "comments.CommentSettings.blocked_emails": "kept: a moderators' rule",
    "privacy.MyDataLink.email": (
        "deleted with every my-data link of the address, so that none mailed "
        "before can erase again"
    ),
}


def request_link(email: str) -> None:
    """Mail `email` its "my data" link; the same mail whether we hold anything.

    The address gets its share of the site's mail (core.mail_quota) and no
    more; past it nothing is queued and the caller cannot tell. The worker
    sends the mail, so a slow mail server never holds the reader's request, and
    the queue carries the link's id: the address stays out of the task table.
    """
    from .tasks import send_my_data_link_task

    email = queries.normalise(email)
    if not email:
        raise ValueError("request_link() needs an address")
    forget_expired_links()
    if not mail_quota.reserve(email, "my-data"):
        logger.info("my-data link not sent: the address has had its share of mail")
        return
    link = MyDataLink.objects.create(
        email=email, address_digest=tokens.address_digest(email)
    )
    send_my_data_link_task.enqueue(link.pk)


def send_link(link_id: int) -> None:
    """The worker's half of request_link; nothing when the link was erased since."""
    link = MyDataLink.objects.filter(pk=link_id).exclude(email="").first()
    if link is None:
        return
    emails.my_data_email(link.email, tokens.sign(link.email, link.pk)).send()
    MyDataLink.objects.filter(pk=link.pk).update(email="", issued_at=timezone.now())
    logger.info("my-data link sent")


def forget_expired_links() -> int:
    """Delete the links too old to open anything, mailed or not; returns how many."""
    max_age = timedelta(seconds=conf.get("MASTHEAD_PRIVACY_LINK_MAX_AGE"))
    expired = MyDataLink.objects.filter(issued_at__lt=timezone.now() - max_age)
    deleted, _ = expired.delete()
    return deleted


@dataclass(frozen=True)
class Erasure:
    """What one erasure changed, for the page that confirms it."""

    comments: int
    comment_subscriptions: int
    newsletter_subscriber: bool
    donations: int
    monthly_gifts_stopped: int

    @property
    def changed_anything(self) -> bool:
        return any(
            (
                self.comments,
                self.comment_subscriptions,
                self.newsletter_subscriber,
                self.donations,
                self.monthly_gifts_stopped,
            )
        )


def stop_monthly_gifts(email: str) -> int:
    """Stop the address's running monthly gifts at their providers; returns how many.

    Raises ErasureRefused at the first provider that fails: gifts already
    stopped stay stopped (that is what the provider now says), nothing else
    changes, and the reader is told to try again.
    """
    stopped = 0
    gifts = MonthlyGift.objects.filter(donor__email=email, status=GiftStatus.ACTIVE)
    for gift in gifts.order_by("pk"):
        try:
            stopped += revenue_services.cancel_gift(gift)
        except ProviderError as error:
            logger.warning("erasure: stopping gift %s failed: %s", gift.pk, error)
            raise ErasureRefused(
                f"We could not stop your monthly gift of {gift} with "
                f"{providers.label_of(gift.provider)}: {error} Nothing has been "
                "erased; please try again later."
            ) from error
    return stopped


def erase(email: str, *, remove_comment_text: bool = False) -> Erasure:
    """Erase what we hold for `email`, keeping only what ERASURE says and why.

    Monthly gifts are stopped at the provider first: if one cannot be, nothing
    is erased and ErasureRefused says so. The rest is one transaction. Running
    it twice is harmless: the second run finds nothing left to change.
    """
    email = queries.normalise(email)
    if not email:
        raise ValueError("erase() needs an address")
    stopped = stop_monthly_gifts(email)
    try:
        with transaction.atomic():
            subscriptions = CommentSubscription.objects.filter(email=email).count()
            comments = comment_subscriptions.erase_commenter(
                email, keep_text=not remove_comment_text
            )
            comments += _erase_account_comments(email, remove_comment_text)
            subscriber = Subscriber.objects.filter(email=email).first()
            if subscriber is not None:
                newsletter_services.erase(subscriber)
            donations = revenue_services.forget_donor(email)
            # Every link of the address dies with its data: one mailed before
            # cannot erase what the reader chooses to give us afterwards.
            MyDataLink.objects.filter(
                address_digest=tokens.address_digest(email)
            ).delete()
            mail_quota.forget(email)
    except revenue_services.GiftStillActive as error:
        # A monthly gift started between stopping the others and now.
        raise ErasureRefused(
            "A new monthly gift was started meanwhile. Nothing has been erased; "
            "please try again."
        ) from error
    erasure = Erasure(
        comments=comments,
        comment_subscriptions=subscriptions,
        newsletter_subscriber=subscriber is not None,
        donations=donations,
        monthly_gifts_stopped=stopped,
    )
    logger.info("erased at the owner's request: %s", erasure)
    return erasure


def erase_with_link(link: tokens.Link, *, remove_comment_text: bool = False) -> Erasure:
    """Erase through a mailed link, which erases once; raises LinkUsed after that.

    The link is marked used before anything is erased, so two clicks racing
    erase once. When erasing is refused the mark comes off again, and the reader
    can try later with the same link.
    """
    claimed = MyDataLink.objects.filter(
        pk=link.link_id,
        address_digest=tokens.address_digest(link.email),
        used_at__isnull=True,
    ).update(used_at=timezone.now())
    if not claimed:
        raise LinkUsed()
    try:
        return erase(link.email, remove_comment_text=remove_comment_text)
    except BaseException:
        MyDataLink.objects.filter(pk=link.link_id).update(used_at=None)
        raise


def _erase_account_comments(email: str, remove_text: bool) -> int:
    """Comments of a signed-in account with this address, typed under another one."""
    comments = (
        queries.comments_of(email)
        .exclude(status=CommentStatus.DELETED)
        .filter(erased_at__isnull=True)
        .order_by("pk")
    )
    count = 0
    for comment in comments.select_for_update():
        if remove_text:
            comment_services.erase_comment(comment)
        else:
            comment_services.anonymise_comment(comment)
        count += 1
    return count
