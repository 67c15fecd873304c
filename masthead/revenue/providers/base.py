"""What every payment provider does for us, and what it tells us back.

A provider starts a checkout on its own page (card numbers never reach us),
turns its webhooks into PaymentEvents after verifying them, and can send a
monthly donor to a page where they manage or cancel the gift.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime

from ..choices import EventKind


class ProviderError(Exception):
    """The provider failed or refused; the message is safe to show a reader."""


class WebhookRejected(Exception):
    """Forged, stale or malformed: answered 400, nothing changes."""


@dataclass(frozen=True)
class Checkout:
    """Where the reader goes to pay, and the provider's name for that checkout."""

    redirect_url: str
    checkout_ref: str


@dataclass(frozen=True)
class ProviderEvent:
    """One webhook event, normalised. `reference` is our Donation.public_id."""

    event_id: str
    kind: EventKind
    occurred_at: datetime
    reference: str = ""  # our donation's public id, when the event names it
    checkout_ref: str = ""
    payment_ref: str = ""
    subscription_ref: str = ""
    amount_minor: int | None = None
    currency: str = ""
    email: str = ""
    name: str = ""
    # Why an IGNORED event is not for us (wrong mode, not a donation), for the log.
    ignored_because: str = ""


def ignored(event_id: str, occurred_at: datetime, because: str) -> ProviderEvent:
    """An authentic event we acknowledge and record, but never apply."""
    return ProviderEvent(
        event_id=event_id,
        kind=EventKind.IGNORED,
        occurred_at=occurred_at,
        ignored_because=because,
    )


@dataclass(frozen=True)
class CheckoutRequest:
    """A validated donation about to be paid, with the addresses to come back to."""

    reference: str
    amount_minor: int
    currency: str
    monthly: bool
    email: str
    name: str
    description: str
    success_url: str
    cancel_url: str


class Provider(ABC):
    """Base class; `name` is the key in MASTHEAD_PAYMENT_PROVIDERS."""

    label = "Provider"  # what the reader's button says
    # Fee as (percent, fixed minor units), for "cover the fees".
    default_fee = (0.0, 0)
    # Options that must be present and non-empty.
    required_options: tuple[str, ...] = ()

    def __init__(self, name: str, options: dict):
        self.name = name
        self.options = options

    def check(self) -> list[str]:
        """Problems with the options, for the system check at start."""
        missing = [key for key in self.required_options if not self.options.get(key)]
        return [f"OPTIONS lacks {key!r}." for key in missing]

    @property
    def is_test_mode(self) -> bool:
        return False

    def fee_minor(self, amount_minor: int, currency: str) -> int:
        """The provider's fee on `amount_minor`, rounded up."""
        percent, fixed = self.options.get("FEE", self.default_fee)
        return int(-(-(amount_minor * percent) // 100)) + int(fixed)

    @abstractmethod
    def start_checkout(self, request: CheckoutRequest) -> Checkout:
        """Create the provider's checkout; raises ProviderError."""

    @abstractmethod
    def parse_webhook(self, body: bytes, headers) -> list[ProviderEvent]:
        """Verify and read a webhook; raises WebhookRejected."""

    def complete_return(self, donation, params) -> list[ProviderEvent]:
        """Finish a checkout when the reader comes back (PayPal captures here)."""
        return []

    @abstractmethod
    def manage_url(self, gift, return_url: str) -> str:
        """Where a monthly donor manages or cancels their gift."""

    def cancel_gift(self, gift) -> None:
        """Stop a monthly gift at the provider now; raises ProviderError.

        Called when a donor erases their data: no payment may follow. A provider
        that cannot do it refuses, and the donor is told to cancel there first.
        """
        raise ProviderError(
            f"{self.label} cannot stop a monthly gift from here; "
            "please cancel it with them first."
        )
