import csv
import io
import os
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from masthead.core.roles import FINANCE
from masthead.core.tests.fixtures import member_of
from masthead.newsletter import csv_admin, imports, services
from masthead.newsletter.choices import SubscriberSource, SubscriberStatus
from masthead.newsletter.exports import csv_lines, export_rows, subscribers_to_export
from masthead.newsletter.models import ListMembership, Subscriber
from masthead.newsletter.tests.fixtures import confirmed_subscribers

pytestmark = pytest.mark.django_db

IMPORT = "/admin/newsletter/import/"
CONFIRM = "/admin/newsletter/import/confirm/"
EXPORT = "/admin/newsletter/export/"
FILE = (
    "Email Address,First Name,Last Name,OPTIN_TIME\r\n"
    "ada@example.org,Ada,Reyes,2021-03-04 10:20:30\r\n"
    "not-an-address,Nobody,,\r\n"
    "gone@example.org,Gone,,\r\n"
    "ADA@example.org,Ada,Twice,\r\n"
    "bo@example.org,Bo,,2020-01-01\r\n"
)


@pytest.fixture
def finance(django_user_model):
    return member_of(django_user_model, "fin", FINANCE)


@pytest.fixture
def gone(breaking_list):
    """A reader who unsubscribed: no import may bring them back."""
    services.signup("gone@example.org", [breaking_list.pk])
    reader = Subscriber.objects.get(email="gone@example.org")
    services.unsubscribe(reader)
    return reader


def upload(client, newsletter_list, text=FILE, name="audience.csv"):
    return client.post(
        IMPORT,
        {
            "file": SimpleUploadedFile(name, text.encode(), "text/csv"),
            "newsletter_list": newsletter_list.pk,
        },
    )


def kept_uploads() -> list[str]:
    try:
        return storages["private"].listdir(csv_admin.UPLOADS)[1]
    except FileNotFoundError:
        return []


@pytest.fixture(autouse=True)
def no_uploads_left_over():
    for name in kept_uploads():
        storages["private"].delete(f"{csv_admin.UPLOADS}/{name}")
    yield


def read_csv(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_urls_are_registered_in_the_admin():
    assert reverse("newsletter_import") == IMPORT
    assert reverse("newsletter_export") == EXPORT
    assert reverse("newsletter_import_confirm") == CONFIRM


def test_dry_run_reports_every_category_and_changes_nothing(
    client, editor, daily_list, gone
):
    client.force_login(editor)
    assert client.get(IMPORT).status_code == 200
    before = list(Subscriber.objects.values_list("email", "status"))

    response = upload(client, daily_list)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Dry run of <strong>audience.csv</strong>" in html
    assert 'data-count="to-add"><strong>2</strong>' in html
    assert 'data-count="duplicates">1<' in html
    assert 'data-count="invalid">1<' in html
    assert 'data-count="skipped">1<' in html
    assert "Import 2 subscribers" in html
    assert "not a valid email address" in html
    assert "unsubscribed here" in html
    assert "same address as line 2" in html
    assert "signup dates from “OPTIN_TIME”" in html
    assert list(Subscriber.objects.values_list("email", "status")) == before
    assert len(kept_uploads()) == 1


def test_confirming_imports_the_kept_file_and_deletes_it(
    client, editor, daily_list, gone
):
    client.force_login(editor)
    token = upload(client, daily_list).context["token"]

    response = client.post(CONFIRM, {"token": token, "action": "import"}, follow=True)

    assert response.redirect_chain[-1][0] == IMPORT
    assert (
        "Imported into Daily digest: 2 subscribers added to the list, 2 of them new."
        in response.content.decode()
    )
    imported = Subscriber.objects.filter(source=SubscriberSource.IMPORT)
    assert set(imported.values_list("email", "name")) == {
        ("ada@example.org", "Ada Reyes"),
        ("bo@example.org", "Bo"),
    }
    assert imported.get(email="ada@example.org").created_at == datetime(
        2021, 3, 4, 10, 20, 30, tzinfo=UTC
    )
    assert ListMembership.objects.filter(newsletter_list=daily_list).count() == 2
    gone.refresh_from_db()
    assert gone.status == SubscriberStatus.UNSUBSCRIBED
    assert kept_uploads() == []

    # The same confirmation again (a double click, the back button) does nothing.
    again = client.post(CONFIRM, {"token": token, "action": "import"}, follow=True)
    assert "no longer waiting" in again.content.decode()
    assert Subscriber.objects.filter(source=SubscriberSource.IMPORT).count() == 2


def test_importing_the_same_file_again_adds_nobody(client, editor, daily_list):
    client.force_login(editor)
    token = upload(client, daily_list).context["token"]
    client.post(CONFIRM, {"token": token, "action": "import"})

    second = upload(client, daily_list)

    html = second.content.decode()
    assert 'data-count="to-add"><strong>0</strong>' in html
    assert 'data-count="already">3<' in html  # ada, gone and bo
    assert "Nothing to import." in html
    assert "Import 0" not in html


def test_cancelling_deletes_the_upload_and_imports_nothing(client, editor, daily_list):
    client.force_login(editor)
    token = upload(client, daily_list).context["token"]

    response = client.post(CONFIRM, {"token": token, "action": "cancel"}, follow=True)

    assert "Import cancelled" in response.content.decode()
    assert kept_uploads() == []
    assert not Subscriber.objects.exists()


def test_a_new_upload_replaces_the_waiting_one(client, editor, daily_list):
    client.force_login(editor)
    first = upload(client, daily_list).context["token"]
    second = upload(client, daily_list, "email\ncy@example.org\n").context["token"]

    stale = client.post(CONFIRM, {"token": first, "action": "import"}, follow=True)
    assert "no longer waiting" in stale.content.decode()
    assert len(kept_uploads()) == 1

    client.post(CONFIRM, {"token": second, "action": "import"})
    assert list(Subscriber.objects.values_list("email", flat=True)) == [
        "cy@example.org"
    ]


def test_another_session_cannot_confirm_someone_elses_upload(
    client, editor, daily_list, django_user_model
):
    client.force_login(editor)
    token = upload(client, daily_list).context["token"]
    client.logout()
    client.force_login(member_of(django_user_model, "ed2", "Editors"))

    response = client.post(CONFIRM, {"token": token, "action": "import"}, follow=True)

    assert "no longer waiting" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_uploads_abandoned_for_a_day_are_swept(client, editor, daily_list):
    old = storages["private"].save(f"{csv_admin.UPLOADS}/old.csv", ContentFile(b"x"))
    path = storages["private"].path(old)
    a_day_ago = (datetime.now(UTC) - timedelta(days=2)).timestamp()
    os.utime(path, (a_day_ago, a_day_ago))
    client.force_login(editor)

    upload(client, daily_list)

    assert kept_uploads() != [] and "old.csv" not in kept_uploads()


def test_a_refused_file_shows_why_and_keeps_nothing(
    client, editor, daily_list, monkeypatch
):
    client.force_login(editor)

    no_email = upload(client, daily_list, "name,phone\nAda,1\n")
    monkeypatch.setattr(imports, "MAX_BYTES", 10)
    too_big = upload(client, daily_list, "email\nada@example.org\n")

    assert no_email.status_code == 200
    assert "No email column" in no_email.content.decode()
    assert "Found: name, phone" in no_email.content.decode()
    assert "Split it and import the parts." in too_big.content.decode()
    assert kept_uploads() == []
    assert not Subscriber.objects.exists()


def test_upload_needs_a_file_and_a_chosen_list(client, editor, daily_list):
    client.force_login(editor)

    no_file = client.post(IMPORT, {"newsletter_list": daily_list.pk})
    no_list = client.post(
        IMPORT, {"file": SimpleUploadedFile("a.csv", b"email\nada@example.org\n")}
    )

    assert no_file.status_code == no_list.status_code == 200
    assert "This field is required." in no_file.content.decode()
    assert "This field is required." in no_list.content.decode()
    assert "Choose a list" in client.get(IMPORT).content.decode()
    assert kept_uploads() == []


def test_an_unsubscribe_between_dry_run_and_confirmation_wins(
    client, editor, daily_list, breaking_list
):
    client.force_login(editor)
    token = upload(client, daily_list, "email\nada@example.org\n").context["token"]
    services.suppress("ada@example.org", "bounced")

    client.post(CONFIRM, {"token": token, "action": "import"})

    assert not Subscriber.objects.exists()


@pytest.mark.parametrize("who", ["writer", "moderator", "finance"])
def test_only_editors_import_and_export(client, who, request, daily_list):
    client.force_login(request.getfixturevalue(who))

    for response in (
        client.get(IMPORT),
        upload(client, daily_list),
        client.post(CONFIRM, {"token": "x", "action": "import"}),
        client.get(EXPORT),
        client.get(EXPORT, {"export": "csv"}),
    ):
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")
    assert kept_uploads() == []
    assert not Subscriber.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(EXPORT, {"export": "csv"})

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_export_page_offers_lists_and_statuses(client, editor, daily_list):
    client.force_login(editor)

    html = client.get(EXPORT).content.decode()

    assert "Daily digest" in html
    assert "Download CSV" in html
    assert 'value="confirmed" selected' in html


def test_export_downloads_the_chosen_list_and_status(
    client, editor, daily_list, breaking_list, subscriber, gone
):
    ListMembership.objects.create(subscriber=subscriber, newsletter_list=breaking_list)
    client.force_login(editor)

    everyone = client.get(EXPORT, {"export": "csv", "newsletter_list": ""})
    daily = client.get(
        EXPORT,
        {"export": "csv", "newsletter_list": daily_list.pk, "status": "confirmed"},
    )
    left = client.get(EXPORT, {"export": "csv", "status": "unsubscribed"})

    assert everyone["Content-Type"] == "text/csv; charset=utf-8"
    assert everyone["Content-Disposition"].startswith(
        'attachment; filename="subscribers-all-'
    )
    assert daily["Content-Disposition"].startswith(
        'attachment; filename="subscribers-daily-confirmed-'
    )
    assert [row["email"] for row in read_csv(everyone)] == [
        subscriber.email,
        "gone@example.org",
    ]
    (row,) = read_csv(daily)
    assert row == {
        "email": subscriber.email,
        "name": "",
        "status": "confirmed",
        "lists": "Breaking news; Daily digest",
        "source": "signup",
        "created": subscriber.created_at.astimezone(UTC).isoformat(),
        "confirmed": subscriber.confirmed_at.astimezone(UTC).isoformat(),
        "consent": "",
    }
    assert [row["email"] for row in read_csv(left)] == ["gone@example.org"]


def test_export_refuses_an_unknown_status_or_list(client, editor):
    client.force_login(editor)

    response = client.get(EXPORT, {"export": "csv", "status": "everyone"})

    assert response.status_code == 200  # the form again, with the error
    assert "Select a valid choice" in response.content.decode()


def test_export_defuses_cells_a_spreadsheet_would_run(daily_list):
    Subscriber.objects.create(
        email="+tag@example.org",
        name='=HYPERLINK("http://evil")',
        status=SubscriberStatus.CONFIRMED,
        created_at=datetime(2024, 1, 2, tzinfo=UTC),
    )
    Subscriber.objects.create(
        email="plain@example.org",
        name="@SUM(A1)",
        created_at=datetime(2024, 1, 3, tzinfo=UTC),
    )

    rows = list(csv.reader(csv_lines(export_rows(subscribers_to_export()))))

    assert rows[0] == [
        "email",
        "name",
        "status",
        "lists",
        "source",
        "created",
        "confirmed",
        "consent",
    ]
    assert rows[1][:2] == ["'+tag@example.org", '\'=HYPERLINK("http://evil")']
    assert rows[2][:3] == ["plain@example.org", "'@SUM(A1)", "pending"]
    assert rows[2][6] == ""


def test_an_export_imports_back_as_the_same_people(daily_list, breaking_list):
    Subscriber.objects.create(
        email="-dash@example.org",
        name="=Ada",
        status=SubscriberStatus.CONFIRMED,
        created_at=datetime(2020, 1, 2, tzinfo=UTC),
    )
    data = "".join(csv_lines(export_rows(subscribers_to_export()))).encode()
    Subscriber.objects.all().delete()

    report = imports.read_import(data, breaking_list)

    (row,) = report.to_add
    assert (row.email, row.name, row.created_at) == (
        "-dash@example.org",
        "=Ada",
        datetime(2020, 1, 2, tzinfo=UTC),
    )


def test_export_streams_in_few_queries(
    client, editor, daily_list, django_assert_max_num_queries
):
    confirmed_subscribers(daily_list, 300)
    client.force_login(editor)

    with django_assert_max_num_queries(12):
        rows = read_csv(client.get(EXPORT, {"export": "csv"}))

    assert len(rows) == 300


def test_a_waiting_upload_has_no_public_address():
    from django.conf import settings

    private = storages["private"]
    assert str(private.location) != str(settings.MEDIA_ROOT)
    assert not str(private.location).startswith(str(settings.MEDIA_ROOT))
