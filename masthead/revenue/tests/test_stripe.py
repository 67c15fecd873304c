"""Stripe end to end: our views, the real SDK, a local fake of Stripe's API.

Checkouts go through POST /donate/start/ and the SDK to the fake; webhooks are
signed here exactly as Stripe signs them and posted to /donate/webhooks/stripe/.
"""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.test import Client

from masthead.revenue import providers, tokens
from masthead.revenue.choices import DonationStatus, EventKind, GiftStatus
from masthead.revenue.models import Donation, Donor, MonthlyGift, PaymentEvent
from masthead.revenue.providers import stripe as stripe_provider
from masthead.revenue.providers.base import WebhookRejected

from .fake_stripe import signed_event
from .stripe_fixtures import (
    BACKEND,
    SECRET_KEY,
    WEBHOOK_SECRET,
    charge_refunded,
    checkout_completed,
    fake_stripe_fixture,  # noqa: F401  (the fake_stripe fixture)
    invoice_paid,
    post_event,
    stripe_event,
    subscription,
)

SESSIONS = "/v1/checkout/sessions"


def start(client, **fields):
    data = {
        "amount": "12.50",
        "currency": "USD",
        "interval": "one_time",
        "provider": "stripe",
        "email": "reader@example.test",
        "name": "Ada Reader",
        **fields,
    }
    return client.post("/donate/start/", data, HTTP_ACCEPT="application/json")


def started(client, **fields) -> Donation:
    response = start(client, **fields)
    assert response.status_code == 200, response.content
    return Donation.objects.get()


def completed_with_receipt(client, payload, capture):
    with capture(execute=True):
        return post_event(client, payload)


# --- starting a checkout ------------------------------------------------------------


@pytest.mark.django_db
def test_one_time_checkout_creates_a_payment_session(client, fake_stripe):
    response = start(client)

    donation = Donation.objects.get()
    (call,) = fake_stripe.calls("POST", SESSIONS)
    session_url = f"https://checkout.stripe.com/c/pay/{donation.checkout_ref}"
    assert response.json() == {"redirect": session_url}
    assert donation.status == DonationStatus.PENDING
    assert donation.checkout_ref.startswith("cs_test_")
    reference = str(donation.public_id)
    assert call.form["mode"] == "payment"
    assert call.form["line_items[0][price_data][unit_amount]"] == "1250"
    assert call.form["line_items[0][price_data][currency]"] == "usd"
    assert call.form["line_items[0][quantity]"] == "1"
    assert "line_items[0][price_data][recurring][interval]" not in call.form
    assert call.form["client_reference_id"] == reference
    assert call.form["metadata[reference]"] == reference
    assert call.form["payment_intent_data[metadata][reference]"] == reference
    assert call.form["customer_email"] == "reader@example.test"
    assert call.form["success_url"].endswith(f"/donate/thanks/{reference}/")
    assert call.form["cancel_url"].endswith("/donate/?cancelled=1")
    assert call.headers["Authorization"] == f"Bearer {SECRET_KEY}"
    assert call.headers["Idempotency-Key"] == f"checkout-{reference}"


@pytest.mark.django_db
def test_monthly_checkout_creates_a_subscription_session(client, fake_stripe):
    start(client, interval="monthly", amount="10", currency="EUR", email="")

    donation = Donation.objects.get()
    (call,) = fake_stripe.calls("POST", SESSIONS)
    reference = str(donation.public_id)
    assert donation.interval == "monthly"
    assert donation.status == DonationStatus.PENDING
    assert call.form["mode"] == "subscription"
    assert call.form["line_items[0][price_data][unit_amount]"] == "1000"
    assert call.form["line_items[0][price_data][currency]"] == "eur"
    assert call.form["line_items[0][price_data][recurring][interval]"] == "month"
    assert call.form["subscription_data[metadata][reference]"] == reference
    assert call.form["client_reference_id"] == reference
    assert "payment_intent_data[metadata][reference]" not in call.form
    assert "customer_email" not in call.form


@pytest.mark.django_db
def test_covering_the_fee_adds_stripes_fee_to_the_charge(client, fake_stripe):
    start(client, amount="10", cover_fees="1")

    (call,) = fake_stripe.calls("POST", SESSIONS)
    # 2.9 % of $10 rounded up, plus 30 cents.
    assert call.form["line_items[0][price_data][unit_amount]"] == "1059"
    assert Donation.objects.get().fee_minor == 59


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"amount": "4.99"}, "amount"),
        ({"amount": "100.01"}, "amount"),
        ({"amount": "lots"}, "amount"),
        ({"currency": "GBP"}, "currency"),
        ({"interval": "weekly"}, "interval"),
    ],
)
def test_invalid_ask_is_refused_before_stripe_is_called(
    client, fake_stripe, fields, field
):
    response = start(client, **fields)

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert fake_stripe.requests == []
    assert not Donation.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("status", [500, 402])
def test_stripe_failing_leaves_the_donation_pending(client, fake_stripe, status):
    fake_stripe.fail(status)

    response = start(client)

    assert response.status_code == 502
    assert response.json()["errors"]["form"] == (
        "Card is not answering; nothing was charged. Please try again in a moment."
    )
    donation = Donation.objects.get()
    assert (donation.status, donation.checkout_ref) == (DonationStatus.PENDING, "")
    # No retry: the reader is waiting, and may simply press the button again.
    assert len(fake_stripe.calls("POST", SESSIONS)) == 1


@pytest.mark.django_db
def test_slow_stripe_times_out_instead_of_holding_the_reader(
    client, fake_stripe, monkeypatch
):
    monkeypatch.setattr(stripe_provider, "TIMEOUT_SECONDS", 0.3)
    fake_stripe.delay = 1.5
    began = time.monotonic()

    response = start(client)

    assert response.status_code == 502
    assert time.monotonic() - began < 1.5
    assert Donation.objects.get().status == DonationStatus.PENDING


# --- webhooks -----------------------------------------------------------------------


@pytest.mark.django_db
def test_completed_checkout_completes_the_donation_and_mails_a_receipt(
    client, fake_stripe, mailoutbox, django_capture_on_commit_callbacks
):
    donation = started(client)
    payload = stripe_event("checkout.session.completed", checkout_completed(donation))

    response = completed_with_receipt(
        client, payload, django_capture_on_commit_callbacks
    )

    assert response.status_code == 200, response.content
    donation.refresh_from_db()
    assert donation.status == DonationStatus.COMPLETED
    assert donation.payment_ref == f"pi_{donation.public_id.hex}"
    assert donation.completed_at is not None
    donor = Donor.objects.get()
    assert (donor.email, donor.name) == ("reader@example.test", "Ada Reader")
    assert donation.donor == donor
    assert donation.gift is None
    event = PaymentEvent.objects.get()
    assert (event.event_id, event.kind) == (payload["id"], EventKind.PAYMENT_COMPLETED)
    assert event.donation == donation
    assert [m.to for m in mailoutbox] == [["reader@example.test"]]


@pytest.mark.django_db
def test_async_payment_succeeded_completes_an_unpaid_session(
    client, fake_stripe, django_capture_on_commit_callbacks
):
    donation = started(client)
    unpaid = checkout_completed(donation, payment_status="unpaid")
    paid = checkout_completed(donation)

    first = post_event(client, stripe_event("checkout.session.completed", unpaid))
    donation.refresh_from_db()
    assert (first.status_code, donation.status) == (200, DonationStatus.PENDING)

    with django_capture_on_commit_callbacks(execute=True):
        post_event(
            client, stripe_event("checkout.session.async_payment_succeeded", paid)
        )
    donation.refresh_from_db()
    assert donation.status == DonationStatus.COMPLETED


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kind", ["checkout.session.async_payment_failed", "checkout.session.expired"]
)
def test_failed_or_expired_session_fails_the_donation(client, fake_stripe, kind):
    donation = started(client)
    session = checkout_completed(donation, payment_status="unpaid")

    response = post_event(client, stripe_event(kind, session))

    assert response.status_code == 200
    donation.refresh_from_db()
    assert donation.status == DonationStatus.FAILED


@pytest.mark.django_db
@pytest.mark.parametrize(
    "secret_or_header",
    ["whsec_forged", "missing", "t=1,v1=deadbeef", "garbage"],
)
def test_forged_webhook_is_refused_and_changes_nothing(
    client, fake_stripe, secret_or_header
):
    donation = started(client)
    payload = stripe_event("checkout.session.completed", checkout_completed(donation))
    if secret_or_header.startswith("whsec_"):
        response = post_event(client, payload, secret=secret_or_header)
    else:
        headers = (
            {}
            if secret_or_header == "missing"
            else {"Stripe-Signature": secret_or_header}
        )
        response = client.post(
            "/donate/webhooks/stripe/",
            data=payload,
            content_type="application/json",
            headers=headers,
        )

    assert response.status_code == 400
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING
    assert not PaymentEvent.objects.exists()


@pytest.mark.django_db
def test_replayed_event_is_applied_once(
    client, fake_stripe, mailoutbox, django_capture_on_commit_callbacks
):
    donation = started(client)
    payload = stripe_event("checkout.session.completed", checkout_completed(donation))

    with django_capture_on_commit_callbacks(execute=True):
        first = post_event(client, payload)
        again = post_event(client, payload)

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.content == b"replay: already applied"
    assert PaymentEvent.objects.count() == 1
    assert Donation.objects.get().status == DonationStatus.COMPLETED
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_stale_webhook_is_refused(client, fake_stripe):
    donation = started(client)
    payload = stripe_event("checkout.session.completed", checkout_completed(donation))

    response = post_event(client, payload, timestamp=int(time.time()) - 301)

    assert response.status_code == 400
    assert Donation.objects.get().status == DonationStatus.PENDING
    assert not PaymentEvent.objects.exists()


@pytest.mark.django_db
def test_tolerance_comes_from_settings(client, fake_stripe, settings):
    settings.MASTHEAD_WEBHOOK_TOLERANCE_SECONDS = 3600
    donation = started(client)
    payload = stripe_event("checkout.session.completed", checkout_completed(donation))

    response = post_event(client, payload, timestamp=int(time.time()) - 1800)

    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        b"\xff\xfe not utf-8",
        "[1, 2, 3]",
        '{"id": "evt_1", "object": "event"}',
        '{"id": "evt_1", "object": "event", "type": "charge.refunded",'
        ' "created": 1, "data": {}}',
        '{"id": "", "object": "event", "type": "x", "created": 1,'
        ' "data": {"object": {}}}',
    ],
)
def test_malformed_but_signed_body_is_refused(client, fake_stripe, body):
    response = post_event(client, body)

    assert response.status_code == 400
    assert not PaymentEvent.objects.exists()


@pytest.mark.django_db
def test_amount_mismatch_is_refused_and_changes_nothing(client, fake_stripe):
    donation = started(client)
    cheaper = checkout_completed(donation, amount_total=donation.amount_minor - 1)

    response = post_event(client, stripe_event("checkout.session.completed", cheaper))

    assert response.status_code == 400
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING
    assert not PaymentEvent.objects.exists()
    assert not Donor.objects.exists()


@pytest.mark.django_db
def test_unknown_event_type_is_recorded_and_ignored(client, fake_stripe):
    donation = started(client)
    payload = stripe_event("customer.created", {"id": "cus_1", "object": "customer"})

    response = post_event(client, payload)

    assert response.status_code == 200
    event = PaymentEvent.objects.get()
    assert (event.event_id, event.kind) == (payload["id"], EventKind.IGNORED)
    assert Donation.objects.get().status == DonationStatus.PENDING
    assert donation.pk == Donation.objects.get().pk


@pytest.mark.django_db
def test_session_from_elsewhere_on_the_account_is_acknowledged_and_ignored(
    client, fake_stripe
):
    # Another product sold through the same account: its reference is no UUID.
    payload = stripe_event(
        "checkout.session.completed",
        {
            "id": "cs_other",
            "object": "checkout.session",
            "mode": "payment",
            "payment_status": "paid",
            "client_reference_id": "order-42",
            "amount_total": 500,
            "currency": "usd",
            "payment_intent": "pi_other",
        },
    )

    response = post_event(client, payload)

    # A 4xx would have Stripe send it again for three days.
    assert response.status_code == 200
    assert response.content == b"ignored: not a donation"
    assert PaymentEvent.objects.get().kind == EventKind.IGNORED
    assert not Donation.objects.exists()


@pytest.mark.django_db
def test_refund_arriving_before_completion_ends_refunded(
    client, fake_stripe, mailoutbox, django_capture_on_commit_callbacks
):
    donation = started(client)

    with django_capture_on_commit_callbacks(execute=True):
        refund = post_event(
            client, stripe_event("charge.refunded", charge_refunded(donation))
        )
        late = post_event(
            client,
            stripe_event("checkout.session.completed", checkout_completed(donation)),
        )

    assert (refund.status_code, late.status_code) == (200, 200)
    donation.refresh_from_db()
    assert donation.status == DonationStatus.REFUNDED
    assert donation.payment_ref == f"pi_{donation.public_id.hex}"
    assert mailoutbox == []


@pytest.mark.django_db
def test_refund_after_completion_refunds_by_payment_intent(
    client, fake_stripe, django_capture_on_commit_callbacks
):
    donation = started(client)
    with django_capture_on_commit_callbacks(execute=True):
        post_event(
            client,
            stripe_event("checkout.session.completed", checkout_completed(donation)),
        )
    # No metadata: the PaymentIntent alone must find the donation.
    charge = charge_refunded(donation, metadata={})

    response = post_event(client, stripe_event("charge.refunded", charge))

    assert response.status_code == 200
    donation.refresh_from_db()
    assert donation.status == DonationStatus.REFUNDED
    assert donation.refunded_at is not None


@pytest.mark.django_db
def test_refund_of_a_monthly_payment_is_traced_to_its_invoice(
    client, fake_stripe, django_capture_on_commit_callbacks
):
    donation = started(client, interval="monthly", amount="10", currency="EUR")
    sub_ref = f"sub_{donation.public_id.hex}"
    renewal = invoice_paid(sub_ref, 1000, "EUR")
    with django_capture_on_commit_callbacks(execute=True):
        post_event(
            client,
            stripe_event("checkout.session.completed", checkout_completed(donation)),
        )
        post_event(client, stripe_event("invoice.paid", renewal))
    fake_stripe.invoice_payments["pi_renewal"] = renewal["id"]
    # A subscription's charge carries no metadata of ours, only its PaymentIntent.
    charge = charge_refunded(donation, payment_intent="pi_renewal", metadata={})

    response = post_event(client, stripe_event("charge.refunded", charge))

    assert response.status_code == 200, response.content
    (lookup,) = fake_stripe.calls("GET", "/v1/invoice_payments")
    assert lookup.form["payment[type]"] == "payment_intent"
    assert lookup.form["payment[payment_intent]"] == "pi_renewal"
    refunded = Donation.objects.get(payment_ref=renewal["id"])
    assert refunded.status == DonationStatus.REFUNDED
    donation.refresh_from_db()
    assert donation.status == DonationStatus.COMPLETED


@pytest.mark.django_db
def test_refund_lookup_failing_asks_stripe_to_retry(
    client, fake_stripe, django_capture_on_commit_callbacks
):
    donation = started(client)
    with django_capture_on_commit_callbacks(execute=True):
        post_event(
            client,
            stripe_event("checkout.session.completed", checkout_completed(donation)),
        )
    fake_stripe.fail(500)
    client.raise_request_exception = False
    charge = charge_refunded(donation, metadata={})

    response = post_event(client, stripe_event("charge.refunded", charge))

    assert response.status_code == 500
    assert Donation.objects.get().status == DonationStatus.COMPLETED
    assert PaymentEvent.objects.count() == 1


@pytest.mark.django_db
def test_partial_refund_leaves_the_donation_completed(
    client, fake_stripe, django_capture_on_commit_callbacks
):
    donation = started(client)
    with django_capture_on_commit_callbacks(execute=True):
        post_event(
            client,
            stripe_event("checkout.session.completed", checkout_completed(donation)),
        )
    partial = charge_refunded(donation, refunded=False, amount_refunded=100)

    response = post_event(client, stripe_event("charge.refunded", partial))

    assert response.status_code == 200
    assert Donation.objects.get().status == DonationStatus.COMPLETED
    assert PaymentEvent.objects.filter(kind=EventKind.IGNORED).count() == 1


@pytest.mark.django_db
def test_monthly_completion_starts_a_gift_and_renewals_add_donations(
    client, fake_stripe, mailoutbox, django_capture_on_commit_callbacks
):
    donation = started(client, interval="monthly", amount="10", currency="EUR")
    sub_ref = f"sub_{donation.public_id.hex}"

    with django_capture_on_commit_callbacks(execute=True):
        completed = post_event(
            client,
            stripe_event("checkout.session.completed", checkout_completed(donation)),
        )
        first_invoice = post_event(
            client,
            stripe_event(
                "invoice.paid",
                invoice_paid(
                    sub_ref, 1000, "EUR", billing_reason="subscription_create"
                ),
            ),
        )
        renewal = post_event(
            client, stripe_event("invoice.paid", invoice_paid(sub_ref, 1000, "EUR"))
        )

    assert [r.status_code for r in (completed, first_invoice, renewal)] == [200] * 3
    gift = MonthlyGift.objects.get()
    assert (gift.subscription_ref, gift.status) == (sub_ref, GiftStatus.ACTIVE)
    assert (gift.amount_minor, gift.currency) == (1000, "EUR")
    assert gift.donor.email == "reader@example.test"
    payments = list(gift.payments.order_by("pk"))
    assert [p.status for p in payments] == [DonationStatus.COMPLETED] * 2
    assert payments[0] == donation
    assert payments[1].payment_ref.startswith("in_")
    assert payments[1].donor == gift.donor
    assert len(mailoutbox) == 2


@pytest.mark.django_db
def test_renewal_for_an_older_api_version_names_the_subscription_directly(
    client, fake_stripe, django_capture_on_commit_callbacks
):
    donation = started(client, interval="monthly", amount="10", currency="EUR")
    sub_ref = f"sub_{donation.public_id.hex}"
    with django_capture_on_commit_callbacks(execute=True):
        post_event(
            client,
            stripe_event("checkout.session.completed", checkout_completed(donation)),
        )
        response = post_event(
            client,
            stripe_event(
                "invoice.paid",
                invoice_paid(sub_ref, 1000, "EUR", parent=None, subscription=sub_ref),
            ),
        )

    assert response.status_code == 200
    assert MonthlyGift.objects.get().payments.count() == 2


@pytest.mark.django_db
def test_renewal_with_a_changed_amount_is_refused(
    client, fake_stripe, django_capture_on_commit_callbacks
):
    donation = started(client, interval="monthly", amount="10", currency="EUR")
    sub_ref = f"sub_{donation.public_id.hex}"
    with django_capture_on_commit_callbacks(execute=True):
        post_event(
            client,
            stripe_event("checkout.session.completed", checkout_completed(donation)),
        )

    response = post_event(
        client, stripe_event("invoice.paid", invoice_paid(sub_ref, 999, "EUR"))
    )

    assert response.status_code == 400
    assert MonthlyGift.objects.get().payments.count() == 1


@pytest.mark.django_db
def test_cancellation_before_completion_ends_with_a_cancelled_gift(
    client, fake_stripe, django_capture_on_commit_callbacks
):
    donation = started(client, interval="monthly", amount="10", currency="EUR")

    with django_capture_on_commit_callbacks(execute=True):
        cancelled = post_event(
            client,
            stripe_event("customer.subscription.deleted", subscription(donation)),
        )
        late = post_event(
            client,
            stripe_event("checkout.session.completed", checkout_completed(donation)),
        )

    assert (cancelled.status_code, late.status_code) == (200, 200)
    gift = MonthlyGift.objects.get()
    assert gift.status == GiftStatus.CANCELLED
    assert gift.cancelled_at is not None
    donation.refresh_from_db()
    assert donation.status == DonationStatus.COMPLETED
    assert donation.gift == gift


@pytest.mark.django_db
def test_gift_cancelled_before_completion_still_knows_its_donor(
    client, fake_stripe, django_capture_on_commit_callbacks
):
    donation = started(client, interval="monthly", amount="10", currency="EUR")
    with django_capture_on_commit_callbacks(execute=True):
        post_event(
            client,
            stripe_event("customer.subscription.deleted", subscription(donation)),
        )
        post_event(
            client,
            stripe_event("checkout.session.completed", checkout_completed(donation)),
        )

    assert MonthlyGift.objects.get().donor == Donor.objects.get()


@pytest.mark.django_db
def test_cancellation_of_a_running_gift(
    client, fake_stripe, django_capture_on_commit_callbacks
):
    donation = started(client, interval="monthly", amount="10", currency="EUR")
    with django_capture_on_commit_callbacks(execute=True):
        post_event(
            client,
            stripe_event("checkout.session.completed", checkout_completed(donation)),
        )

    response = post_event(
        client, stripe_event("customer.subscription.deleted", subscription(donation))
    )

    assert response.status_code == 200
    assert MonthlyGift.objects.get().status == GiftStatus.CANCELLED


# --- many deliveries at once --------------------------------------------------------

DELIVERIES = 50


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_deliveries_of_one_event_complete_it_once(fake_stripe, mailoutbox):
    # Stripe retries and may deliver the same event to several of our workers at
    # once; the unique PaymentEvent row must let exactly one of them through.
    donation = started(Client())
    payload = stripe_event("checkout.session.completed", checkout_completed(donation))

    def deliver(_):
        # Errors become 500 answers, as a server would give them to Stripe.
        client = Client(raise_request_exception=False)
        try:
            response = post_event(client, payload)
            return response.status_code, response.content.decode()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=DELIVERIES) as pool:
        answers = list(pool.map(deliver, range(DELIVERIES)))

    # A delivery that lost a lock wait answers 5xx, and Stripe sends it again;
    # every other one is either the one completion or a replay.
    statuses = [status for status, _ in answers]
    assert set(statuses) <= {200, 500}, answers
    bodies = [body for status, body in answers if status == 200]
    assert bodies.count("completed") == 1, bodies
    assert set(bodies) <= {"completed", "replay: already applied"}, bodies
    assert PaymentEvent.objects.count() == 1
    donation.refresh_from_db()
    assert donation.status == DonationStatus.COMPLETED
    assert Donor.objects.count() == 1
    assert len(mailoutbox) == 1
    # The receipt task itself is idempotent: it stamped the donation once.
    assert donation.receipt_sent_at is not None


# --- managing a monthly gift ---------------------------------------------------------


def _gift(client, capture) -> MonthlyGift:
    donation = started(client, interval="monthly", amount="10", currency="EUR")
    with capture(execute=True):
        post_event(
            client,
            stripe_event("checkout.session.completed", checkout_completed(donation)),
        )
    return MonthlyGift.objects.get()


@pytest.mark.django_db
def test_manage_link_opens_stripes_billing_portal(
    client, fake_stripe, django_capture_on_commit_callbacks
):
    gift = _gift(client, django_capture_on_commit_callbacks)
    fake_stripe.requests.clear()

    response = client.get(f"/donate/manage/{tokens.manage_token(gift)}/")

    assert response.status_code == 302
    assert response["Location"].startswith("https://billing.stripe.com/p/session/")
    retrieve, portal = fake_stripe.requests
    assert (retrieve.method, retrieve.path) == (
        "GET",
        f"/v1/subscriptions/{gift.subscription_ref}",
    )
    assert (portal.method, portal.path) == ("POST", "/v1/billing_portal/sessions")
    assert portal.form["customer"] == f"cus_for_{gift.subscription_ref}"
    assert portal.form["return_url"].endswith("/donate/")


@pytest.mark.django_db
def test_manage_link_explains_when_stripe_fails(
    client, fake_stripe, django_capture_on_commit_callbacks
):
    gift = _gift(client, django_capture_on_commit_callbacks)
    fake_stripe.fail(500)

    response = client.get(f"/donate/manage/{tokens.manage_token(gift)}/")

    assert response.status_code == 502
    assert b"not available right now" in response.content


# --- configuration ------------------------------------------------------------------


def test_stripe_without_webhook_secret_is_a_configuration_problem(settings):
    settings.MASTHEAD_PAYMENT_PROVIDERS = {
        "stripe": {"BACKEND": BACKEND, "OPTIONS": {"secret_key": SECRET_KEY}}
    }

    assert providers.problems() == [
        "Payment provider 'stripe': OPTIONS lacks 'webhook_secret'."
    ]


def test_complete_stripe_entry_has_no_problem(settings):
    settings.MASTHEAD_PAYMENT_PROVIDERS = {
        "stripe": {
            "BACKEND": BACKEND,
            "OPTIONS": {"secret_key": SECRET_KEY, "webhook_secret": WEBHOOK_SECRET},
        }
    }

    assert providers.problems() == []
    provider = providers.get("stripe")
    assert provider.label == "Card"
    assert provider.fee_minor(1000, "USD") == 59


def test_provider_without_webhook_secret_refuses_every_webhook():
    provider = stripe_provider.StripeProvider("stripe", {"secret_key": SECRET_KEY})
    body, header = signed_event({"id": "evt_1"}, "")

    with pytest.raises(WebhookRejected, match="signature"):
        provider.parse_webhook(body, {"Stripe-Signature": header})


def test_signature_checked_before_the_body_is_read(fake_stripe):
    # A forged body is never parsed: what it says cannot reach the services.
    provider = providers.get("stripe")
    with pytest.raises(WebhookRejected, match="signature"):
        provider.parse_webhook(b"{not json", {"Stripe-Signature": "t=1,v1=00"})
