"""Properties of donations under attack (issue 17): webhooks old, future-dated,
replayed, reordered, forged, of the other mode or naming another donation move
totals and states exactly as the rules say, and emailed links never undo a
donor's choice.

The rules: an event is applied once if at least one delivery of it is authentic,
fresh and of our mode; a completion completes its own donation only; a dispute
takes its donation out of the month's total until won, and a closed dispute
stays closed.
"""

import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from masthead.revenue import services, tokens
from masthead.revenue.choices import DisputeStatus, EventKind, GiftStatus
from masthead.revenue.models import Donation, MonthlyGift, PaymentEvent
from masthead.revenue.tests.fake_paypal import FakePayPal
from masthead.revenue.tests.paypal_fixtures import paypal_provider
from masthead.revenue.tests.stripe_fixtures import (
    checkout_completed,
    fake_stripe_fixture,  # noqa: F401  (the fake_stripe fixture)
    post_event,
    stripe_event,
)

from .conftest import FUZZ

pytestmark = pytest.mark.django_db

AMOUNTS = {"a": 1250, "b": 2000}  # two donations, told apart by amount
EVENTS = [
    f"{donation}:{kind}"
    for donation in AMOUNTS
    for kind in ("complete", "dispute", "won", "lost")
]
REJECTED = {"old", "future", "forged", "wrong_amount"}
HOW = ["ok", "ok", "old", "future", "forged", "wrong_mode", "wrong_amount"]


def _delivery(key: str, how: str) -> tuple[str, str]:
    # Only a completion carries an amount we check.
    if how == "wrong_amount" and not key.endswith(":complete"):
        return key, "ok"
    return key, how


deliveries = st.lists(
    st.tuples(st.sampled_from(EVENTS), st.sampled_from(HOW)).map(
        lambda pair: _delivery(*pair)
    ),
    max_size=8,
)
# Every delivery is a real HTTP round trip through the SDK and the fakes.
WEBHOOK_FUZZ = settings(FUZZ, max_examples=10)


def _closing_once(sequence) -> bool:
    # One dispute per payment: it closes won or lost, never both.
    applied = {key for key, how in sequence}
    return not any({f"{d}:won", f"{d}:lost"} <= applied for d in AMOUNTS)


def _expected(sequence) -> tuple[dict, int]:
    """Each donation's (status, dispute), and what the month's total gains."""
    applied = {key for key, how in sequence if how == "ok"}
    states, counted = {}, 0
    for name, amount in AMOUNTS.items():
        paid = f"{name}:complete" in applied
        status = "completed" if paid else "pending"
        # A dispute that came before its payment waits for it.
        dispute = DisputeStatus.NONE
        if paid and f"{name}:dispute" in applied:
            dispute = DisputeStatus.OPEN
        for closing in ("won", "lost"):
            if paid and f"{name}:{closing}" in applied:
                dispute = DisputeStatus(closing)
        states[name] = (status, dispute)
        if status == "completed" and dispute in (DisputeStatus.NONE, "won"):
            counted += amount
    return states, counted


def _pending(provider: str, currency: str) -> dict[str, Donation]:
    found = {}
    for name, amount in AMOUNTS.items():
        donation = Donation.objects.create(
            amount_minor=amount,
            currency=currency,
            provider=provider,
            checkout_ref=f"cs_{uuid.uuid4().hex}",
        )
        found[name] = donation
    return found


# --- Stripe --------------------------------------------------------------------------


def _stripe_payload(key, how, donation, run):
    name, kind = key.split(":")
    event_id = f"evt_{run}_{key}" + ("_other" if how == "wrong_mode" else "")
    event_id += "_bad" if how == "wrong_amount" else ""
    if kind == "complete":
        obj = checkout_completed(donation)
        if how == "wrong_amount":
            obj["amount_total"] += 1
        payload = stripe_event("checkout.session.completed", obj, event_id)
    else:
        status = {"dispute": "needs_response", "won": "won", "lost": "lost"}[kind]
        obj = {
            "id": f"dp_{donation.public_id.hex}",
            "object": "dispute",
            "amount": donation.amount_minor,
            "currency": "usd",
            "charge": f"ch_{donation.public_id.hex}",
            "payment_intent": f"pi_{donation.public_id.hex}",
            "status": status,
        }
        kind_name = "created" if kind == "dispute" else "closed"
        payload = stripe_event(f"charge.dispute.{kind_name}", obj, event_id)
    payload["livemode"] = how == "wrong_mode"
    return payload


@WEBHOOK_FUZZ
@given(sequence=deliveries.filter(_closing_once), skew=st.integers(61, 3600))
def test_stripe_events_move_money_only_as_the_rules_say(
    client, fake_stripe, sequence, skew
):
    run = uuid.uuid4().hex[:8]
    donations = _pending("stripe", "USD")
    before = services.month_progress("USD")[0]
    for key, how in sequence:
        donation = donations[key.split(":")[0]]
        payload = _stripe_payload(key, how, donation, run)
        now = int(time.time())
        timestamp = {"old": now - 301 - skew, "future": now + skew}.get(how, now)
        secret = "whsec_forged" if how == "forged" else None
        kwargs = {"timestamp": timestamp} | ({"secret": secret} if secret else {})
        response = post_event(client, payload, **kwargs)
        assert response.status_code == (400 if how in REJECTED else 200), (
            how,
            response.content,
        )
    states, counted = _expected(sequence)
    for name, donation in donations.items():
        donation.refresh_from_db()
        assert (donation.status, donation.dispute) == states[name], (name, sequence)
    assert services.month_progress("USD")[0] - before == counted


# --- PayPal --------------------------------------------------------------------------


@pytest.fixture
def fake_paypal(settings):
    fake = FakePayPal().start()
    settings.MASTHEAD_PAYMENT_PROVIDERS = {"paypal": paypal_provider(fake.url)}
    yield fake
    fake.stop()


def _paypal_event(key, how, donation, run):
    name, kind = key.split(":")
    capture_id = f"CAP-{donation.public_id.hex[:12]}"
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if kind == "complete":
        value = "12.50" if name == "a" else "20.00"
        if how == "wrong_amount":
            value = "99.00"
        event_type = "PAYMENT.CAPTURE.COMPLETED"
        resource = {
            "id": capture_id,
            "status": "COMPLETED",
            "amount": {"currency_code": "EUR", "value": value},
            "custom_id": str(donation.public_id),
        }
    else:
        event_type = (
            "CUSTOMER.DISPUTE.CREATED"
            if kind == "dispute"
            else "CUSTOMER.DISPUTE.RESOLVED"
        )
        resource = {
            "dispute_id": f"PP-D-{donation.public_id.hex[:8]}",
            "status": "OPEN" if kind == "dispute" else "RESOLVED",
            "disputed_transactions": [{"seller_transaction_id": capture_id}],
        }
        if kind != "dispute":
            outcome = "RESOLVED_SELLER_FAVOUR" if kind == "won" else "ACCEPTED"
            resource["dispute_outcome"] = {"outcome_code": outcome}
    host = "api.paypal.com" if how == "wrong_mode" else "api.sandbox.paypal.com"
    event_id = f"WH-{run}-{key}" + ("-other" if how == "wrong_mode" else "")
    event_id += "-bad" if how == "wrong_amount" else ""
    return {
        "id": event_id,
        "create_time": now,
        "event_type": event_type,
        "resource": resource,
        "links": [{"href": f"https://{host}/v1/notifications/webhooks-events/X"}],
    }


@WEBHOOK_FUZZ
@given(sequence=deliveries.filter(_closing_once), skew=st.integers(61, 3600))
def test_paypal_events_move_money_only_as_the_rules_say(
    client, fake_paypal, sequence, skew
):
    run = uuid.uuid4().hex[:8]
    donations = _pending("paypal", "EUR")
    before = services.month_progress("EUR")[0]
    for key, how in sequence:
        event = _paypal_event(key, how, donations[key.split(":")[0]], run)
        sent = datetime.now(UTC) + {
            "old": timedelta(seconds=-301 - skew),
            "future": timedelta(seconds=skew),
        }.get(how, timedelta())
        fake_paypal.verification_status = "FAILURE" if how == "forged" else "SUCCESS"
        response = client.post(
            "/donate/webhooks/paypal/",
            json.dumps(event),
            content_type="application/json",
            headers={
                "PAYPAL-AUTH-ALGO": "SHA256withRSA",
                "PAYPAL-CERT-URL": "https://api.sandbox.paypal.com/certs/X",
                "PAYPAL-TRANSMISSION-ID": str(uuid.uuid4()),
                "PAYPAL-TRANSMISSION-SIG": "c2ln",
                "PAYPAL-TRANSMISSION-TIME": sent.strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
        )
        assert response.status_code == (400 if how in REJECTED else 200), (
            how,
            response.content,
        )
    states, counted = _expected(sequence)
    for name, donation in donations.items():
        donation.refresh_from_db()
        assert (donation.status, donation.dispute) == states[name], (name, sequence)
    assert services.month_progress("EUR")[0] - before == counted


# --- emailed links -------------------------------------------------------------------


def _tampered(token: str) -> str:
    last = token[-1]
    return token[:-1] + ("A" if last != "A" else "B")


link_actions = st.lists(
    st.tuples(
        st.sampled_from(["open", "cancel"]),
        st.sampled_from(["valid", "tampered", "other_gift", "expired", "garbage"]),
    ),
    min_size=1,
    max_size=6,
)


@FUZZ
@given(actions=link_actions)
def test_emailed_gift_links_change_only_their_gift_and_never_undo_a_cancel(
    client, actions
):
    gifts = [
        MonthlyGift.objects.create(
            provider="test_mode",
            subscription_ref=f"test_sub_{uuid.uuid4().hex}",
            amount_minor=1000,
            currency="EUR",
        )
        for _ in range(2)
    ]
    gift, other = gifts
    cancelled = False
    for action, variant in actions:
        token = {
            "valid": tokens.manage_token(gift),
            "tampered": _tampered(tokens.manage_token(gift)),
            "other_gift": tokens.manage_token(other),
            "expired": tokens.manage_token(gift),
            "garbage": "not-a-token",
        }[variant]
        view = "revenue:manage" if action == "open" else "revenue:test_manage"
        url = reverse(view, args=[token])
        later = timedelta(seconds=tokens.MANAGE_MAX_AGE + 60)
        traveller = time_machine.travel(
            datetime.now(UTC) + (later if variant == "expired" else timedelta()),
            tick=True,
        )
        with traveller:
            response = client.post(url) if action == "cancel" else client.get(url)
        if variant in ("tampered", "expired", "garbage"):
            assert response.status_code == 404
        else:
            assert response.status_code in (200, 302)
        if action == "cancel" and variant == "valid":
            cancelled = True
        gift.refresh_from_db()
        other.refresh_from_db()
        # Opening the link changes nothing; only the owner's cancel cancels.
        assert (gift.status == GiftStatus.CANCELLED) is cancelled
        other_cancelled = any(a == "cancel" and v == "other_gift" for a, v in actions)
        assert other.status in (GiftStatus.ACTIVE, GiftStatus.CANCELLED)
        if not other_cancelled:
            assert other.status == GiftStatus.ACTIVE


def test_a_cancel_link_used_twice_cancels_once(client):
    gift = MonthlyGift.objects.create(
        provider="test_mode",
        subscription_ref="test_sub_twice",
        amount_minor=1000,
        currency="EUR",
    )
    url = reverse("revenue:test_manage", args=[tokens.manage_token(gift)])

    client.post(url)
    gift.refresh_from_db()
    first_cancelled_at = gift.cancelled_at
    client.post(url)

    gift.refresh_from_db()
    assert gift.status == GiftStatus.CANCELLED
    assert gift.cancelled_at == first_cancelled_at
    assert PaymentEvent.objects.filter(kind=EventKind.GIFT_CANCELLED).count() == 1
