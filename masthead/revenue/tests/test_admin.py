import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import NoReverseMatch, reverse

from masthead.core.roles import EDITORS, FINANCE
from masthead.core.tests.fixtures import member_of
from masthead.revenue.choices import DonationStatus, GiftStatus, Interval
from masthead.revenue.models import Donation, Donor, MonthlyGift

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)
DONATIONS = reverse("donations:index")
DONORS = reverse("donors:index")
MONTHLY = reverse("monthly_supporters:index")
REPORT = reverse("revenue_report")


@pytest.fixture
def finance(django_user_model):
    return member_of(django_user_model, "fin", FINANCE)


@pytest.fixture
def ada(db):
    return Donor.objects.create(email="ada@example.org", name="Ada Lovelace")


@pytest.fixture
def bo(db):
    return Donor.objects.create(email="bo@example.org", name="=cmd|calc")


@pytest.fixture
def donations(ada, bo, article):
    """Ada gave in euros (one refunded) and dollars; Bo's gift is pending."""
    made = {}
    rows = [
        ("eur", ada, 1250, "EUR", DonationStatus.COMPLETED, NOW - timedelta(days=2)),
        ("usd", ada, 2000, "USD", DonationStatus.COMPLETED, NOW - timedelta(days=1)),
        ("refunded", ada, 5000, "EUR", DonationStatus.REFUNDED, NOW - timedelta(3)),
        ("pending", bo, 700, "EUR", DonationStatus.PENDING, NOW),
    ]
    for key, who, amount, currency, status, when in rows:
        with time_machine.travel(when, tick=False):
            made[key] = Donation.objects.create(
                donor=who,
                email=who.email,
                name=who.name,
                amount_minor=amount,
                currency=currency,
                provider="stripe" if currency == "EUR" else "paypal",
                status=status,
                payment_ref=f"pi_{key}",
                source_page=article,
                completed_at=None if status == DonationStatus.PENDING else when,
                refunded_at=NOW if status == DonationStatus.REFUNDED else None,
            )
    return made


def export(client, **params):
    response = client.get(DONATIONS, {"export": "csv", **params})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="donations.csv"'
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_finance_role_reads_and_exports_and_editors_only_read():
    def codenames(name):
        group = Group.objects.get(name=name)
        return set(group.permissions.values_list("codename", flat=True))

    assert codenames(FINANCE) == {
        "access_admin",
        "view_donation",
        "view_donor",
        "view_monthlygift",
        "export_donation",
    }
    assert {"view_donation", "view_donor", "view_monthlygift"} <= codenames(EDITORS)
    assert "export_donation" not in codenames(EDITORS)


def test_finance_sees_donations_with_amount_story_and_dates(client, finance, donations):
    client.force_login(finance)

    response = client.get(DONATIONS)

    assert response.status_code == 200
    html = response.content.decode()
    assert "€12.50" in html
    assert "$20" in html
    assert "Bridge repairs start" in html
    assert donations["eur"].source_page.url in html
    assert "ada@example.org" in html
    assert "Download CSV" in html
    assert reverse("donations:inspect", args=[donations["eur"].pk]) in html
    assert "Add donation" not in html
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert home.count(f'"url": "{DONATIONS}"') == 1
    assert REPORT in home


def test_donations_filter_and_search(client, finance, donations):
    client.force_login(finance)

    completed = client.get(DONATIONS, {"status": "completed"}).content.decode()
    by_email = client.get(DONATIONS, {"q": "bo@example"}).content.decode()
    by_reference = client.get(DONATIONS, {"q": "pi_usd"}).content.decode()

    assert "€12.50" in completed and "€7" not in completed
    assert "€7" in by_email and "€12.50" not in by_email
    assert "$20" in by_reference and "€12.50" not in by_reference


def test_finance_exports_the_filtered_donations_as_csv(client, finance, donations):
    client.force_login(finance)

    rows = export(client, status="completed", currency="EUR")

    assert list(rows[0]) == [
        "Donation",
        "Started (UTC)",
        "Completed (UTC)",
        "Refunded (UTC)",
        "Status",
        "Dispute",
        "Disputed (UTC)",
        "Kind",
        "Amount",
        "Fee covered",
        "Currency",
        "Provider",
        "Payment reference",
        "Checkout reference",
        "Email",
        "Name",
        "Story",
    ]
    assert len(rows) == 1
    row = rows[0]
    assert row["Donation"] == str(donations["eur"].public_id)
    assert row["Amount"] == "12.50"
    assert row["Currency"] == "EUR"
    assert row["Status"] == "completed"
    assert row["Dispute"] == ""
    assert row["Kind"] == Interval.ONE_TIME
    assert row["Completed (UTC)"] == (NOW - timedelta(days=2)).isoformat()
    assert row["Email"] == "ada@example.org"
    assert row["Story"] == "Bridge repairs start"


def test_export_defuses_names_a_spreadsheet_would_run(client, finance, donations):
    client.force_login(finance)

    (row,) = export(client, status="pending")

    assert row["Name"] == "'=cmd|calc"


def test_editor_sees_the_lists_but_cannot_export(client, editor, donations):
    client.force_login(editor)

    listing = client.get(DONATIONS)
    refused = client.get(DONATIONS, {"export": "csv"})
    refused_xlsx = client.get(DONATIONS, {"export": "xlsx"})

    assert listing.status_code == 200
    assert "€12.50" in listing.content.decode()
    assert "Download CSV" not in listing.content.decode()
    assert refused.status_code == 302
    assert refused["Location"] == reverse("wagtailadmin_home")
    assert refused_xlsx.status_code == 302
    for url in (DONORS, MONTHLY, REPORT):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("role", ["writer", "moderator"])
def test_writers_and_moderators_are_refused(client, role, request, donations):
    client.force_login(request.getfixturevalue(role))
    inspect = reverse("donations:inspect", args=[donations["eur"].pk])

    for url in (DONATIONS, DONORS, MONTHLY, REPORT, inspect):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("wagtailadmin_home")
    assert client.get(DONATIONS, {"export": "csv"}).status_code == 302
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert DONATIONS not in home
    assert REPORT not in home


def test_donation_detail_is_read_only(client, finance, donations):
    client.force_login(finance)
    donation = donations["refunded"]

    response = client.get(reverse("donations:inspect", args=[donation.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "€50" in html
    assert "pi_refunded" in html
    assert 'name="amount_minor"' not in html
    assert 'name="status"' not in html
    for name in ("add", "edit", "delete", "copy"):
        with pytest.raises(NoReverseMatch):
            reverse(f"donations:{name}", args=[donation.pk])
    assert client.get(f"{DONATIONS}edit/{donation.pk}/").status_code == 404
    assert client.post(f"{DONATIONS}delete/{donation.pk}/").status_code == 404


def test_donors_show_lifetime_totals_per_currency(client, finance, donations):
    client.force_login(finance)

    response = client.get(DONORS, {"q": "ada"})

    html = response.content.decode()
    assert response.status_code == 200
    # €12.50 kept; the refunded €50 is not counted, the dollars stay apart.
    assert "€12.50, $20" in html
    assert "bo@example.org" not in html
    detail = client.get(reverse("donors:inspect", args=[donations["eur"].donor_id]))
    assert "€12.50, $20" in detail.content.decode()


def test_monthly_supporters_are_active_unless_cancelled_asked_for(
    client, finance, ada, bo
):
    MonthlyGift.objects.create(
        donor=ada,
        provider="stripe",
        subscription_ref="sub_a",
        amount_minor=1000,
        currency="EUR",
    )
    MonthlyGift.objects.create(
        donor=bo,
        provider="paypal",
        subscription_ref="sub_b",
        amount_minor=500,
        currency="USD",
        status=GiftStatus.CANCELLED,
        cancelled_at=NOW,
    )
    client.force_login(finance)

    active = client.get(MONTHLY).content.decode()
    cancelled = client.get(MONTHLY, {"status": "cancelled"}).content.decode()

    assert "ada@example.org" in active and "€10" in active
    assert "bo@example.org" not in active
    assert "bo@example.org" in cancelled and "$5" in cancelled
    assert "ada@example.org" not in cancelled


def test_revenue_report_charts_days_and_tables_months(client, finance, donations):
    client.force_login(finance)
    MonthlyGift.objects.create(
        donor=donations["eur"].donor,
        provider="stripe",
        subscription_ref="sub_a",
        amount_minor=1000,
        currency="EUR",
    )

    with time_machine.travel(NOW, tick=False):
        response = client.get(REPORT)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('role="img"') == 2  # one chart per currency
    assert "Net donations per day in EUR" in html
    assert "November 2026" in html
    assert "<strong>1</strong> monthly supporter" in html
    # EUR: €12.50 + €50 received, €50 refunded today.
    assert "€62.50" in html
    assert "−€50" in html  # today's net: the refund only
    assert f"{DONATIONS}?status=completed&amp;export=csv" in html


def test_listings_query_count_does_not_grow_with_rows(
    client, finance, donations, django_assert_max_num_queries
):
    client.force_login(finance)
    client.get(DONATIONS)
    with django_assert_max_num_queries(25):
        client.get(DONATIONS)
    with django_assert_max_num_queries(25):
        client.get(DONORS)
