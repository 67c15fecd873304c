"""Signed links: a monthly donor's way to their gift without an account."""

from django.core import signing

SALT = "masthead.revenue.manage"
MANAGE_MAX_AGE = 400 * 24 * 3600  # a receipt's link works for more than a year


def manage_token(gift) -> str:
    return signing.dumps({"gift": gift.pk}, salt=SALT, compress=True)


def gift_id_from(token: str) -> int | None:
    """The gift's id, or None for a forged or expired token."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MANAGE_MAX_AGE)
    except signing.BadSignature:
        return None
    gift_id = data.get("gift") if isinstance(data, dict) else None
    return gift_id if isinstance(gift_id, int) else None
