from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from masthead.revenue import reports
from masthead.revenue.choices import DonationStatus, GiftStatus, Interval
from masthead.revenue.models import Donation, Donor, MonthlyGift

# Mid-afternoon UTC on a Friday; "today" began at midnight.
NOW = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)
MIDNIGHT = datetime(2026, 11, 27, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def donor(email="ada@example.org", name="Ada"):
    return Donor.objects.get_or_create(email=email, defaults={"name": name})[0]


def donation(
    amount_minor,
    currency="EUR",
    status=DonationStatus.COMPLETED,
    completed_at=None,
    refunded_at=None,
    who=None,
    **fields,
):
    """A donation as the provider's events leave it, created at `completed_at`."""
    when = completed_at or NOW - timedelta(hours=1)
    with time_machine.travel(when, tick=False):
        return Donation.objects.create(
            donor=who or donor(),
            amount_minor=amount_minor,
            currency=currency,
            provider="test_mode",
            status=status,
            completed_at=None if status == DonationStatus.PENDING else when,
            refunded_at=refunded_at,
            **fields,
        )


def day(series, when: date):
    return next(p.totals for p in series if p.period == when)


def test_days_count_completed_and_subtract_refunds_on_their_own_day():
    today, yesterday = MIDNIGHT.date(), MIDNIGHT.date() - timedelta(days=1)
    donation(1000, completed_at=MIDNIGHT + timedelta(hours=9))
    donation(500, completed_at=MIDNIGHT - timedelta(hours=1))  # 23:00 yesterday
    donation(
        2500,
        status=DonationStatus.REFUNDED,
        completed_at=MIDNIGHT - timedelta(hours=2),
        refunded_at=MIDNIGHT + timedelta(hours=10),
    )
    donation(9900, status=DonationStatus.PENDING)
    donation(7700, status=DonationStatus.FAILED)

    series = reports.totals_per_day(30, now=NOW)["EUR"]

    assert len(series) == 30
    assert series[0].period == today - timedelta(days=29)
    assert series[-1].period == today
    assert day(series, yesterday).received_minor == 3000
    assert day(series, yesterday).gifts == 2
    assert day(series, yesterday).refunded_minor == 0
    assert day(series, today).received_minor == 1000
    assert day(series, today).refunded_minor == 2500
    assert day(series, today).net_minor == -1500
    assert sum(p.totals.net_minor for p in series) == 1500


def test_days_and_currencies_are_kept_apart():
    donation(1000, currency="EUR")
    donation(2000, currency="USD")
    donation(3000, currency="USD", completed_at=NOW - timedelta(days=30))

    per_day = reports.totals_per_day(30, now=NOW)

    assert sorted(per_day) == ["EUR", "USD"]
    assert day(per_day["EUR"], MIDNIGHT.date()).net_minor == 1000
    # 30 days ago is outside "the last 30 days, today included".
    assert sum(p.totals.received_minor for p in per_day["USD"]) == 2000


def test_quiet_window_has_no_currencies():
    donation(1000, completed_at=NOW - timedelta(days=40))

    assert reports.totals_per_day(30, now=NOW) == {}


def test_months_split_at_utc_midnight_on_the_first():
    first_of_november = datetime(2026, 11, 1, tzinfo=UTC)
    donation(1000, completed_at=first_of_november)
    donation(700, completed_at=first_of_november - timedelta(seconds=1))
    donation(
        400,
        status=DonationStatus.REFUNDED,
        completed_at=datetime(2026, 10, 5, tzinfo=UTC),
        refunded_at=datetime(2026, 11, 3, tzinfo=UTC),
    )
    donation(9000, completed_at=datetime(2025, 11, 30, tzinfo=UTC))  # 13 months ago

    months = reports.totals_per_month(12, now=NOW)["EUR"]

    assert [m.period for m in months][:2] == [date(2025, 12, 1), date(2026, 1, 1)]
    assert months[-1].period == date(2026, 11, 1)
    november, october = months[-1].totals, months[-2].totals
    assert (november.received_minor, november.refunded_minor) == (1000, 400)
    assert november.net_minor == 600
    assert (october.received_minor, october.gifts, october.net_minor) == (1100, 2, 1100)
    assert sum(m.totals.received_minor for m in months) == 2100


def test_months_across_new_year():
    with time_machine.travel(datetime(2027, 1, 15, tzinfo=UTC), tick=False):
        donation(100, completed_at=datetime(2026, 12, 31, 23, 59, tzinfo=UTC))
        donation(200, completed_at=datetime(2027, 1, 1, tzinfo=UTC))

        months = reports.totals_per_month(2)["EUR"]

    assert [(m.period, m.totals.net_minor) for m in months] == [
        (date(2026, 12, 1), 100),
        (date(2027, 1, 1), 200),
    ]


def test_totals_per_currency_and_donors_counted_once():
    ada, bo = donor("ada@example.org"), donor("bo@example.org", "Bo")
    donation(1000, who=ada)
    donation(1500, who=ada)
    donation(500, who=bo, currency="USD")
    donation(2000, who=bo, status=DonationStatus.REFUNDED, refunded_at=NOW)

    totals = reports.totals_per_currency()

    assert totals["EUR"].received_minor == 4500
    assert totals["EUR"].refunded_minor == 2000
    assert totals["EUR"].net_minor == 2500
    assert totals["EUR"].gifts == 3
    assert totals["EUR"].donors == 2
    assert totals["USD"].net_minor == 500


def test_supporters_counts_active_monthly_donors_and_recent_donors():
    ada, bo = donor("ada@example.org"), donor("bo@example.org")
    MonthlyGift.objects.create(
        donor=ada,
        provider="test_mode",
        subscription_ref="s1",
        amount_minor=500,
        currency="EUR",
    )
    MonthlyGift.objects.create(
        donor=bo,
        provider="test_mode",
        subscription_ref="s2",
        amount_minor=500,
        currency="EUR",
        status=GiftStatus.CANCELLED,
    )
    donation(500, who=ada, interval=Interval.MONTHLY)
    donation(500, who=ada, interval=Interval.MONTHLY)
    donation(900, who=bo, completed_at=NOW - timedelta(days=45))

    with time_machine.travel(NOW, tick=False):
        counted = reports.supporters()

    assert counted == reports.Supporters(monthly=1, donors_30_days=1)


def test_lifetime_totals_per_currency_net_of_refunds(django_assert_num_queries):
    ada, bo, cy = donor("ada@example.org"), donor("bo@example.org"), donor("c@x.org")
    donation(1000, who=ada, completed_at=NOW - timedelta(days=400))
    donation(2000, who=ada, currency="USD")
    donation(3000, who=ada, status=DonationStatus.REFUNDED, refunded_at=NOW)
    donation(700, who=bo)
    donation(800, who=cy, status=DonationStatus.PENDING)

    with django_assert_num_queries(2):  # the currencies, then the donors
        donors = {d.email: d for d in reports.with_lifetime_totals()}

    assert reports.lifetime_totals(donors["ada@example.org"]) == {
        "EUR": 1000,
        "USD": 2000,
    }
    assert donors["ada@example.org"].gift_count == 2
    assert donors["ada@example.org"].first_gift_at == NOW - timedelta(days=400)
    assert donors["ada@example.org"].last_gift_at == NOW - timedelta(hours=1)
    assert reports.lifetime_totals(donors["bo@example.org"]) == {"EUR": 700}
    assert reports.lifetime_totals(donors["c@x.org"]) == {}
    assert donors["c@x.org"].gift_count == 0
