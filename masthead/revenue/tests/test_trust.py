"""Issue 17: disputes, foreign and wrong-mode events, signatures from the future,
and one checkout per donation attempt, through our views and the real SDKs.
"""

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse

from masthead.revenue import reports, services, widgets
from masthead.revenue.choices import DisputeStatus, DonationStatus, EventKind
from masthead.revenue.models import Donation, PaymentEvent
from masthead.revenue.services import month_progress

from .paypal_fixtures import fake_paypal_fixture  # noqa: F401  (fake_paypal)
from .stripe_fixtures import (
    BACKEND,
    WEBHOOK_SECRET,
    checkout_completed,
    fake_stripe_fixture,  # noqa: F401  (the fake_stripe fixture)
    invoice_paid,
    post_event,
    stripe_event,
)
from .test_paypal import capture_resource, send_webhook

pytestmark = pytest.mark.django_db

SESSIONS = "/v1/checkout/sessions"


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()  # rate limits and PayPal's cached plans
    yield
    cache.clear()


def start(client, provider="stripe", **fields):
    data = {
        "amount": "12.50",
        "currency": "USD",
        "interval": "one_time",
        "provider": provider,
        "email": "reader@example.test",
        **fields,
    }
    return client.post("/donate/start/", data, HTTP_ACCEPT="application/json")


def completed_stripe_donation(client, **fields) -> Donation:
    assert start(client, **fields).status_code == 200
    donation = Donation.objects.order_by("-pk").first()
    payload = stripe_event("checkout.session.completed", checkout_completed(donation))
    assert post_event(client, payload).status_code == 200
    donation.refresh_from_db()
    assert donation.status == DonationStatus.COMPLETED
    return donation


def dispute(donation, status="needs_response", **overrides) -> dict:
    found = {
        "id": f"dp_{donation.public_id.hex[:20]}",
        "object": "dispute",
        "amount": donation.amount_minor,
        "currency": donation.currency.lower(),
        "charge": f"ch_{donation.public_id.hex}",
        "payment_intent": f"pi_{donation.public_id.hex}",
        "reason": "fraudulent",
        "status": status,
        "livemode": False,
    }
    found.update(overrides)
    return found


def raised(currency="USD") -> int:
    return month_progress(currency)[0]


def received(currency) -> int:
    totals = reports.totals_per_currency().get(currency)
    return totals.received_minor if totals else 0


# --- disputes at Stripe --------------------------------------------------------------


def test_stripe_dispute_takes_the_money_out_until_it_is_won(client, fake_stripe):
    donation = completed_stripe_donation(client)
    assert raised() == 1250

    opened = post_event(
        client, stripe_event("charge.dispute.created", dispute(donation))
    )

    assert opened.status_code == 200
    donation.refresh_from_db()
    assert (donation.status, donation.dispute) == ("completed", DisputeStatus.OPEN)
    assert donation.status_label == "Completed, disputed"
    assert raised() == 0
    assert reports.totals_per_currency() == {}

    closed = stripe_event("charge.dispute.closed", dispute(donation, status="won"))
    assert post_event(client, closed).status_code == 200
    donation.refresh_from_db()
    assert donation.dispute == DisputeStatus.WON
    assert raised() == 1250
    assert reports.totals_per_currency()["USD"].received_minor == 1250


def test_a_lost_stripe_dispute_stays_out_of_the_totals(client, fake_stripe):
    donation = completed_stripe_donation(client)
    post_event(client, stripe_event("charge.dispute.created", dispute(donation)))
    post_event(
        client,
        stripe_event("charge.dispute.closed", dispute(donation, status="lost")),
    )

    donation.refresh_from_db()
    assert donation.dispute == DisputeStatus.LOST
    assert raised() == 0
    assert not reports.with_lifetime_totals().get().gift_count


def test_a_dispute_before_its_payment_is_settled_when_the_payment_arrives(
    client, fake_stripe
):
    assert start(client).status_code == 200
    donation = Donation.objects.get()

    early = post_event(
        client, stripe_event("charge.dispute.created", dispute(donation))
    )
    assert early.status_code == 200
    assert early.content.startswith(b"waiting")

    payload = stripe_event("checkout.session.completed", checkout_completed(donation))
    assert post_event(client, payload).status_code == 200
    donation.refresh_from_db()
    assert (donation.status, donation.dispute) == ("completed", DisputeStatus.OPEN)
    assert raised() == 0
    assert PaymentEvent.objects.get(kind=EventKind.DISPUTE_OPENED).donation == donation


def test_a_late_or_replayed_dispute_opening_never_reopens_a_closed_one(
    client, fake_stripe
):
    donation = completed_stripe_donation(client)
    opening = stripe_event("charge.dispute.created", dispute(donation))
    won = stripe_event("charge.dispute.closed", dispute(donation, status="won"))

    post_event(client, won)
    post_event(client, opening)
    again = post_event(client, opening)

    assert again.content == b"replay: already applied"
    donation.refresh_from_db()
    assert donation.dispute == DisputeStatus.WON
    assert raised() == 1250


def test_a_dispute_on_a_monthly_payment_is_traced_to_its_invoice(client, fake_stripe):
    donation = completed_stripe_donation(client, interval="monthly")
    renewal = invoice_paid(f"sub_{donation.public_id.hex}", 1250, "USD", id="in_two")
    post_event(client, stripe_event("invoice.paid", renewal))
    fake_stripe.invoice_payments["pi_for_in_two"] = "in_two"

    post_event(
        client,
        stripe_event(
            "charge.dispute.created", dispute(donation, payment_intent="pi_for_in_two")
        ),
    )

    second = Donation.objects.get(payment_ref="in_two")
    donation.refresh_from_db()
    assert second.dispute == DisputeStatus.OPEN
    assert donation.dispute == DisputeStatus.NONE
    assert raised() == 1250


def test_funds_reinstated_leaves_the_decision_to_the_closing_event(client, fake_stripe):
    donation = completed_stripe_donation(client)
    post_event(client, stripe_event("charge.dispute.created", dispute(donation)))

    post_event(
        client, stripe_event("charge.dispute.funds_reinstated", dispute(donation))
    )

    donation.refresh_from_db()
    assert donation.dispute == DisputeStatus.OPEN


# --- events that are not ours --------------------------------------------------------


def test_checkout_event_for_an_unknown_donation_is_acknowledged_and_ignored(
    client, fake_stripe
):
    assert start(client).status_code == 200
    donation = Donation.objects.get()
    stranger = checkout_completed(
        donation, id="cs_elsewhere", client_reference_id=str(uuid.uuid4())
    )
    stranger["metadata"] = {}

    response = post_event(client, stripe_event("checkout.session.completed", stranger))

    assert response.status_code == 200
    assert response.content == b"ignored: no donation of ours matches"
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING


def test_renewal_of_another_products_subscription_is_acknowledged(client, fake_stripe):
    renewal = invoice_paid("sub_not_ours", 900, "USD")

    response = post_event(client, stripe_event("invoice.paid", renewal))

    assert response.status_code == 200
    assert not Donation.objects.exists()


# --- modes ---------------------------------------------------------------------------


def test_live_event_on_a_test_mode_site_is_acknowledged_and_never_applied(
    client, fake_stripe
):
    assert start(client).status_code == 200
    donation = Donation.objects.get()
    payload = stripe_event("checkout.session.completed", checkout_completed(donation))
    payload["livemode"] = True

    response = post_event(client, payload)

    assert response.status_code == 200
    assert b"live-mode event on a test-mode site" in response.content
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING
    assert PaymentEvent.objects.get().kind == EventKind.IGNORED


def test_test_event_on_a_live_site_is_acknowledged_and_never_applied(
    client, fake_stripe, settings
):
    assert start(client).status_code == 200
    donation = Donation.objects.get()
    settings.MASTHEAD_PAYMENT_PROVIDERS = {
        "stripe": {
            "BACKEND": BACKEND,
            "OPTIONS": {
                "secret_key": "sk_live_fake",
                "webhook_secret": WEBHOOK_SECRET,
                "api_base": fake_stripe.url,
            },
        }
    }
    payload = stripe_event("checkout.session.completed", checkout_completed(donation))

    response = post_event(client, payload)

    assert response.status_code == 200
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING


def test_paypal_event_from_the_other_environment_is_acknowledged_and_ignored(
    client, fake_paypal
):
    assert start(client, provider="paypal", currency="EUR").status_code == 200
    donation = Donation.objects.get()
    resource = capture_resource(donation)
    resource["links"] = [
        {"href": "https://api.paypal.com/v2/payments/captures/C1", "rel": "self"}
    ]

    response = send_webhook(client, "PAYMENT.CAPTURE.COMPLETED", resource)

    assert response.status_code == 200
    assert b"production event on a sandbox site" in response.content
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING


# --- signatures dated in the future --------------------------------------------------


def test_stripe_signature_from_the_future_is_refused(client, fake_stripe):
    assert start(client).status_code == 200
    donation = Donation.objects.get()
    payload = stripe_event("checkout.session.completed", checkout_completed(donation))

    response = post_event(client, payload, timestamp=int(time.time()) + 600)

    assert response.status_code == 400
    assert b"future" in response.content
    assert not PaymentEvent.objects.exists()
    assert Donation.objects.get().status == DonationStatus.PENDING


def test_stripe_signature_a_little_ahead_is_clock_skew(client, fake_stripe):
    assert start(client).status_code == 200
    donation = Donation.objects.get()
    payload = stripe_event("checkout.session.completed", checkout_completed(donation))

    response = post_event(client, payload, timestamp=int(time.time()) + 30)

    assert response.status_code == 200


def test_paypal_transmission_from_the_future_is_refused(client, fake_paypal):
    assert start(client, provider="paypal", currency="EUR").status_code == 200
    donation = Donation.objects.get()

    response = send_webhook(
        client,
        "PAYMENT.CAPTURE.COMPLETED",
        capture_resource(donation),
        sent=datetime.now(UTC) + timedelta(minutes=10),
    )

    assert response.status_code == 400
    assert not PaymentEvent.objects.exists()


# --- disputes at PayPal --------------------------------------------------------------


def paypal_dispute(capture_id, status="OPEN", outcome=None) -> dict:
    resource = {
        "dispute_id": "PP-D-1",
        "reason": "UNAUTHORISED",
        "status": status,
        "dispute_amount": {"currency_code": "EUR", "value": "12.50"},
        "disputed_transactions": [{"seller_transaction_id": capture_id}],
    }
    if outcome:
        resource["dispute_outcome"] = {"outcome_code": outcome}
    return resource


def paypal_completed(client) -> Donation:
    assert start(client, provider="paypal", currency="EUR").status_code == 200
    donation = Donation.objects.get()
    resource = capture_resource(donation) | {"id": "CAPTURE1"}
    assert (
        send_webhook(client, "PAYMENT.CAPTURE.COMPLETED", resource).status_code == 200
    )
    donation.refresh_from_db()
    assert donation.status == DonationStatus.COMPLETED
    return donation


@pytest.mark.parametrize(
    ("outcome", "dispute", "counted"),
    [
        ("RESOLVED_SELLER_FAVOUR", DisputeStatus.WON, 1250),
        ("RESOLVED_BUYER_FAVOUR", DisputeStatus.LOST, 0),
        ("NONE", DisputeStatus.LOST, 0),
    ],
)
def test_paypal_dispute_leaves_the_totals_until_resolved_for_us(
    client, fake_paypal, outcome, dispute, counted
):
    donation = paypal_completed(client)

    send_webhook(client, "CUSTOMER.DISPUTE.CREATED", paypal_dispute("CAPTURE1"))
    donation.refresh_from_db()
    assert donation.dispute == DisputeStatus.OPEN
    assert received("EUR") == 0

    resolved = paypal_dispute("CAPTURE1", status="RESOLVED", outcome=outcome)
    assert (
        send_webhook(client, "CUSTOMER.DISPUTE.RESOLVED", resolved).status_code == 200
    )
    donation.refresh_from_db()
    assert donation.dispute == dispute
    assert received("EUR") == counted


def test_paypal_dispute_on_another_payment_touches_no_donation(client, fake_paypal):
    donation = paypal_completed(client)

    response = send_webhook(
        client, "CUSTOMER.DISPUTE.CREATED", paypal_dispute("SOMEONE-ELSES")
    )

    assert response.status_code == 200
    donation.refresh_from_db()
    assert donation.dispute == DisputeStatus.NONE


# --- one checkout per attempt --------------------------------------------------------


def test_a_second_submit_of_one_form_gets_the_same_stripe_checkout(client, fake_stripe):
    attempt = str(uuid.uuid4())

    first = start(client, attempt=attempt)
    second = start(client, attempt=attempt)

    assert first.json()["redirect"] == second.json()["redirect"]
    assert Donation.objects.count() == 1
    keys = {
        call.headers["Idempotency-Key"] for call in fake_stripe.calls("POST", SESSIONS)
    }
    assert len(keys) == 1


def test_a_new_showing_of_the_form_is_a_new_attempt(client, fake_stripe):
    first = start(client, attempt=str(uuid.uuid4()))
    second = start(client, attempt=str(uuid.uuid4()))

    assert first.json()["redirect"] != second.json()["redirect"]
    assert Donation.objects.count() == 2


def test_the_same_form_sent_with_another_amount_is_another_attempt(client, fake_stripe):
    attempt = str(uuid.uuid4())
    start(client, attempt=attempt)
    start(client, attempt=attempt, amount="20")

    assert sorted(Donation.objects.values_list("amount_minor", flat=True)) == [
        1250,
        2000,
    ]


def test_a_paid_attempt_sent_again_is_a_new_donation(client, fake_stripe):
    attempt = str(uuid.uuid4())
    completed_stripe_donation(client, attempt=attempt)

    assert start(client, attempt=attempt).status_code == 200

    assert Donation.objects.filter(status=DonationStatus.PENDING).count() == 1


def test_a_retry_after_stripe_failed_starts_afresh(client, fake_stripe):
    attempt = str(uuid.uuid4())
    fake_stripe.fail(500)
    assert start(client, attempt=attempt).status_code == 502
    fake_stripe.fail_status = None

    retry = start(client, attempt=attempt)

    assert retry.status_code == 200
    keys = [c.headers["Idempotency-Key"] for c in fake_stripe.calls("POST", SESSIONS)]
    assert len(set(keys)) == 2  # a repeated key would replay Stripe's failure


def test_a_second_submit_gets_the_same_paypal_order(client, fake_paypal):
    attempt = str(uuid.uuid4())

    first = start(client, provider="paypal", currency="EUR", attempt=attempt)
    second = start(client, provider="paypal", currency="EUR", attempt=attempt)

    assert first.json()["redirect"] == second.json()["redirect"]
    assert Donation.objects.count() == 1
    assert len(fake_paypal.orders) == 1


def test_services_reuse_only_a_pending_attempt():
    ask = services.DonationAsk(
        amount="10",
        currency="EUR",
        interval="one_time",
        provider="test_mode",
        attempt="a" * 32,
    )
    first = services.create_pending(ask)
    assert services.create_pending(ask) == first
    Donation.objects.filter(pk=first.pk).update(status=DonationStatus.FAILED)
    assert services.create_pending(ask) != first


@pytest.mark.parametrize(
    "token", ["", "short", "x" * 65, "a b c d e f g h i j k", "é" * 20]
)
def test_a_malformed_attempt_token_is_no_token(token):
    assert widgets.ask_from({"attempt": token}).attempt == ""


def test_the_cached_form_carries_no_attempt_token(client):
    # A token in the HTML would be shared by every reader of a cached page.
    page = client.get(reverse("revenue:donate")).content.decode()

    assert page.count('name="attempt" value=""') == 2


def test_finance_sees_a_disputed_donation_in_the_admin(client, django_user_model):
    donation = services.create_pending(
        services.DonationAsk(
            amount="10", currency="EUR", interval="one_time", provider="test_mode"
        )
    )
    Donation.objects.filter(pk=donation.pk).update(
        status=DonationStatus.COMPLETED, dispute=DisputeStatus.OPEN
    )
    client.force_login(django_user_model.objects.create_superuser("f", "f@x.test", "p"))

    page = client.get("/admin/donations/?dispute=open").content.decode()

    assert "Completed, disputed" in page
