"""Stripe's and PayPal's APIs take the connection and never answer.

Starting a donation gives up after the provider timeout (short here) with a
clear "nothing was charged, try again" answer, never a 500; the donation it
stored stays pending without a checkout, which counts nowhere. Webhooks that
need no call to the provider keep working, and the monthly-gift calls (manage,
cancel) fail just as cleanly, changing nothing.
"""

import json
import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from masthead.revenue import services
from masthead.revenue.choices import DonationStatus, EventKind, GiftStatus, Interval
from masthead.revenue.models import Donation, MonthlyGift, PaymentEvent
from masthead.revenue.providers import stripe as stripe_provider
from masthead.revenue.providers.base import ProviderError
from masthead.revenue.tests.fixtures import ask, event
from masthead.revenue.tests.paypal_fixtures import paypal_provider
from masthead.revenue.tests.stripe_fixtures import (
    SECRET_KEY,
    WEBHOOK_SECRET,
    checkout_completed,
    post_event,
    stripe_event,
)
from masthead.revenue.tokens import manage_token

from .silent_servers import SilentServer, elapsed

pytestmark = pytest.mark.django_db

TIMEOUT = 0.5  # the provider timeout in these tests
# Starting a checkout may take a few calls (PayPal: a token, then the order),
# each allowed TIMEOUT; the rest is room for a loaded machine.
BUDGET = 5.0
NOTHING_CHARGED = "nothing was charged. Please try again in a moment."


@pytest.fixture(autouse=True)
def fresh_cache():
    # The donate rate limit and PayPal's cached token live in the cache.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def hanging_stripe(settings, monkeypatch):
    with SilentServer() as server:
        monkeypatch.setattr(stripe_provider, "TIMEOUT_SECONDS", TIMEOUT)
        settings.MASTHEAD_PAYMENT_PROVIDERS = {
            "stripe": {
                "BACKEND": "masthead.revenue.providers.stripe.StripeProvider",
                "OPTIONS": {
                    "secret_key": SECRET_KEY,
                    "webhook_secret": WEBHOOK_SECRET,
                    "api_base": server.url,
                },
            }
        }
        yield server


@pytest.fixture
def hanging_paypal(settings):
    with SilentServer() as server:
        settings.MASTHEAD_PAYMENT_PROVIDERS = {
            "paypal": paypal_provider(server.url, timeout=TIMEOUT)
        }
        yield server


def start(client, provider: str, *, as_json: bool = True, **fields):
    data = {
        "amount": "12.50",
        "currency": "EUR",
        "interval": "one_time",
        "provider": provider,
        "email": "reader@example.org",
        "name": "Rea Der",
        **fields,
    }
    headers = {"accept": "application/json"} if as_json else {}
    return client.post(reverse("revenue:start"), data, headers=headers)


def assert_nothing_half_made() -> None:
    """The stored ask is pending, has no checkout, and counts nowhere."""
    donation = Donation.objects.get()
    assert donation.status == DonationStatus.PENDING
    assert donation.checkout_ref == donation.payment_ref == ""
    assert donation.gift_id is None and donation.receipt_sent_at is None
    assert not PaymentEvent.objects.exists()
    assert not MonthlyGift.objects.exists()
    raised, _goal = services.month_progress(donation.currency)
    assert raised == 0


# --- starting a donation ----------------------------------------------------------


@pytest.mark.parametrize("interval", [Interval.ONE_TIME, Interval.MONTHLY])
def test_hanging_stripe_answers_the_reader_in_time(client, hanging_stripe, interval):
    began = time.monotonic()
    response = start(client, "stripe", interval=interval)

    assert elapsed(began) < BUDGET
    assert hanging_stripe.connections >= 1  # it did try
    assert response.status_code == 502
    assert (
        response.json()["errors"]["form"] == f"Card is not answering; {NOTHING_CHARGED}"
    )
    assert_nothing_half_made()


@pytest.mark.parametrize("interval", [Interval.ONE_TIME, Interval.MONTHLY])
def test_hanging_paypal_answers_the_reader_in_time(client, hanging_paypal, interval):
    began = time.monotonic()
    response = start(client, "paypal", interval=interval)

    assert elapsed(began) < BUDGET
    assert hanging_paypal.connections >= 1
    assert response.status_code == 502
    assert NOTHING_CHARGED in response.json()["errors"]["form"]
    assert_nothing_half_made()


def test_without_javascript_the_donate_page_says_what_happened(client, hanging_stripe):
    response = start(client, "stripe", as_json=False)

    assert response.status_code == 502
    assert "text/html" in response["Content-Type"]
    assert "nothing was charged" in response.content.decode()
    assert_nothing_half_made()


def test_pressing_the_button_again_later_starts_a_fresh_checkout(
    client, hanging_stripe
):
    start(client, "stripe")
    start(client, "stripe")

    # Two asks, both pending and harmless; neither counts as money.
    assert Donation.objects.filter(status=DonationStatus.PENDING).count() == 2
    assert services.month_progress("EUR")[0] == 0


# --- webhooks -----------------------------------------------------------------------


def test_stripe_webhooks_work_while_its_api_hangs(
    client, hanging_stripe, django_capture_on_commit_callbacks, mailoutbox
):
    donation = services.create_pending(ask(provider="stripe", currency="USD"))
    donation.checkout_ref = "cs_test_from_before"
    donation.save(update_fields=["checkout_ref"])
    payload = stripe_event("checkout.session.completed", checkout_completed(donation))

    began = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_event(client, payload)

    assert elapsed(began) < BUDGET
    assert response.status_code == 200, response.content
    assert hanging_stripe.connections == 0  # verified locally, no call out
    donation.refresh_from_db()
    assert donation.status == DonationStatus.COMPLETED
    assert len(mailoutbox) == 1  # the receipt


def test_paypal_webhook_is_refused_for_a_retry_while_paypal_hangs(
    client, hanging_paypal
):
    donation = services.create_pending(ask(provider="paypal"))
    body = json.dumps(
        {
            "id": "WH-HANG-1",
            "event_type": "PAYMENT.CAPTURE.COMPLETED",
            "resource": {"id": "CAP-1", "custom_id": str(donation.public_id)},
        }
    )
    headers = {
        "PAYPAL-AUTH-ALGO": "SHA256withRSA",
        "PAYPAL-CERT-URL": "https://api.sandbox.paypal.com/v1/notifications/certs/X",
        "PAYPAL-TRANSMISSION-ID": "7b0a6d1e-hang",
        "PAYPAL-TRANSMISSION-SIG": "c2lnbmF0dXJl",
        "PAYPAL-TRANSMISSION-TIME": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }

    began = time.monotonic()
    response = client.post(
        "/donate/webhooks/paypal/",
        body,
        content_type="application/json",
        headers=headers,
    )

    # PayPal verifies its signatures only online: unverified, the event is
    # refused, and PayPal sends it again later. Nothing changed meanwhile.
    assert elapsed(began) < BUDGET
    assert response.status_code == 400
    assert b"could not verify" in response.content
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING
    assert not PaymentEvent.objects.exists()


# --- monthly gifts ------------------------------------------------------------------


def monthly_gift(provider: str) -> MonthlyGift:
    donation = services.create_pending(
        ask(provider=provider, interval=Interval.MONTHLY, currency="EUR")
    )
    services.apply_event(
        provider,
        event(donation=donation, subscription_ref=f"sub_{provider}_1"),
        send_receipts=False,
    )
    return MonthlyGift.objects.get()


def test_manage_link_explains_while_stripe_hangs(client, hanging_stripe):
    gift = monthly_gift("stripe")

    began = time.monotonic()
    response = client.get(reverse("revenue:manage", args=[manage_token(gift)]))

    assert elapsed(began) < BUDGET
    assert response.status_code == 502
    assert b"not available right now" in response.content


def test_paypal_manage_link_needs_no_call(client, hanging_paypal):
    gift = monthly_gift("paypal")

    response = client.get(reverse("revenue:manage", args=[manage_token(gift)]))

    assert response.status_code == 302
    assert hanging_paypal.connections == 0


@pytest.mark.parametrize("provider", ["stripe", "paypal"])
def test_cancelling_a_gift_while_the_provider_hangs_changes_nothing(request, provider):
    request.getfixturevalue(f"hanging_{provider}")
    gift = monthly_gift(provider)

    began = time.monotonic()
    with pytest.raises(ProviderError, match="not answering|try again"):
        services.cancel_gift(gift)

    assert elapsed(began) < BUDGET
    gift.refresh_from_db()
    # Never shown as stopped while the provider may still charge.
    assert gift.status == GiftStatus.ACTIVE
    assert gift.cancelled_at is None


def test_a_gift_event_recorded_before_the_hang_is_still_counted(hanging_stripe):
    gift = monthly_gift("stripe")

    assert gift.payments.get().status == DonationStatus.COMPLETED
    assert services.month_progress("EUR")[0] == gift.amount_minor
    assert EventKind.PAYMENT_COMPLETED in PaymentEvent.objects.values_list(
        "kind", flat=True
    )
