"""Stripe fixtures: the fake API switched on, and events as Stripe sends them.

Import the fixture into a test module (`from .stripe_fixtures import
fake_stripe_fixture`); a non-root conftest may not declare pytest_plugins. The
function's own name differs from the fixture's so that tests asking for
`fake_stripe` do not shadow the import.
"""

import time
import uuid

import pytest

from .fake_stripe import FakeStripe, FakeStripeServer, signed_event

SECRET_KEY = "sk_test_fake"
WEBHOOK_SECRET = "whsec_test_fake"
BACKEND = "masthead.revenue.providers.stripe.StripeProvider"


@pytest.fixture(name="fake_stripe")
def fake_stripe_fixture(settings) -> FakeStripe:
    """Stripe as the only provider, its API answered by the local fake."""
    with FakeStripeServer() as fake:
        settings.MASTHEAD_PAYMENT_PROVIDERS = {
            "stripe": {
                "BACKEND": BACKEND,
                "OPTIONS": {
                    "secret_key": SECRET_KEY,
                    "webhook_secret": WEBHOOK_SECRET,
                    "api_base": fake.url,
                },
            }
        }
        yield fake


def stripe_event(kind: str, obj: dict, event_id: str = "", created=None) -> dict:
    """An event envelope as Stripe posts it to a webhook endpoint."""
    return {
        "id": event_id or f"evt_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": int(time.time()) if created is None else created,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": kind,
        "data": {"object": obj},
    }


def checkout_completed(donation, **overrides) -> dict:
    """checkout.session.completed for a donation started through the fake."""
    monthly = donation.interval == "monthly"
    session = {
        "id": donation.checkout_ref,
        "object": "checkout.session",
        "mode": "subscription" if monthly else "payment",
        "status": "complete",
        "payment_status": "paid",
        "client_reference_id": str(donation.public_id),
        "metadata": {"reference": str(donation.public_id)},
        "amount_total": donation.amount_minor,
        "currency": donation.currency.lower(),
        "customer": "cus_test_reader",
        "customer_details": {"email": "Reader@Example.test", "name": "Ada Reader"},
        "payment_intent": None if monthly else f"pi_{donation.public_id.hex}",
        "subscription": f"sub_{donation.public_id.hex}" if monthly else None,
        "invoice": f"in_first_{donation.public_id.hex}" if monthly else None,
    }
    session.update(overrides)
    return session


def charge_refunded(donation, **overrides) -> dict:
    charge = {
        "id": f"ch_{donation.public_id.hex}",
        "object": "charge",
        "amount": donation.amount_minor,
        "amount_refunded": donation.amount_minor,
        "currency": donation.currency.lower(),
        "paid": True,
        "refunded": True,
        "payment_intent": f"pi_{donation.public_id.hex}",
        # Stripe copies the PaymentIntent's metadata onto the charge it creates.
        "metadata": {"reference": str(donation.public_id)},
    }
    charge.update(overrides)
    return charge


def subscription(donation, **overrides) -> dict:
    sub = {
        "id": f"sub_{donation.public_id.hex}",
        "object": "subscription",
        "customer": "cus_test_reader",
        "status": "canceled",
        "metadata": {"reference": str(donation.public_id)},
    }
    sub.update(overrides)
    return sub


def invoice_paid(subscription_ref: str, amount: int, currency: str, **overrides):
    invoice = {
        "id": f"in_{uuid.uuid4().hex[:24]}",
        "object": "invoice",
        "billing_reason": "subscription_cycle",
        "status": "paid",
        "amount_paid": amount,
        "currency": currency.lower(),
        "customer": "cus_test_reader",
        # Where API versions since 2025-03-31 put the subscription.
        "parent": {
            "type": "subscription_details",
            "subscription_details": {"subscription": subscription_ref},
        },
    }
    invoice.update(overrides)
    return invoice


def post_event(client, payload, secret: str = WEBHOOK_SECRET, timestamp=None):
    """Deliver `payload` to our Stripe webhook, signed as Stripe would sign it."""
    body, header = signed_event(payload, secret, timestamp)
    return client.post(
        "/donate/webhooks/stripe/",
        data=body,
        content_type="application/json",
        headers={"Stripe-Signature": header},
    )
