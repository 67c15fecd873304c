"""What we hold for one email address, counted for the page and in full for export.

Every column of every model that stores an address is listed in EMAIL_COLUMNS
with the part of the export that shows it; tests/test_coverage.py fails when a
model gains such a column that is not listed here and in services.ERASURE.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from masthead.comments.emails import article_url
from masthead.comments.models import Comment
from masthead.comments.models import Subscription as CommentSubscription
from masthead.core.links import absolute_url
from masthead.newsletter.models import Delivery, Subscriber, Suppression, email_hash
from masthead.revenue.choices import GiftStatus
from masthead.revenue.models import Donation, Donor, MonthlyGift

from . import tokens
from .models import MyDataLink

# "app_label.Model.field" -> the key of the export that shows what it holds.
EMAIL_COLUMNS = {
    "comments.Comment.author_email": "comments",
    "comments.Subscription.email": "comment_subscriptions",
    "newsletter.Subscriber.email": "newsletter",
    "newsletter.Suppression.email_hash": "newsletter",
    "revenue.Donor.email": "donor",
    "revenue.Donation.email": "donations",
    "auth.User.email": "account",
    # The moderators' blocklist, one address or @domain per line: a rule of the
    # site, not data about a reader. The export says whether it names you.
    "comments.CommentSettings.blocked_emails": "comment_blocklist",
    "privacy.MyDataLink.email": "my_data_links",
}


def normalise(email: str) -> str:
    """The stored form of an address: every app keeps them trimmed and lower-case."""
    return (email or "").strip().lower()


def comments_of(email: str):
    """Comments written with the address, or by a signed-in account that has it."""
    user_ids = list(
        get_user_model()
        .objects.filter(email__iexact=email)
        .values_list("pk", flat=True)
    )
    mine = Q(author_email=email)
    if user_ids:
        mine |= Q(user_id__in=user_ids)
    return Comment.objects.filter(mine)


def _donations(email: str):
    return Donation.objects.filter(Q(email=email) | Q(donor__email=email))


def holdings(email: str) -> dict[str, int]:
    """How many records of each kind we hold for `email`, for the reader's page."""
    email = normalise(email)
    subscriber = Subscriber.objects.filter(email=email).first()
    return {
        "comments": comments_of(email).count(),
        "comment_subscriptions": CommentSubscription.objects.filter(
            email=email
        ).count(),
        "newsletter_lists": subscriber.memberships.count() if subscriber else 0,
        "newsletter_subscriber": int(subscriber is not None),
        "newsletter_deliveries": (
            Delivery.objects.filter(subscriber=subscriber).count() if subscriber else 0
        ),
        "donations": _donations(email).count(),
        "monthly_gifts": MonthlyGift.objects.filter(donor__email=email).count(),
        "active_monthly_gifts": MonthlyGift.objects.filter(
            donor__email=email, status=GiftStatus.ACTIVE
        ).count(),
        "accounts": get_user_model().objects.filter(email__iexact=email).count(),
    }


def holds_anything(counts: dict[str, int]) -> bool:
    return any(counts.values())


def _when(moment):
    return moment.isoformat() if moment else None


def export(email: str) -> dict:
    """Everything we hold for `email`, as one JSON-ready document."""
    email = normalise(email)
    return {
        "email": email,
        "exported_at": _when(timezone.now()),
        "site": absolute_url("/"),
        "comments": _export_comments(email),
        "comment_subscriptions": _export_comment_subscriptions(email),
        "comment_blocklist": _on_blocklist(email),
        "newsletter": _export_newsletter(email),
        "donor": _export_donor(email),
        "donations": _export_donations(email),
        "monthly_gifts": _export_gifts(email),
        "account": _export_account(email),
        "my_data_links": _export_links(email),
    }


def _export_links(email: str) -> list[dict]:
    links = MyDataLink.objects.filter(address_digest=tokens.address_digest(email))
    return [
        {"issued_at": _when(link.issued_at), "mailed": not link.email}
        for link in links.order_by("issued_at", "pk")
    ]


def _export_comments(email: str) -> list[dict]:
    comments = comments_of(email).select_related("page").order_by("created_at", "pk")
    return [
        {
            "article": comment.page.title,
            "article_url": f"{article_url(comment.page)}#comment-{comment.pk}",
            "name": comment.author_name,
            "email": comment.author_email,
            "website": comment.author_url,
            "body": comment.body,
            "status": comment.status,
            "reply_to_comment": comment.reply_to_id,
            "upvotes": comment.upvotes,
            "downvotes": comment.downvotes,
            "created_at": _when(comment.created_at),
            "edited_at": _when(comment.edited_at),
            "published_at": _when(comment.published_at),
        }
        for comment in comments
    ]


def _export_comment_subscriptions(email: str) -> list[dict]:
    rows = (
        CommentSubscription.objects.filter(email=email)
        .select_related("page")
        .order_by("created_at", "pk")
    )
    return [
        {
            "article": row.page.title,
            "article_url": article_url(row.page),
            "kind": row.kind,
            "status": row.status,
            "created_at": _when(row.created_at),
            "confirmed_at": _when(row.confirmed_at),
            "last_notified_at": _when(row.last_notified_at),
        }
        for row in rows
    ]


def _on_blocklist(email: str) -> bool:
    from masthead.comments.models import CommentSettings

    domain = "@" + email.rpartition("@")[2]
    for rules in CommentSettings.objects.values_list("blocked_emails", flat=True):
        entries = {line.strip().lower() for line in rules.splitlines()}
        if email in entries or domain in entries:
            return True
    return False


def _export_newsletter(email: str) -> dict:
    subscriber = Subscriber.objects.filter(email=email).first()
    suppression = Suppression.objects.filter(email_hash=email_hash(email)).first()
    document = {
        "subscriber": None,
        "lists": [],
        "deliveries": [],
        "suppressed": (
            {
                "reason": suppression.reason,
                "detail": suppression.detail,
                "since": _when(suppression.created_at),
            }
            if suppression
            else None
        ),
    }
    if subscriber is None:
        return document
    document["subscriber"] = {
        "email": subscriber.email,
        "name": subscriber.name,
        "status": subscriber.status,
        "source": subscriber.source,
        # The record of consent: when the address asked, and when it confirmed
        # by clicking the mailed link (double opt-in).
        "signed_up_at": _when(subscriber.created_at),
        "confirmed_at": _when(subscriber.confirmed_at),
        "unsubscribed_at": _when(subscriber.unsubscribed_at),
        "suppressed_reason": subscriber.suppressed_reason,
        # The words the reader agreed to when confirming, exactly as shown.
        "consent_text": subscriber.consent_text,
        "waiting_signups": [
            {
                "lists": signup.list_ids,
                "name": signup.name,
                "at": _when(signup.created_at),
            }
            for signup in subscriber.pending_signups.order_by("pk")
        ],
    }
    document["lists"] = [
        {
            "list": membership.newsletter_list.name,
            "joined_at": _when(membership.created_at),
        }
        for membership in subscriber.memberships.select_related(
            "newsletter_list"
        ).order_by("created_at", "pk")
    ]
    document["deliveries"] = [
        {
            "issue": delivery.issue.subject,
            "status": delivery.status,
            "sent_at": _when(delivery.sent_at),
            "attempts": delivery.attempts,
            "error": delivery.error,
        }
        for delivery in subscriber.deliveries.select_related("issue").order_by("pk")
    ]
    return document


def _export_donor(email: str) -> dict | None:
    donor = Donor.objects.filter(email=email).first()
    if donor is None:
        return None
    return {
        "email": donor.email,
        "name": donor.name,
        "first_gift_at": _when(donor.created_at),
    }


def _export_donations(email: str) -> list[dict]:
    donations = _donations(email).select_related("gift").order_by("created_at", "pk")
    return [
        {
            "receipt_number": str(donation.public_id),
            "amount": donation.amount_display,
            "amount_minor": donation.amount_minor,
            "fee_minor": donation.fee_minor,
            "currency": donation.currency,
            "interval": donation.interval,
            "status": donation.status,
            "name": donation.name,
            "email": donation.email,
            "provider": donation.provider,
            "checkout_reference": donation.checkout_ref,
            "payment_reference": donation.payment_ref,
            "monthly_gift_reference": (
                donation.gift.subscription_ref if donation.gift else ""
            ),
            "created_at": _when(donation.created_at),
            "completed_at": _when(donation.completed_at),
            "refunded_at": _when(donation.refunded_at),
            "receipt_sent_at": _when(donation.receipt_sent_at),
        }
        for donation in donations
    ]


def _export_gifts(email: str) -> list[dict]:
    gifts = MonthlyGift.objects.filter(donor__email=email).order_by("started_at", "pk")
    return [
        {
            "amount_minor": gift.amount_minor,
            "currency": gift.currency,
            "status": gift.status,
            "provider": gift.provider,
            "subscription_reference": gift.subscription_ref,
            "started_at": _when(gift.started_at),
            "cancelled_at": _when(gift.cancelled_at),
        }
        for gift in gifts
    ]


def _export_account(email: str) -> list[dict]:
    users = get_user_model().objects.filter(email__iexact=email).order_by("pk")
    return [
        {
            "username": user.get_username(),
            "first_name": getattr(user, "first_name", ""),
            "last_name": getattr(user, "last_name", ""),
            "email": user.email,
            "is_staff": user.is_staff,
            "date_joined": _when(getattr(user, "date_joined", None)),
            "last_login": _when(user.last_login),
        }
        for user in users
    ]
