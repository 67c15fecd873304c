"""Reads behind the revenue report and the donors' list in the Wagtail admin.

Money is counted when it moves: a donation counts on the UTC day (and month)
it completed, and a refund is subtracted on the day it was refunded, so a
closed month does not change when a gift from it is refunded later. A refunded
donation therefore counts in "received" and again in "refunded"; over a whole
lifetime that nets to the completed donations. A donation under an open or lost
dispute is left out of every total until the dispute is won: its money is not
ours while the card issuer holds it. Amounts are in minor units and
never added across currencies. Days are UTC days, as on the Audience dashboard.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from .choices import COUNTED_DISPUTES, DonationStatus, GiftStatus
from .models import Donation, Donor, MonthlyGift

# Money was received: the donation completed, whether or not it was refunded since.
PAID = [DonationStatus.COMPLETED, DonationStatus.REFUNDED]


def _counted():
    """Donations whose money is ours to count: no dispute open or lost."""
    return Donation.objects.filter(dispute__in=COUNTED_DISPUTES)


LIFETIME_PREFIX = "lifetime_"


@dataclass(frozen=True, slots=True)
class Totals:
    """What came in and went back out in one currency over some period."""

    currency: str
    received_minor: int = 0
    refunded_minor: int = 0
    gifts: int = 0  # donations completed in the period, refunded since or not
    donors: int = 0  # distinct donors among those gifts

    @property
    def net_minor(self) -> int:
        return self.received_minor - self.refunded_minor


@dataclass(frozen=True, slots=True)
class PeriodTotals:
    """Totals for one day or one month (`period` is its first day)."""

    period: date
    totals: Totals


@dataclass(frozen=True, slots=True)
class Supporters:
    monthly: int  # donors with an active monthly gift
    donors_30_days: int  # distinct donors whose gift completed in the last 30 days


def utc_today(now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(UTC).date()


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def window_start(days: int, now: datetime | None = None) -> datetime:
    """UTC midnight at the start of the last `days` days, today included."""
    return _midnight(utc_today(now) - timedelta(days=days - 1))


def _first_of_month(day: date, months_back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def _as_date(value) -> date:
    # TruncMonth gives a datetime on some backends and a date on others.
    return value.date() if isinstance(value, datetime) else value


def _grouped(trunc, since: datetime) -> dict[tuple[date, str], Totals]:
    """Received and refunded per (period, currency) since `since`: two queries."""
    received = (
        _counted()
        .filter(status__in=PAID, completed_at__gte=since)
        .annotate(period=trunc("completed_at", tzinfo=UTC))
        .values("period", "currency")
        .annotate(
            total=Sum("amount_minor"),
            gifts=Count("pk"),
            donors=Count("donor", distinct=True),
        )
        .order_by()
    )
    refunded = (
        _counted()
        .filter(status=DonationStatus.REFUNDED, refunded_at__gte=since)
        .annotate(period=trunc("refunded_at", tzinfo=UTC))
        .values("period", "currency")
        .annotate(total=Sum("amount_minor"))
        .order_by()
    )
    rows: dict[tuple[date, str], dict] = defaultdict(dict)
    for row in received:
        rows[(_as_date(row["period"]), row["currency"])].update(
            received_minor=row["total"], gifts=row["gifts"], donors=row["donors"]
        )
    for row in refunded:
        rows[(_as_date(row["period"]), row["currency"])]["refunded_minor"] = row[
            "total"
        ]
    return {
        (period, currency): Totals(currency=currency, **values)
        for (period, currency), values in rows.items()
    }


def _series(
    grouped: dict[tuple[date, str], Totals], periods: list[date]
) -> dict[str, list[PeriodTotals]]:
    currencies = sorted({currency for _, currency in grouped})
    return {
        currency: [
            PeriodTotals(
                period, grouped.get((period, currency)) or Totals(currency=currency)
            )
            for period in periods
        ]
        for currency in currencies
    }


def totals_per_day(
    days: int = 30, now: datetime | None = None
) -> dict[str, list[PeriodTotals]]:
    """Each of the last `days` UTC days, oldest first, per currency.

    Only currencies that moved in the window appear; quiet days are zeros.
    """
    since = window_start(days, now)
    periods = [since.date() + timedelta(days=n) for n in range(days)]
    return _series(_grouped(TruncDate, since), periods)


def totals_per_month(
    months: int = 12, now: datetime | None = None
) -> dict[str, list[PeriodTotals]]:
    """Each of the last `months` calendar months (this one included), oldest first."""
    today = utc_today(now)
    periods = [_first_of_month(today, back) for back in range(months - 1, -1, -1)]
    return _series(_grouped(TruncMonth, _midnight(periods[0])), periods)


def totals_per_currency(
    since: datetime | None = None, until: datetime | None = None
) -> dict[str, Totals]:
    """Received, refunded and net per currency between `since` and `until`."""
    received = _counted().filter(status__in=PAID, completed_at__isnull=False)
    refunded = _counted().filter(
        status=DonationStatus.REFUNDED, refunded_at__isnull=False
    )
    if since is not None:
        received = received.filter(completed_at__gte=since)
        refunded = refunded.filter(refunded_at__gte=since)
    if until is not None:
        received = received.filter(completed_at__lt=until)
        refunded = refunded.filter(refunded_at__lt=until)
    values: dict[str, dict] = defaultdict(dict)
    for row in (
        received.values("currency")
        .annotate(
            total=Sum("amount_minor"),
            gifts=Count("pk"),
            donors=Count("donor", distinct=True),
        )
        .order_by()
    ):
        values[row["currency"]].update(
            received_minor=row["total"], gifts=row["gifts"], donors=row["donors"]
        )
    for row in (
        refunded.values("currency").annotate(total=Sum("amount_minor")).order_by()
    ):
        values[row["currency"]]["refunded_minor"] = row["total"]
    return {
        currency: Totals(currency=currency, **values[currency])
        for currency in sorted(values)
    }


def supporters(now: datetime | None = None) -> Supporters:
    """How many people give monthly now, and how many gave in the last 30 days."""
    since = window_start(30, now)
    return Supporters(
        monthly=MonthlyGift.objects.filter(status=GiftStatus.ACTIVE)
        .values("donor")
        .distinct()
        .count(),
        donors_30_days=_counted()
        .filter(status__in=PAID, completed_at__gte=since)
        .values("donor")
        .distinct()
        .count(),
    )


def donor_currencies() -> list[str]:
    """The currencies anyone ever gave in, for the per-currency annotations."""
    return sorted(
        Donation.objects.filter(status=DonationStatus.COMPLETED)
        .order_by()
        .values_list("currency", flat=True)
        .distinct()
    )


def with_lifetime_totals(
    queryset: QuerySet[Donor] | None = None, currencies: Iterable[str] | None = None
) -> QuerySet[Donor]:
    """Donors annotated with what they gave and kept given, in one query.

    `gift_count`, `first_gift_at` and `last_gift_at` count completed donations
    (a refunded gift is no gift, nor is one under an open or lost dispute);
    `lifetime_<currency>` is the sum of those in that currency, None where the
    donor never gave in it. Read them back with
    `lifetime_totals(donor)`.
    """
    if queryset is None:
        queryset = Donor.objects.all()
    if currencies is None:
        currencies = donor_currencies()
    kept = Q(donations__status=DonationStatus.COMPLETED) & Q(
        donations__dispute__in=COUNTED_DISPUTES
    )
    per_currency = {
        f"{LIFETIME_PREFIX}{currency.lower()}": Sum(
            "donations__amount_minor", filter=kept & Q(donations__currency=currency)
        )
        for currency in currencies
        if currency.isalpha()  # it becomes part of an SQL alias
    }
    return queryset.annotate(
        gift_count=Count("donations", filter=kept),
        first_gift_at=Min("donations__completed_at", filter=kept),
        last_gift_at=Max("donations__completed_at", filter=kept),
        **per_currency,
    )


def lifetime_totals(donor: Donor) -> dict[str, int]:
    """{"EUR": 3000, "USD": 1000} from a donor of `with_lifetime_totals`."""
    return {
        name.removeprefix(LIFETIME_PREFIX).upper(): value
        for name, value in vars(donor).items()
        if name.startswith(LIFETIME_PREFIX) and value
    }
