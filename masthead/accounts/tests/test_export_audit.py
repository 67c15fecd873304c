import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from wagtail.models import ModelLogEntry

from masthead.accounts.choices import ExportKind
from masthead.accounts.models import DataExport
from masthead.accounts.services import EXPORT_ACTION
from masthead.core.roles import FINANCE, WRITERS
from masthead.core.tests.fixtures import member_of
from masthead.newsletter.choices import SubscriberStatus
from masthead.newsletter.tests.fixtures import confirmed_subscribers
from masthead.revenue.choices import DonationStatus
from masthead.revenue.models import Donation, Donor

pytestmark = pytest.mark.django_db

SUBSCRIBERS = "/admin/newsletter/export/"
DONATIONS = reverse("donations:index")
SITE_HISTORY = reverse("wagtailadmin_reports:site_history")


@pytest.fixture
def finance(django_user_model):
    return member_of(django_user_model, "fin", FINANCE)


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "x")


@pytest.fixture
def donations(db):
    donor = Donor.objects.create(email="ada@example.org", name="Ada")
    return [
        Donation.objects.create(
            donor=donor,
            email=donor.email,
            amount_minor=500 + n,
            currency="EUR",
            provider="stripe",
            status=DonationStatus.COMPLETED if n < 3 else DonationStatus.PENDING,
            payment_ref=f"pi_{n}",
        )
        for n in range(4)
    ]


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))[1:]


def test_a_subscriber_export_is_recorded_with_who_what_and_how_many(
    client, editor, daily_list
):
    confirmed_subscribers(daily_list, 7)
    client.force_login(editor)

    response = client.get(
        SUBSCRIBERS,
        {"export": "csv", "newsletter_list": daily_list.pk, "status": "confirmed"},
    )

    rows = csv_rows(response)
    record = DataExport.objects.get()
    assert len(rows) == 7 == record.row_count
    assert record.kind == ExportKind.SUBSCRIBERS
    assert record.user == editor and record.username == "eddie"
    assert record.file_format == "csv"
    assert record.filters == {"list": daily_list.slug, "status": "confirmed"}
    entry = ModelLogEntry.objects.get(action=EXPORT_ACTION)
    assert entry.user_id == editor.pk
    assert entry.object_id == str(record.pk)
    assert entry.data["rows"] == 7
    assert entry.message == (
        f"Exported 7 rows of Newsletter subscribers as CSV "
        f"(list: {daily_list.slug}, status: confirmed)"
    )


def test_each_export_is_one_entry(client, editor, daily_list):
    confirmed_subscribers(daily_list, 2)
    client.force_login(editor)
    for status in ("", SubscriberStatus.PENDING):
        csv_rows(client.get(SUBSCRIBERS, {"export": "csv", "status": status}))

    assert list(
        DataExport.objects.order_by("pk").values_list("row_count", "filters")
    ) == [
        (2, {"list": "all", "status": "any"}),
        (0, {"list": "all", "status": "pending"}),
    ]


def test_a_donation_export_is_recorded_in_both_formats(client, finance, donations):
    client.force_login(finance)

    rows = csv_rows(client.get(DONATIONS, {"export": "csv", "status": "completed"}))
    xlsx = client.get(DONATIONS, {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active

    records = list(DataExport.objects.order_by("pk"))
    assert [r.kind for r in records] == [ExportKind.DONATIONS] * 2
    assert (
        (records[0].row_count, records[0].file_format)
        == (len(rows), "csv")
        == (
            3,
            "csv",
        )
    )
    assert records[0].filters == {"status": "completed"}
    assert (records[1].row_count, records[1].file_format) == (4, "xlsx")
    assert sheet.max_row - 1 == 4
    assert ModelLogEntry.objects.filter(action=EXPORT_ACTION).count() == 2


def test_refused_exports_write_nothing(client, editor, django_user_model, donations):
    writer = member_of(django_user_model, "wren2", WRITERS)
    client.force_login(writer)
    assert client.get(SUBSCRIBERS, {"export": "csv"}).status_code in (302, 403)
    client.force_login(editor)  # reads donations, may not export them
    refused = client.get(DONATIONS, {"export": "csv"})
    assert (refused.status_code, refused["Location"]) == (302, "/admin/")
    # A form that does not validate is shown again, and nothing leaves.
    bad = client.get(SUBSCRIBERS, {"export": "csv", "status": "no-such-status"})
    assert bad.status_code == 200 and "text/html" in bad["Content-Type"]

    assert not DataExport.objects.exists()
    assert not ModelLogEntry.objects.filter(action=EXPORT_ACTION).exists()


def test_only_admins_see_exports_in_site_history(
    client, editor, admin_user, daily_list
):
    confirmed_subscribers(daily_list, 3)
    client.force_login(editor)
    csv_rows(client.get(SUBSCRIBERS, {"export": "csv"}))

    seen_by_editor = client.get(SITE_HISTORY).content.decode()
    client.force_login(admin_user)
    seen_by_admin = client.get(SITE_HISTORY, {"action": EXPORT_ACTION})

    assert "Exported 3 rows" not in seen_by_editor
    assert seen_by_admin.status_code == 200
    assert "Exported 3 rows of Newsletter subscribers" in seen_by_admin.content.decode()
