"""Donations against the real database: validation and events applied exactly once."""

import uuid
from datetime import UTC, datetime

import pytest
import time_machine

from masthead.revenue import services
from masthead.revenue.choices import DonationStatus, EventKind, GiftStatus
from masthead.revenue.models import Donation, Donor, MonthlyGift, PaymentEvent
from masthead.revenue.services import DonationInvalid, EventMismatch, apply_event

from .fixtures import ask, event

pytestmark = pytest.mark.django_db


def errors_for(**fields) -> dict:
    with pytest.raises(DonationInvalid) as raised:
        services.create_pending(ask(**fields))
    assert not Donation.objects.exists()
    return raised.value.errors


def test_a_valid_ask_becomes_a_pending_donation_in_minor_units(article):
    donation = services.create_pending(ask(source_page_id=article.pk))
    assert (donation.amount_minor, donation.currency) == (1250, "EUR")
    assert donation.status == DonationStatus.PENDING
    assert donation.source_page_id == article.pk
    assert donation.email == "ada@example.org"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"amount": "4.99"}, "amount", "Give between €5 and €100."),
        ({"amount": "100.01"}, "amount", "Give between €5 and €100."),
        ({"amount": "-10"}, "amount", "Give between"),
        ({"amount": "ten"}, "amount", "Enter an amount in numbers"),
        ({"amount": "NaN"}, "amount", "Enter an amount in numbers"),
        ({"amount": "1e400"}, "amount", "Enter an amount in numbers"),
        ({"currency": "GBP"}, "currency", "Choose one of the currencies offered."),
        ({"interval": "weekly"}, "interval", "Choose one-time or monthly."),
        ({"provider": "bitcoin"}, "provider", "Choose how to pay."),
        ({"email": "not-an-address"}, "email", "Enter a valid email address"),
    ],
)
def test_the_clients_numbers_are_checked_against_settings(fields, field, message):
    assert errors_for(**fields)[field].startswith(message)


def test_limits_follow_the_currency(settings):
    settings.MASTHEAD_DONATION_CURRENCIES = {
        "EUR": {"symbol": "€", "min": 2, "max": 500, "presets": [2]},
    }
    assert "Give between €2 and €500." in errors_for(amount="501")["amount"]
    assert services.create_pending(ask(amount="499")).amount_minor == 49900


def test_covering_the_fee_adds_the_providers_fee(settings):
    settings.MASTHEAD_PAYMENT_PROVIDERS = {
        "test_mode": {
            "BACKEND": "masthead.revenue.providers.test_mode.TestModeProvider",
            "OPTIONS": {"FEE": (2.9, 30)},
        }
    }
    donation = services.create_pending(ask(amount="10", cover_fees=True))
    assert donation.fee_minor == 29 + 30  # 2.9% of 1000 rounded up, plus 30
    assert donation.amount_minor == 1059


def test_a_completion_completes_once_and_finds_the_donor():
    donation = services.create_pending(ask())
    paid = event(donation=donation, payment_ref="pay_1", email="ADA@example.org")
    assert apply_event("test_mode", paid) == DonationStatus.COMPLETED
    assert apply_event("test_mode", paid) == "replay: already applied"
    donation.refresh_from_db()
    assert donation.status == DonationStatus.COMPLETED
    assert donation.donor == Donor.objects.get(email="ada@example.org")
    assert PaymentEvent.objects.count() == 1


def test_a_wrong_amount_or_currency_changes_nothing():
    donation = services.create_pending(ask())
    for wrong in ({"amount_minor": 1}, {"currency": "USD"}):
        with pytest.raises(EventMismatch):
            apply_event("test_mode", event(donation=donation, **wrong))
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING
    assert not PaymentEvent.objects.exists()


def test_an_event_for_no_donation_of_ours_is_recorded_and_ignored():
    donation = services.create_pending(ask())
    unknown = event(reference=str(uuid.uuid4()), checkout_ref="cs_unknown")

    outcome = apply_event("test_mode", unknown)

    assert outcome == "ignored: no donation of ours matches"
    assert PaymentEvent.objects.get().outcome == outcome
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING


def test_events_out_of_order_converge_refund_first():
    donation = services.create_pending(ask())
    refund = event(EventKind.REFUNDED, donation=donation)
    apply_event("test_mode", refund)
    assert apply_event("test_mode", event(donation=donation)) == "kept refunded"
    apply_event("test_mode", event(EventKind.PAYMENT_FAILED, donation=donation))
    donation.refresh_from_db()
    assert donation.status == DonationStatus.REFUNDED


def test_a_failure_after_completion_is_ignored():
    donation = services.create_pending(ask())
    apply_event("test_mode", event(donation=donation))
    apply_event("test_mode", event(EventKind.PAYMENT_FAILED, donation=donation))
    donation.refresh_from_db()
    assert donation.status == DonationStatus.COMPLETED


def test_a_monthly_gift_starts_renews_and_cancels():
    donation = services.create_pending(ask(interval="monthly"))
    apply_event(
        "test_mode",
        event(donation=donation, subscription_ref="sub_1", payment_ref="in_1"),
    )
    gift = MonthlyGift.objects.get()
    assert (gift.status, gift.amount_minor, gift.donor.email) == (
        GiftStatus.ACTIVE,
        1250,
        "ada@example.org",
    )
    renewal = event(
        EventKind.RENEWAL_PAID,
        subscription_ref="sub_1",
        payment_ref="in_2",
        amount_minor=1250,
        currency="EUR",
    )
    assert apply_event("test_mode", renewal) == "renewal completed"
    assert gift.payments.filter(status=DonationStatus.COMPLETED).count() == 2
    with pytest.raises(EventMismatch):
        apply_event(
            "test_mode",
            event(
                EventKind.RENEWAL_PAID,
                subscription_ref="sub_1",
                amount_minor=99,
                currency="EUR",
            ),
        )
    apply_event("test_mode", event(EventKind.GIFT_CANCELLED, subscription_ref="sub_1"))
    gift.refresh_from_db()
    assert gift.status == GiftStatus.CANCELLED


def test_a_gift_cancelled_before_its_first_payment_arrives_stays_cancelled():
    donation = services.create_pending(ask(interval="monthly"))
    apply_event(
        "test_mode",
        event(EventKind.GIFT_CANCELLED, donation=donation, subscription_ref="sub_9"),
    )
    apply_event("test_mode", event(donation=donation, subscription_ref="sub_9"))
    gift = MonthlyGift.objects.get()
    assert gift.status == GiftStatus.CANCELLED
    donation.refresh_from_db()
    assert donation.status == DonationStatus.COMPLETED and donation.gift == gift


def test_unknown_event_types_are_recorded_and_change_nothing():
    assert apply_event("test_mode", event(EventKind.IGNORED)) == "ignored"
    assert PaymentEvent.objects.get().outcome == "ignored"


def test_the_months_goal_counts_completed_gifts_in_its_currency():
    with time_machine.travel(datetime(2026, 3, 31, 23, 0, tzinfo=UTC), tick=False):
        last_month = services.create_pending(ask(amount="50"))
        apply_event("test_mode", event(donation=last_month))
    with time_machine.travel(datetime(2026, 4, 2, 12, 0, tzinfo=UTC), tick=False):
        for amount, email in (
            ("10", "a@example.org"),
            ("20", "a@example.org"),
            ("30", "b@example.org"),
            ("40", ""),
        ):
            donation = services.create_pending(ask(amount=amount, email=email))
            apply_event("test_mode", event(donation=donation))
        refunded = services.create_pending(ask(amount="60"))
        apply_event("test_mode", event(donation=refunded))
        apply_event("test_mode", event(EventKind.REFUNDED, donation=refunded))
        services.create_pending(ask(amount="70"))  # pending
        dollars = services.create_pending(ask(amount="80", currency="USD"))
        apply_event("test_mode", event(donation=dollars))
        assert services.month_progress("EUR") == (10000, 3)
        assert services.month_progress("USD") == (8000, 1)


def test_the_first_payment_named_late_is_not_a_second_month():
    donation = services.create_pending(ask(interval="monthly"))
    with time_machine.travel(datetime(2026, 5, 1, tzinfo=UTC), tick=False):
        apply_event("test_mode", event(donation=donation, subscription_ref="sub_5"))
        first_sale = event(
            EventKind.RENEWAL_PAID, subscription_ref="sub_5", payment_ref="sale_1"
        )
        assert apply_event("test_mode", first_sale).startswith("kept")
    with time_machine.travel(datetime(2026, 6, 1, tzinfo=UTC), tick=False):
        second = event(
            EventKind.RENEWAL_PAID, subscription_ref="sub_5", payment_ref="sale_2"
        )
        assert apply_event("test_mode", second) == "renewal completed"
    gift = MonthlyGift.objects.get()
    assert sorted(gift.payments.values_list("payment_ref", flat=True)) == [
        "sale_1",
        "sale_2",
    ]
