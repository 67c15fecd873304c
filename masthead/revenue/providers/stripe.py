"""Stripe: Checkout Sessions for paying, signed webhooks, the Billing Portal.

Only the official SDK talks to Stripe. `api_base` points it elsewhere (the
tests' local fake); empty means Stripe's own API. Every call has a timeout and
no automatic retry: a reader is waiting, and a failed checkout is simply
started again.

What we store, so that later events find the donation:
- checkout_ref is the Checkout Session id;
- payment_ref is the PaymentIntent for a one-time gift (what `charge.refunded`
  names) and the invoice for each monthly payment (a refund of one is traced
  from its PaymentIntent to the invoice through the API);
- our Donation.public_id travels as client_reference_id and as
  metadata["reference"] on the session, its PaymentIntent or its subscription.
"""

import time
from dataclasses import replace
from datetime import UTC, datetime
from functools import cached_property
from uuid import UUID

import stripe

from .. import conf
from ..choices import EventKind
from .base import (
    Checkout,
    CheckoutRequest,
    Provider,
    ProviderError,
    ProviderEvent,
    WebhookRejected,
    ignored,
)

TIMEOUT_SECONDS = 10  # connect and read, per request to Stripe
# Keys of the live mode; anything else (sk_test_, rk_test_) is test mode.
LIVE_KEY_PREFIXES = ("sk_live_", "rk_live_")
DISPUTE_OPENING_EVENTS = {
    "charge.dispute.created",
    "charge.dispute.funds_withdrawn",
    "charge.dispute.updated",
}
# funds_reinstated is left to charge.dispute.closed, whose status says who won:
# funds also come back on a partially refunded payment whose dispute was lost.
# A closed dispute's status: warning_closed is an inquiry that never became a
# chargeback, prevented one that never started; both leave the money with us.
DISPUTE_WON_STATUSES = {"won", "warning_closed", "prevented"}


class StripeProvider(Provider):
    label = "Card"
    default_fee = (2.9, 30)
    required_options = ("secret_key", "webhook_secret")

    @cached_property
    def client(self) -> stripe.StripeClient:
        api_base = self.options.get("api_base") or ""
        return stripe.StripeClient(
            self.options["secret_key"],
            base_addresses=(
                {
                    "api": api_base,
                    "connect": api_base,
                    "files": api_base,
                    "meter_events": api_base,
                }
                if api_base
                else None
            ),
            max_network_retries=0,
            http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS),
        )

    # --- paying -------------------------------------------------------------------

    def start_checkout(self, request: CheckoutRequest) -> Checkout:
        metadata = {"reference": request.reference}
        price_data = {
            "currency": request.currency.lower(),
            "unit_amount": request.amount_minor,
            "product_data": {"name": request.description},
        }
        params = {
            "client_reference_id": request.reference,
            "metadata": metadata,
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
        }
        if request.monthly:
            price_data["recurring"] = {"interval": "month"}
            params["mode"] = "subscription"
            # Copied onto the subscription, which a cancellation event carries.
            params["subscription_data"] = {"metadata": metadata}
        else:
            params["mode"] = "payment"
            params["submit_type"] = "donate"
            # Copied onto the PaymentIntent, so a refund can be traced back.
            params["payment_intent_data"] = {"metadata": metadata}
        params["line_items"] = [{"quantity": 1, "price_data": price_data}]
        if request.email:
            params["customer_email"] = request.email
        try:
            # One session per donation, even if the request is sent twice.
            session = self.client.v1.checkout.sessions.create(
                params=params,
                options={"idempotency_key": f"checkout-{request.reference}"},
            )
        except stripe.StripeError as error:
            raise ProviderError(
                "Card payments are not available right now; nothing was charged."
            ) from error
        return Checkout(redirect_url=session.url, checkout_ref=session.id)

    def manage_url(self, gift, return_url: str) -> str:
        try:
            subscription = self.client.v1.subscriptions.retrieve(gift.subscription_ref)
            portal = self.client.v1.billing_portal.sessions.create(
                params={
                    "customer": _id(subscription.customer),
                    "return_url": return_url,
                }
            )
        except stripe.StripeError as error:
            raise ProviderError(
                "The page to manage your monthly gift is not available right now; "
                "please try again later."
            ) from error
        return portal.url

    def cancel_gift(self, gift) -> None:
        try:
            self.client.v1.subscriptions.cancel(gift.subscription_ref)
        except stripe.InvalidRequestError as error:
            if error.code == "resource_missing":
                return  # deleted at Stripe already: nothing more can be charged
            raise ProviderError(
                "Stripe refused to stop the monthly gift; please try again later."
            ) from error
        except stripe.StripeError as error:
            raise ProviderError(
                "Stripe is not answering, so the monthly gift could not be stopped; "
                "please try again later."
            ) from error

    # --- webhooks -----------------------------------------------------------------

    @property
    def is_live_mode(self) -> bool:
        return str(self.options.get("secret_key", "")).startswith(LIVE_KEY_PREFIXES)

    def parse_webhook(self, body: bytes, headers) -> list[ProviderEvent]:
        tolerance = conf.get("MASTHEAD_WEBHOOK_TOLERANCE_SECONDS")
        signature = headers.get("Stripe-Signature")
        # The SDK refuses a signature older than the tolerance but accepts one
        # from any future: a replay signed ahead of time would stay valid.
        signed_at = _signed_at(signature)
        skew = conf.get("MASTHEAD_WEBHOOK_FUTURE_SKEW_SECONDS")
        if signed_at is not None and signed_at > time.time() + skew:
            raise WebhookRejected("signature: timestamp is in the future")
        try:
            event = self.client.construct_event(
                body,
                signature,
                self.options.get("webhook_secret"),
                tolerance=tolerance,
            ).to_dict()
        except stripe.SignatureVerificationError as error:
            raise WebhookRejected(f"signature: {error.user_message or error}") from None
        except (ValueError, TypeError, AttributeError) as error:
            # Signed but not a Stripe event: bad JSON, not UTF-8, not an object.
            raise WebhookRejected(f"not a Stripe event ({error})") from None
        try:
            return [self._event(event)]
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise WebhookRejected(f"event lacks {error}") from None

    def _event(self, event: dict) -> ProviderEvent:
        parsed = _event(event)
        if event.get("livemode") is not self.is_live_mode:
            # A webhook endpoint of the other mode pointed here (a staging site
            # given the live secret, say): authentic, but not this site's money.
            mode = {True: "live", False: "test"}.get(event.get("livemode"), "no")
            site = "live" if self.is_live_mode else "test"
            return ignored(
                parsed.event_id,
                parsed.occurred_at,
                f"a {mode}-mode event on a {site}-mode site",
            )
        traced = parsed.kind in (EventKind.REFUNDED, *DISPUTE_EVENT_KINDS)
        if traced and not parsed.reference:
            # A monthly payment's charge names only its PaymentIntent, while we
            # know the payment by its invoice: ask Stripe which invoice it paid.
            invoice = self._invoice_paid_by(parsed.payment_ref)
            if invoice:
                return replace(parsed, payment_ref=invoice)
        return parsed

    def _invoice_paid_by(self, payment_intent: str) -> str:
        if not payment_intent.startswith("pi_"):
            return ""  # nothing to trace, or already the invoice
        try:
            found = self.client.v1.invoice_payments.list(
                params={
                    "payment": {
                        "type": "payment_intent",
                        "payment_intent": payment_intent,
                    },
                    "limit": 1,
                }
            )
        except stripe.StripeError as error:
            # Not the sender's fault: answered 500, and Stripe delivers it again.
            raise ProviderError(f"cannot look up {payment_intent}: {error}") from error
        return next((_id(payment.invoice) for payment in found.data), "")


DISPUTE_EVENT_KINDS = (
    EventKind.DISPUTE_OPENED,
    EventKind.DISPUTE_WON,
    EventKind.DISPUTE_LOST,
)


def _signed_at(header) -> int | None:
    """The `t=` of a Stripe-Signature header, as the SDK reads it."""
    for item in str(header or "").split(","):
        key, _, value = item.partition("=")
        if key == "t":
            try:
                return int(value.split("=", 1)[0])
            except ValueError:
                return None
    return None


def _event(event: dict) -> ProviderEvent:
    kind = event["type"]
    obj = event["data"]["object"]
    if not isinstance(event["id"], str) or not event["id"]:
        raise ValueError("an id")
    base = {
        "event_id": event["id"],
        "occurred_at": datetime.fromtimestamp(int(event["created"]), tz=UTC),
    }
    if kind.startswith("checkout.session.") and not _reference(
        obj, "client_reference_id"
    ):
        # Something else sold through the same account: not ours to refuse.
        return ignored(base["event_id"], base["occurred_at"], "not a donation")
    if kind in (
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
    ):
        if obj.get("payment_status") != "paid":
            # A delayed method (a bank debit) is not paid yet;
            # async_payment_succeeded or _failed follows.
            return ProviderEvent(kind=EventKind.IGNORED, **base)
        monthly = obj.get("mode") == "subscription"
        details = obj.get("customer_details") or {}
        return ProviderEvent(
            kind=EventKind.PAYMENT_COMPLETED,
            **base,
            reference=_reference(obj, "client_reference_id"),
            checkout_ref=obj["id"],
            payment_ref=_id(
                obj.get("invoice") if monthly else obj.get("payment_intent")
            ),
            subscription_ref=_id(obj.get("subscription")) if monthly else "",
            amount_minor=int(obj["amount_total"]),
            currency=str(obj["currency"]).upper(),
            email=details.get("email") or "",
            name=details.get("name") or "",
        )
    if kind in ("checkout.session.async_payment_failed", "checkout.session.expired"):
        return ProviderEvent(
            kind=EventKind.PAYMENT_FAILED,
            **base,
            reference=_reference(obj, "client_reference_id"),
            checkout_ref=obj["id"],
        )
    if kind == "charge.refunded":
        if not obj.get("refunded"):
            # A partial refund leaves the donation standing.
            return ProviderEvent(kind=EventKind.IGNORED, **base)
        return ProviderEvent(
            kind=EventKind.REFUNDED,
            **base,
            reference=_reference(obj),
            # API versions before 2025-03-31 name the invoice on the charge.
            payment_ref=_id(obj.get("invoice")) or _id(obj.get("payment_intent")),
        )
    if kind in DISPUTE_OPENING_EVENTS or kind == "charge.dispute.closed":
        status = str(obj.get("status") or "")
        if status in DISPUTE_WON_STATUSES:
            dispute_kind = EventKind.DISPUTE_WON
        elif status == "lost" or kind == "charge.dispute.closed":
            # Closed with a status we do not know counts as lost: the money
            # stays out of the totals until someone looks at it.
            dispute_kind = EventKind.DISPUTE_LOST
        else:
            dispute_kind = EventKind.DISPUTE_OPENED
        return ProviderEvent(
            kind=dispute_kind,
            **base,
            payment_ref=_id(obj.get("payment_intent")),
            amount_minor=int(obj["amount"]),
            currency=str(obj["currency"]).upper(),
        )
    if kind == "invoice.paid":
        if obj.get("billing_reason") != "subscription_cycle":
            # The first invoice is the checkout's own payment, which
            # checkout.session.completed reports.
            return ProviderEvent(kind=EventKind.IGNORED, **base)
        return ProviderEvent(
            kind=EventKind.RENEWAL_PAID,
            **base,
            subscription_ref=_invoice_subscription(obj),
            payment_ref=obj["id"],
            amount_minor=int(obj["amount_paid"]),
            currency=str(obj["currency"]).upper(),
        )
    if kind == "customer.subscription.deleted":
        return ProviderEvent(
            kind=EventKind.GIFT_CANCELLED,
            **base,
            reference=_reference(obj),
            subscription_ref=obj["id"],
        )
    return ProviderEvent(kind=EventKind.IGNORED, **base)


def _id(value) -> str:
    """An id whether Stripe sent it bare or expanded into an object."""
    if isinstance(value, dict):
        return str(value.get("id") or "")
    if isinstance(value, stripe.StripeObject):
        return str(getattr(value, "id", "") or "")
    return str(value or "")


def _reference(obj: dict, field: str = "") -> str:
    """Our donation's public id, or "" when the object is not one of ours.

    The same Stripe account may sell other things, whose reference is no UUID.
    """
    metadata = obj.get("metadata") or {}
    value = (obj.get(field) if field else "") or metadata.get("reference") or ""
    try:
        return str(UUID(str(value)))
    except ValueError:
        return ""


def _invoice_subscription(invoice: dict) -> str:
    # API versions since 2025-03-31 moved the subscription under `parent`.
    if invoice.get("subscription"):
        return _id(invoice["subscription"])
    parent = invoice.get("parent") or {}
    details = parent.get("subscription_details") or {}
    return _id(details["subscription"])
