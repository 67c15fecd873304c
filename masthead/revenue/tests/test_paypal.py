"""PayPal end to end: our views, the real SDK, and a fake PayPal on loopback."""

import json
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.urls import reverse

from masthead.revenue import providers
from masthead.revenue.choices import DonationStatus, GiftStatus
from masthead.revenue.models import Donation, MonthlyGift, PaymentEvent
from masthead.revenue.tokens import manage_token

from .fake_paypal import ACCESS_TOKEN, WEBHOOK_ID
from .paypal_fixtures import fake_paypal_fixture  # noqa: F401  (fake_paypal)

pytestmark = pytest.mark.django_db

WEBHOOK_URL = "/donate/webhooks/paypal/"


@pytest.fixture(autouse=True)
def fresh_cache():
    # The rate limit and the cached plans live in the (process-wide) cache.
    cache.clear()
    yield
    cache.clear()


def start(client, **fields) -> dict:
    data = {
        "amount": "12.50",
        "currency": "EUR",
        "interval": "one_time",
        "provider": "paypal",
        "email": "reader@example.com",
        "name": "Rea Der",
        **fields,
    }
    response = client.post(
        reverse("revenue:start"), data, headers={"accept": "application/json"}
    )
    return {"status": response.status_code, **response.json()}


def local(url: str) -> str:
    """Our own path and query from an absolute URL on SITE_URL."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def paid_one_time(client, fake, captures) -> Donation:
    """A one-time gift the reader approved and came back from."""
    start(client)
    donation = Donation.objects.get()
    with captures(execute=True):
        response = client.get(local(fake.approve(donation.checkout_ref)))
    assert response.status_code == 200
    donation.refresh_from_db()
    return donation


def send_webhook(client, event_type, resource, sent=None, event_id=None, **kw):
    event = {
        "id": event_id or f"WH-{uuid.uuid4().hex[:20].upper()}",
        "event_version": "1.0",
        "create_time": "2026-11-27T10:00:00.123Z",
        "resource_type": kw.pop("resource_type", "capture"),
        "event_type": event_type,
        "summary": f"{event_type} (fake)",
        "resource": resource,
        "links": [],
    }
    sent = sent or datetime.now(UTC)
    headers = {
        "PAYPAL-AUTH-ALGO": "SHA256withRSA",
        "PAYPAL-CERT-URL": "https://api.sandbox.paypal.com/v1/notifications/certs/X",
        "PAYPAL-TRANSMISSION-ID": str(uuid.uuid4()),
        "PAYPAL-TRANSMISSION-SIG": "c2lnbmF0dXJl",
        "PAYPAL-TRANSMISSION-TIME": sent.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    body = kw.pop("body", None) or json.dumps(event, indent=1)
    response = client.post(
        WEBHOOK_URL, body, content_type="application/json", headers=headers
    )
    return response


def capture_resource(donation, amount="12.50", currency="EUR"):
    return {
        "id": donation.payment_ref or "CAPTUREWEBHOOK1",
        "status": "COMPLETED",
        "amount": {"currency_code": currency, "value": amount},
        "custom_id": str(donation.public_id),
        "final_capture": True,
        "supplementary_data": {"related_ids": {"order_id": donation.checkout_ref}},
        "create_time": "2026-11-27T10:00:00Z",
    }


def refund_resource(donation, capture_id):
    return {
        "id": "REFUND1",
        "status": "COMPLETED",
        "amount": {"currency_code": "EUR", "value": "12.50"},
        "custom_id": str(donation.public_id),
        "links": [
            {
                "href": "https://api.sandbox.paypal.com/v2/payments/refunds/REFUND1",
                "rel": "self",
            },
            {
                "href": f"https://api.sandbox.paypal.com/v2/payments/captures/{capture_id}",
                "rel": "up",
            },
        ],
    }


# --- one-time gifts ------------------------------------------------------------------


def test_one_time_gift_creates_an_order_and_sends_the_reader_to_approve(
    client, fake_paypal, settings
):
    answer = start(client)

    donation = Donation.objects.get()
    assert answer["status"] == 200
    assert answer["redirect"] == (
        f"{fake_paypal.url}/checkoutnow?token={donation.checkout_ref}"
    )
    [call] = fake_paypal.calls("POST", "/v2/checkout/orders")
    assert call["headers"]["Authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert call["headers"]["PayPal-Request-Id"] == f"order-{donation.public_id}"
    body = call["body"]
    assert body["intent"] == "CAPTURE"
    [unit] = body["purchase_units"]
    assert unit["amount"] == {"currency_code": "EUR", "value": "12.50"}
    assert unit["custom_id"] == unit["reference_id"] == str(donation.public_id)
    context = body["payment_source"]["paypal"]["experience_context"]
    assert context["return_url"] == (
        settings.SITE_URL.rstrip("/") + f"/donate/thanks/{donation.public_id}/"
    )
    assert context["cancel_url"].endswith("/donate/?cancelled=1")
    assert donation.status == DonationStatus.PENDING
    assert len(fake_paypal.calls("POST", "/v1/oauth2/token")) == 1


def test_whole_amounts_are_sent_with_cents(client, fake_paypal):
    start(client, amount="10")

    [call] = fake_paypal.calls("POST", "/v2/checkout/orders")
    amount = call["body"]["purchase_units"][0]["amount"]
    assert amount == {"currency_code": "EUR", "value": "10.00"}


def test_returning_reader_is_captured_completed_and_receipted_once(
    client, fake_paypal, mailoutbox, django_capture_on_commit_callbacks
):
    donation = paid_one_time(client, fake_paypal, django_capture_on_commit_callbacks)

    [capture_call] = fake_paypal.calls(
        "POST", f"/v2/checkout/orders/{donation.checkout_ref}/capture"
    )
    capture = fake_paypal.orders[donation.checkout_ref]["capture"]
    assert donation.status == DonationStatus.COMPLETED
    assert donation.payment_ref == capture["id"]
    assert donation.donor.email == donation.email == "payer@example.com"
    assert donation.donor.name == "Pat Payer"  # PayPal's name wins
    assert capture_call["headers"]["PayPal-Request-Id"] == (
        f"capture-{donation.checkout_ref}"
    )
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["payer@example.com"]

    # PayPal's webhook for the same capture, and a reload of the thanks page.
    with django_capture_on_commit_callbacks(execute=True):
        response = send_webhook(
            client, "PAYMENT.CAPTURE.COMPLETED", capture_resource(donation)
        )
        reload = client.get(local(fake_paypal.approve(donation.checkout_ref)))

    assert response.status_code == 200
    assert response.content == b"kept completed"
    assert reload.status_code == 200
    donation.refresh_from_db()
    assert donation.status == DonationStatus.COMPLETED
    assert Donation.objects.count() == 1
    assert PaymentEvent.objects.filter(donation=donation).count() == 2
    assert len(mailoutbox) == 1
    assert len(fake_paypal.calls("POST", f"{capture_call['path']}")) == 1


def test_declined_capture_shows_a_clear_error_and_completes_nothing(
    client, fake_paypal, mailoutbox
):
    start(client)
    donation = Donation.objects.get()
    fake_paypal.capture_fails = True

    response = client.get(local(fake_paypal.approve(donation.checkout_ref)))

    assert response.status_code == 502
    assert b"PayPal declined the payment method; nothing was charged." in (
        response.content
    )
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING
    assert not PaymentEvent.objects.exists()
    assert mailoutbox == []


def test_return_with_another_donations_order_is_refused(client, fake_paypal):
    start(client)
    donation = Donation.objects.get()
    path = reverse("revenue:thanks", args=[donation.public_id])

    response = client.get(path, {"token": "ORDER-SOMEONE-ELSE", "PayerID": "X"})

    assert response.status_code == 502
    assert b"belongs to another donation" in response.content
    assert not fake_paypal.calls(
        "POST", "/v2/checkout/orders/ORDER-SOMEONE-ELSE/capture"
    )


def test_cancelled_return_shows_the_pending_donation(client, fake_paypal):
    start(client)
    donation = Donation.objects.get()

    response = client.get(
        reverse("revenue:thanks", args=[donation.public_id]), {"cancelled": "1"}
    )

    assert response.status_code == 200
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING


def test_paypal_down_at_checkout_charges_nothing(client, fake_paypal):
    fake_paypal.fails = True

    answer = start(client)

    assert answer["status"] == 502
    assert "PayPal is not answering; nothing was charged." in answer["errors"]["form"]
    donation = Donation.objects.get()
    assert donation.status == DonationStatus.PENDING
    assert donation.checkout_ref == ""


def test_paypal_failing_to_create_the_order_charges_nothing(client, fake_paypal):
    fake_paypal.fail_paths.add("/v2/checkout/orders")

    answer = start(client)

    assert answer["status"] == 502
    assert answer["errors"] == {
        "form": "PayPal is not answering; nothing was charged. "
        "Please try again in a moment."
    }
    assert len(fake_paypal.calls("POST", "/v2/checkout/orders")) == 1


# --- monthly gifts -------------------------------------------------------------------


def test_monthly_gift_subscribes_on_a_cached_plan(client, fake_paypal):
    first = start(client, interval="monthly")
    second = start(client, interval="monthly")

    assert first["status"] == second["status"] == 200
    [product] = fake_paypal.calls("POST", "/v1/catalogs/products")
    [plan_call] = fake_paypal.calls("POST", "/v1/billing/plans")
    assert plan_call["body"]["product_id"] == next(iter(fake_paypal.products))
    cycle = plan_call["body"]["billing_cycles"][0]
    assert cycle["frequency"] == {"interval_unit": "MONTH", "interval_count": 1}
    assert cycle["pricing_scheme"]["fixed_price"] == {
        "currency_code": "EUR",
        "value": "12.50",
    }
    calls = fake_paypal.calls("POST", "/v1/billing/subscriptions")
    assert len(calls) == 2
    donations = Donation.objects.order_by("created_at")
    plan_id = next(iter(fake_paypal.plans))
    for call, donation in zip(calls, donations, strict=True):
        assert call["body"]["plan_id"] == plan_id
        assert call["body"]["custom_id"] == str(donation.public_id)
        assert call["body"]["application_context"]["return_url"].endswith(
            f"/donate/thanks/{donation.public_id}/"
        )
        assert donation.checkout_ref.startswith("I-")
    assert first["redirect"].startswith(
        f"{fake_paypal.url}/webapps/billing/subscriptions?ba_token=BA-"
    )
    assert product["body"]["type"] == "SERVICE"


def test_monthly_gift_starts_when_the_reader_returns_and_renews_by_webhook(
    client, fake_paypal, mailoutbox, django_capture_on_commit_callbacks
):
    start(client, interval="monthly")
    donation = Donation.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(local(fake_paypal.approve(donation.checkout_ref)))

    assert response.status_code == 200
    donation.refresh_from_db()
    gift = MonthlyGift.objects.get()
    first_sale = fake_paypal.subscriptions[donation.checkout_ref]["sales"][0]["id"]
    assert donation.status == DonationStatus.COMPLETED
    assert donation.gift == gift
    assert donation.payment_ref == first_sale
    assert gift.subscription_ref == donation.checkout_ref
    assert (gift.amount_minor, gift.currency) == (1250, "EUR")
    assert len(mailoutbox) == 1

    def sale(sale_id):
        return {
            "id": sale_id,
            "state": "completed",
            "amount": {"total": "12.50", "currency": "EUR"},
            "billing_agreement_id": gift.subscription_ref,
            "custom": str(donation.public_id),
        }

    with django_capture_on_commit_callbacks(execute=True):
        activated = send_webhook(
            client,
            "BILLING.SUBSCRIPTION.ACTIVATED",
            {"id": gift.subscription_ref, "status": "ACTIVE"},
            resource_type="subscription",
        )
        first = send_webhook(
            client, "PAYMENT.SALE.COMPLETED", sale(first_sale), resource_type="sale"
        )
        renewal = send_webhook(
            client, "PAYMENT.SALE.COMPLETED", sale("SALE-NEXT"), resource_type="sale"
        )

    assert activated.content == b"kept completed"
    assert first.content == b"kept: first payment already recorded"
    assert renewal.content == b"renewal completed"
    assert gift.payments.count() == 2
    assert gift.payments.get(payment_ref="SALE-NEXT").status == "completed"
    assert len(mailoutbox) == 2


def test_activation_webhook_before_the_return_starts_the_gift_once(
    client, fake_paypal, mailoutbox, django_capture_on_commit_callbacks
):
    start(client, interval="monthly")
    donation = Donation.objects.get()
    back = local(fake_paypal.approve(donation.checkout_ref))  # the reader dawdles
    subscription = fake_paypal.subscriptions[donation.checkout_ref]
    first_sale = subscription["sales"][0]["id"]
    resource = {
        "id": donation.checkout_ref,
        "status": "ACTIVE",
        "plan_id": subscription["plan_id"],
        "custom_id": str(donation.public_id),
        "start_time": subscription["start_time"],
        "billing_info": subscription["billing_info"],
        "subscriber": subscription["subscriber"],
    }

    with django_capture_on_commit_callbacks(execute=True):
        activated = send_webhook(
            client,
            "BILLING.SUBSCRIPTION.ACTIVATED",
            resource,
            resource_type="subscription",
        )
        returned = client.get(back)
        sale = send_webhook(
            client,
            "PAYMENT.SALE.COMPLETED",
            {
                "id": first_sale,
                "state": "completed",
                "amount": {"total": "12.50", "currency": "EUR"},
                "billing_agreement_id": donation.checkout_ref,
            },
            resource_type="sale",
        )

    assert activated.content == b"completed"
    assert returned.status_code == 200
    assert sale.content == b"kept: first payment already recorded"
    donation.refresh_from_db()
    assert donation.status == DonationStatus.COMPLETED
    assert donation.payment_ref == first_sale
    assert MonthlyGift.objects.get().payments.get() == donation
    assert len(mailoutbox) == 1


def test_first_sale_unknown_at_the_return_is_not_counted_twice(
    client, fake_paypal, django_capture_on_commit_callbacks
):
    fake_paypal.sales_listed = False
    start(client, interval="monthly")
    donation = Donation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.get(local(fake_paypal.approve(donation.checkout_ref)))
        response = send_webhook(
            client,
            "PAYMENT.SALE.COMPLETED",
            {
                "id": fake_paypal.subscriptions[donation.checkout_ref]["sales"][0][
                    "id"
                ],
                "state": "completed",
                "amount": {"total": "12.50", "currency": "EUR"},
                "billing_agreement_id": donation.checkout_ref,
            },
            resource_type="sale",
        )

    assert response.status_code == 200
    assert Donation.objects.count() == 1


def test_cancelled_subscription_cancels_the_gift(
    client, fake_paypal, django_capture_on_commit_callbacks
):
    start(client, interval="monthly")
    donation = Donation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.get(local(fake_paypal.approve(donation.checkout_ref)))

    response = send_webhook(
        client,
        "BILLING.SUBSCRIPTION.CANCELLED",
        {"id": donation.checkout_ref, "status": "CANCELLED"},
        resource_type="subscription",
    )

    assert response.status_code == 200
    assert MonthlyGift.objects.get().status == GiftStatus.CANCELLED


def test_monthly_donor_manages_the_gift_on_paypal(client, fake_paypal):
    gift = MonthlyGift.objects.create(
        provider="paypal", subscription_ref="I-1", amount_minor=500, currency="EUR"
    )

    response = client.get(reverse("revenue:manage", args=[manage_token(gift)]))

    assert response.status_code == 302
    assert response["Location"] == "https://www.sandbox.paypal.com/myaccount/autopay/"


# --- webhooks ------------------------------------------------------------------------


@pytest.fixture
def pending(client, fake_paypal) -> Donation:
    """A one-time gift sent to PayPal, not yet back."""
    start(client)
    return Donation.objects.get()


def test_verified_capture_webhook_completes_the_donation(
    client, fake_paypal, pending, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = send_webhook(
            client, "PAYMENT.CAPTURE.COMPLETED", capture_resource(pending)
        )

    assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.status == DonationStatus.COMPLETED
    assert pending.payment_ref == "CAPTUREWEBHOOK1"
    assert len(mailoutbox) == 1
    [verify] = fake_paypal.calls("POST", "/v1/notifications/verify-webhook-signature")
    assert verify["headers"]["Authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert verify["body"]["webhook_id"] == WEBHOOK_ID
    assert verify["body"]["auth_algo"] == "SHA256withRSA"
    assert verify["body"]["transmission_sig"] == "c2lnbmF0dXJl"
    assert verify["body"]["webhook_event"]["resource"]["custom_id"] == str(
        pending.public_id
    )


def test_forged_webhook_is_refused_and_changes_nothing(
    client, fake_paypal, pending, mailoutbox
):
    fake_paypal.verification_status = "FAILURE"

    response = send_webhook(
        client, "PAYMENT.CAPTURE.COMPLETED", capture_resource(pending)
    )

    assert response.status_code == 400
    pending.refresh_from_db()
    assert pending.status == DonationStatus.PENDING
    assert not PaymentEvent.objects.exists()
    assert mailoutbox == []


def test_replayed_webhook_changes_nothing(
    client, fake_paypal, pending, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            response = send_webhook(
                client,
                "PAYMENT.CAPTURE.COMPLETED",
                capture_resource(pending),
                event_id="WH-SAME",
            )

    assert response.status_code == 200
    assert response.content == b"replay: already applied"
    assert PaymentEvent.objects.count() == 1
    assert len(mailoutbox) == 1


def test_stale_webhook_is_refused_without_asking_paypal(client, fake_paypal, pending):
    response = send_webhook(
        client,
        "PAYMENT.CAPTURE.COMPLETED",
        capture_resource(pending),
        sent=datetime.now(UTC) - timedelta(seconds=301),
    )

    assert response.status_code == 400
    assert b"too old" in response.content
    assert not fake_paypal.calls("POST", "/v1/notifications/verify-webhook-signature")
    pending.refresh_from_db()
    assert pending.status == DonationStatus.PENDING


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[]", b'{"id": "WH-1", "event_type": "X"}', b"\xff\xfe"],
)
def test_malformed_webhook_is_refused(client, fake_paypal, body):
    response = send_webhook(client, "X", {}, body=body)

    assert response.status_code == 400
    assert not fake_paypal.calls("POST", "/v1/notifications/verify-webhook-signature")


def test_webhook_without_signature_headers_is_refused(client, fake_paypal):
    response = client.post(
        WEBHOOK_URL,
        json.dumps({"id": "WH-1", "event_type": "X", "resource": {}}),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert b"PAYPAL-TRANSMISSION-SIG" in response.content


def test_unknown_webhook_is_acknowledged_and_ignored(client, fake_paypal):
    response = send_webhook(client, "CHECKOUT.ORDER.APPROVED", {"id": "ORDER1"})

    assert response.status_code == 200
    assert response.content == b"ignored"
    assert PaymentEvent.objects.get().outcome == "ignored"


def test_refund_after_completion_refunds_the_donation(
    client, fake_paypal, mailoutbox, django_capture_on_commit_callbacks
):
    donation = paid_one_time(client, fake_paypal, django_capture_on_commit_callbacks)
    resource = refund_resource(donation, donation.payment_ref)
    del resource["custom_id"]  # found by the capture id alone

    response = send_webhook(
        client, "PAYMENT.CAPTURE.REFUNDED", resource, resource_type="refund"
    )

    assert response.status_code == 200
    donation.refresh_from_db()
    assert donation.status == DonationStatus.REFUNDED
    assert donation.refunded_at is not None


def test_reversal_refunds_the_donation(
    client, fake_paypal, django_capture_on_commit_callbacks
):
    donation = paid_one_time(client, fake_paypal, django_capture_on_commit_callbacks)
    resource = refund_resource(donation, donation.payment_ref)

    response = send_webhook(
        client, "PAYMENT.CAPTURE.REVERSED", resource, resource_type="refund"
    )

    assert response.status_code == 200
    donation.refresh_from_db()
    assert donation.status == DonationStatus.REFUNDED


def test_refund_arriving_before_the_capture_ends_refunded(
    client, fake_paypal, pending, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        refund = send_webhook(
            client,
            "PAYMENT.CAPTURE.REFUNDED",
            refund_resource(pending, "CAPTUREWEBHOOK1"),
            resource_type="refund",
        )
        capture = send_webhook(
            client, "PAYMENT.CAPTURE.COMPLETED", capture_resource(pending)
        )

    assert (refund.status_code, capture.status_code) == (200, 200)
    pending.refresh_from_db()
    assert pending.status == DonationStatus.REFUNDED
    assert mailoutbox == []


def test_capture_for_a_different_amount_is_refused(client, fake_paypal, pending):
    response = send_webhook(
        client, "PAYMENT.CAPTURE.COMPLETED", capture_resource(pending, amount="1.00")
    )

    assert response.status_code == 400
    pending.refresh_from_db()
    assert pending.status == DonationStatus.PENDING


def test_paypal_down_during_verification_refuses_so_paypal_retries(
    client, fake_paypal, pending
):
    fake_paypal.fails = True

    response = send_webhook(
        client, "PAYMENT.CAPTURE.COMPLETED", capture_resource(pending)
    )

    assert response.status_code == 400
    assert b"could not verify" in response.content


# --- configuration -------------------------------------------------------------------


def test_missing_options_are_reported(settings):
    settings.MASTHEAD_PAYMENT_PROVIDERS = {
        "paypal": {
            "BACKEND": "masthead.revenue.providers.paypal.PayPalProvider",
            "OPTIONS": {"client_id": "x", "environment": "live"},
        }
    }

    assert providers.problems() == [
        "Payment provider 'paypal': OPTIONS lacks 'client_secret'.",
        "Payment provider 'paypal': OPTIONS lacks 'webhook_id'.",
        "Payment provider 'paypal': environment must be 'sandbox' or 'production'.",
    ]


@pytest.mark.parametrize(
    ("environment", "base"),
    [
        ("sandbox", "https://api-m.sandbox.paypal.com"),
        ("production", "https://api-m.paypal.com"),
    ],
)
def test_without_api_base_the_sdk_talks_to_paypal_with_a_timeout(environment, base):
    from masthead.revenue.providers.paypal import PayPalProvider

    provider = PayPalProvider(
        "paypal",
        {
            "client_id": "x",
            "client_secret": "y",
            "webhook_id": "z",
            "environment": environment,
        },
    )

    configuration = provider._configuration()
    assert configuration.get_base_uri() == base
    assert configuration.timeout == 20
    assert configuration.max_retries == 0
    assert provider.check() == []
