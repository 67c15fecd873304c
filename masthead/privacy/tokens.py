"""The signed link that proves a reader reads the mailbox they name.

The address travels signed inside the link; our side keeps only a row per link
(models.MyDataLink) with a keyed digest of it, which is what lets a link erase
once and no more. The salt and the purpose inside the payload keep any other
signed value of the site (a comment form token, a newsletter confirmation) from
opening someone's data.
"""

from dataclasses import dataclass

from django.core import signing

from masthead.core.ratelimit import private_digest

from . import conf
from .exceptions import InvalidLink, LinkUsed
from .models import MyDataLink

SALT = "masthead.privacy.my-data"
PURPOSE = "my-data"


@dataclass(frozen=True)
class Link:
    """What a valid link opens: the address, and the row that spends it."""

    email: str
    link_id: int


def address_digest(email: str) -> str:
    return private_digest(f"{PURPOSE}:{email}")


def sign(email: str, link_id: int) -> str:
    return signing.dumps(
        {"e": email, "p": PURPOSE, "r": link_id}, salt=SALT, compress=True
    )


def issue(email: str) -> str:
    """A new link for `email`, for a caller that has already proved the address."""
    link = MyDataLink.objects.create(address_digest=address_digest(email))
    return sign(email, link.pk)


def read(token: str) -> Link:
    """What a link opens; raises InvalidLink (or LinkUsed) saying what is wrong."""
    try:
        payload = signing.loads(
            token or "", salt=SALT, max_age=conf.get("MASTHEAD_PRIVACY_LINK_MAX_AGE")
        )
    except signing.SignatureExpired as exc:
        raise InvalidLink(
            "This link has expired. Ask for a new one and we will mail it to you."
        ) from exc
    except signing.BadSignature as exc:
        raise InvalidLink(
            "This link is not valid. Copy the whole link from the mail, "
            "or ask for a new one."
        ) from exc
    if (
        not isinstance(payload, dict)
        or payload.get("p") != PURPOSE
        or not isinstance(payload.get("e"), str)
        or not payload["e"]
        or type(payload.get("r")) is not int
    ):
        raise InvalidLink("This link is not valid. Ask for a new one.")
    link = Link(email=payload["e"], link_id=payload["r"])
    if not MyDataLink.objects.filter(
        pk=link.link_id,
        address_digest=address_digest(link.email),
        used_at__isnull=True,
    ).exists():
        raise LinkUsed()
    return link
