from datetime import UTC, datetime

import pytest
from django.utils import timezone

from masthead.newsletter import imports, services
from masthead.newsletter.choices import SubscriberSource, SubscriberStatus
from masthead.newsletter.imports import ImportRefused, apply_import, read_import
from masthead.newsletter.models import (
    Delivery,
    Issue,
    ListMembership,
    Subscriber,
    Suppression,
)
from masthead.newsletter.tests.fixtures import confirmed_subscribers

pytestmark = pytest.mark.django_db


def csv_bytes(*lines: str, encoding: str = "utf-8", newline: str = "\r\n") -> bytes:
    return newline.join(lines).encode(encoding)


def problems(items) -> list[tuple[int, str, str]]:
    return [(p.line, p.email, p.reason) for p in items]


def one_on(newsletter_list, prefix: str) -> Subscriber:
    confirmed_subscribers(newsletter_list, 1, prefix=prefix)
    return Subscriber.objects.get(email__startswith=prefix)


def on_list(newsletter_list) -> set[str]:
    return set(
        Subscriber.objects.filter(
            memberships__newsletter_list=newsletter_list
        ).values_list("email", flat=True)
    )


def test_a_plain_file_adds_confirmed_subscribers_with_their_signup_dates(
    daily_list,
):
    data = csv_bytes(
        "email,name,created",
        "Ada@Example.org,Ada Reyes,2021-03-04T10:20:30Z",
        "bo@example.org,,2022-01-02",
        "cy@example.org,Cy Okafor,",
    )

    report = read_import(data, daily_list)
    assert [(r.line, r.email, r.name) for r in report.to_add] == [
        (2, "ada@example.org", "Ada Reyes"),
        (3, "bo@example.org", ""),
        (4, "cy@example.org", "Cy Okafor"),
    ]
    assert report.columns == {"email": "email", "name": "name", "created": "created"}
    assert Subscriber.objects.count() == 0  # the dry run writes nothing

    before = timezone.now()
    result = apply_import(report, daily_list)

    assert (result.created, result.added, result.skipped) == (3, 3, 0)
    ada = Subscriber.objects.get(email="ada@example.org")
    assert ada.status == SubscriberStatus.CONFIRMED
    assert ada.source == SubscriberSource.IMPORT
    assert ada.created_at == datetime(2021, 3, 4, 10, 20, 30, tzinfo=UTC)
    assert ada.confirmed_at >= before
    bo = Subscriber.objects.get(email="bo@example.org")
    assert bo.created_at == datetime(2022, 1, 2, tzinfo=UTC)
    cy = Subscriber.objects.get(email="cy@example.org")
    assert cy.created_at >= before  # no date in the file: now
    assert on_list(daily_list) == {
        "ada@example.org",
        "bo@example.org",
        "cy@example.org",
    }


def test_excel_file_with_bom_and_semicolons_is_read(daily_list):
    data = "E-Mail;Name\r\nzoe@example.org;Zoë Ü\r\n".encode("utf-8-sig")

    report = read_import(data, daily_list)

    assert report.columns["email"] == "E-Mail"  # the BOM is not part of the heading
    assert [(r.email, r.name) for r in report.to_add] == [("zoe@example.org", "Zoë Ü")]


def test_latin_1_file_falls_back_from_utf_8(daily_list):
    data = csv_bytes("email\tname", "jose@example.org\tJosé Müller", encoding="latin-1")
    # 0x81 is no character in cp1252 either: the last resort reads every byte.
    odd = csv_bytes("email,name", "ana@example.org,Ana\x81", encoding="latin-1")

    report = read_import(data, daily_list)

    assert [(r.email, r.name) for r in report.to_add] == [
        ("jose@example.org", "José Müller")
    ]
    assert [r.name for r in read_import(odd, daily_list).to_add] == ["Ana"]


def test_utf_16_file_from_excel_is_read(daily_list):
    data = "email\tname\r\nada@example.org\tAda Ŕeyes\r\n".encode("utf-16")

    report = read_import(data, daily_list)

    assert [(r.email, r.name) for r in report.to_add] == [
        ("ada@example.org", "Ada Ŕeyes")
    ]


def test_mailchimp_export_joins_names_and_reads_optin_time(daily_list):
    data = csv_bytes(
        "Email Address,First Name,Last Name,MEMBER_RATING,OPTIN_TIME,CONFIRM_TIME,"
        "LEID,TAGS",
        "ada@example.org,Ada,Reyes,2,2020-05-06 07:08:09,2020-05-06 07:09:00,1,",
        'bo@example.org,Bo,,2,,"2019-01-01 00:00:00",2,"a,b"',
    )

    report = read_import(data, daily_list)

    assert report.columns["email"] == "Email Address"
    assert report.columns["created"] == "OPTIN_TIME"
    ada, bo = report.to_add
    assert (ada.name, ada.created_at) == (
        "Ada Reyes",
        datetime(2020, 5, 6, 7, 8, 9, tzinfo=UTC),
    )
    # An empty OPTIN_TIME is "no date", not a reason to refuse the row.
    assert (bo.name, bo.created_at) == ("Bo", None)


def test_mailchimp_unsubscribed_and_cleaned_exports_are_never_imported(daily_list):
    data = csv_bytes(
        "Email Address\tFirst Name\tUNSUB_TIME\tCLEAN_TIME",
        "left@example.org\tLeft\t2023-01-01 10:00:00\t",
        "bounced@example.org\tBounced\t\t2023-02-01 10:00:00",
        "stays@example.org\tStays\t\t",
    )

    report = read_import(data, daily_list)

    assert [r.email for r in report.to_add] == ["stays@example.org"]
    assert problems(report.skipped) == [
        (2, "left@example.org", "unsubscribed on the previous platform"),
        (3, "bounced@example.org", "bounced on the previous platform"),
    ]


def test_substack_export_reads_created_at_and_skips_disabled_emails(daily_list):
    data = csv_bytes(
        "email,active_subscription,expiry,email_disabled,created_at",
        "herr@example.org,true,2021-07-06T16:20:44.000Z,false,2018-08-27T15:06:27.713Z",
        "quiet@example.org,true,,true,2018-08-29T20:50:03.435Z",
    )

    report = read_import(data, daily_list)

    assert [(r.email, r.created_at) for r in report.to_add] == [
        ("herr@example.org", datetime(2018, 8, 27, 15, 6, 27, 713000, tzinfo=UTC))
    ]
    assert problems(report.skipped) == [
        (3, "quiet@example.org", "turned emails off on the previous platform")
    ]


def test_invalid_rows_are_reported_with_their_line_and_reason(daily_list):
    data = csv_bytes(
        "email,name,created",
        ",No Address,",
        "not-an-address,Nobody,",
        '"ok@example.org","Two',
        'Lines",2020-01-01',
        "",
        "date@example.org,Bad Date,03/04/2024",
        "future@example.org,Future,2999-01-01",
        f"{'x' * 250}@example.org,Long,",
    )

    report = read_import(data, daily_list)

    assert [(r.line, r.email, r.name) for r in report.to_add] == [
        (4, "ok@example.org", "Two Lines")
    ]
    assert problems(report.invalid) == [
        (2, "", "no email address"),
        (3, "not-an-address", "not a valid email address"),
        (7, "date@example.org", "unreadable date “03/04/2024”"),
        (8, "future@example.org", "signup date in the future"),
        (9, "x" * 100, "not a valid email address"),
    ]
    assert report.rows == 6


def test_duplicates_in_the_file_count_once(daily_list):
    data = csv_bytes("email,name", "ada@example.org,Ada", " ADA@example.org ,Ada again")

    report = read_import(data, daily_list)

    assert [r.email for r in report.to_add] == ["ada@example.org"]
    assert problems(report.duplicates) == [
        (3, "ada@example.org", "same address as line 2")
    ]


def test_people_who_left_or_bounced_are_never_re_added(daily_list, breaking_list):
    gone = one_on(breaking_list, "gone")
    services.unsubscribe(gone)
    bounced = one_on(breaking_list, "bounced")
    services.suppress(bounced.email, "bounced")
    erased = one_on(breaking_list, "erased")
    services.suppress(erased.email, "complained")
    services.erase(erased)
    data = csv_bytes("email", gone.email, bounced.email, erased.email.upper())

    report = read_import(data, daily_list)
    result = apply_import(report, daily_list)

    assert report.to_add == []
    assert problems(report.skipped) == [
        (2, gone.email, "unsubscribed here"),
        (3, bounced.email, "suppressed here (bounce or complaint)"),
        (4, erased.email, "suppressed here (bounce or complaint)"),
    ]
    assert (result.created, result.added) == (0, 0)
    assert on_list(daily_list) == set()
    gone.refresh_from_db()
    assert gone.status == SubscriberStatus.UNSUBSCRIBED
    assert not Subscriber.objects.filter(email=erased.email).exists()


def test_someone_who_left_this_list_only_is_not_put_back(
    daily_list, breaking_list, subscriber
):
    ListMembership.objects.create(subscriber=subscriber, newsletter_list=breaking_list)
    issue = Issue.objects.create(newsletter_list=daily_list, subject="Monday")
    Delivery.objects.create(issue=issue, subscriber=subscriber)
    services.unsubscribe(subscriber, daily_list)
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED  # still on Breaking

    report = read_import(csv_bytes("email", subscriber.email), daily_list)

    assert problems(report.skipped) == [(2, subscriber.email, "left this list here")]


def test_existing_subscribers_join_the_list_and_pending_ones_are_confirmed(
    daily_list, breaking_list, subscriber
):
    other = one_on(breaking_list, "other")
    services.signup("waiting@example.org", [breaking_list.pk])
    data = csv_bytes(
        "email,name", subscriber.email, f"{other.email},Renamed", "waiting@example.org"
    )

    report = read_import(data, daily_list)
    assert [r.email for r in report.already_subscribed] == [subscriber.email]
    assert [r.email for r in report.to_add] == [other.email, "waiting@example.org"]
    assert (report.new, report.known_to_add) == (0, 2)

    result = apply_import(report, daily_list)

    assert (result.created, result.added) == (0, 2)
    assert on_list(daily_list) == {
        subscriber.email,
        other.email,
        "waiting@example.org",
    }
    other.refresh_from_db()
    assert other.source == SubscriberSource.SIGNUP
    assert other.name == ""  # an import does not rewrite what readers told us
    waiting = Subscriber.objects.get(email="waiting@example.org")
    assert waiting.status == SubscriberStatus.CONFIRMED
    assert waiting.confirmed_at is not None


def test_importing_the_same_file_twice_adds_nothing_the_second_time(daily_list):
    data = csv_bytes("email,name", "ada@example.org,Ada", "bo@example.org,Bo")

    first = apply_import(read_import(data, daily_list), daily_list)
    report = read_import(data, daily_list)
    again_same_report = apply_import(read_import(data, daily_list), daily_list)

    assert (first.created, first.added) == (2, 2)
    assert report.to_add == []
    assert [r.email for r in report.already_subscribed] == [
        "ada@example.org",
        "bo@example.org",
    ]
    assert (again_same_report.created, again_same_report.added) == (0, 0)
    assert Subscriber.objects.count() == 2


def test_applying_a_report_twice_adds_nothing_the_second_time(daily_list):
    report = read_import(csv_bytes("email", "ada@example.org"), daily_list)

    apply_import(report, daily_list)
    second = apply_import(report, daily_list)

    assert (second.created, second.added) == (0, 0)
    assert Subscriber.objects.count() == 1


def test_unsubscribing_between_dry_run_and_import_wins(daily_list, breaking_list):
    reader = one_on(breaking_list, "reader")
    report = read_import(
        csv_bytes("email", reader.email, "new@example.org"), daily_list
    )

    services.unsubscribe(reader)
    services.suppress("new@example.org", "bounced")
    result = apply_import(report, daily_list)

    assert (result.created, result.added, result.skipped) == (0, 0, 2)
    assert on_list(daily_list) == set()
    assert not Subscriber.objects.filter(email="new@example.org").exists()


def test_names_are_cleaned_to_one_line(daily_list):
    data = csv_bytes(
        "email,name",
        'ada@example.org,"Ada\r\nBcc: evil@example.org"',
        "bo@example.org,\x07Bo\x00  \x1b[31mLind\tqvist",
        f"cy@example.org,{'C' * 300}",
    )

    report = read_import(data, daily_list)

    names = [r.name for r in report.to_add]
    assert names[0] == "Ada Bcc: evil@example.org"
    assert names[1] == "Bo [31mLind qvist"
    assert names[2] == "C" * 200


def test_a_bare_list_of_addresses_needs_no_heading(daily_list):
    report = read_import(b"ada@example.org\nbo@example.org\n", daily_list)

    assert [(r.line, r.email) for r in report.to_add] == [
        (1, "ada@example.org"),
        (2, "bo@example.org"),
    ]


def test_a_file_without_an_email_column_is_refused(daily_list):
    with pytest.raises(ImportRefused, match="No email column.*Found: name, phone"):
        read_import(csv_bytes("name,phone", "Ada,123"), daily_list)
    with pytest.raises(ImportRefused, match="empty"):
        read_import(b"\xef\xbb\xbf\r\n", daily_list)
    with pytest.raises(ImportRefused, match="spreadsheet workbook.*save it as CSV"):
        read_import(b"PK\x03\x04\x14\x00\x06\x00 binary xlsx", daily_list)


def test_a_broken_csv_is_refused_with_its_line(daily_list):
    # An unclosed quote swallows the rest of the file into one huge cell.
    data = csv_bytes(
        "email,name", "ada@example.org,Ada", 'bo@example.org,"' + "x" * 200_000
    )

    with pytest.raises(ImportRefused, match="Line 3 is not valid CSV"):
        read_import(data, daily_list)


def test_files_over_the_limits_are_refused(daily_list, monkeypatch):
    too_big = b"email\n" + b"a" * imports.MAX_BYTES
    with pytest.raises(ImportRefused, match=r"10\.0 MB; the most is 10 MB"):
        read_import(too_big, daily_list)

    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    three = ["email", "a@example.org", "b@example.org", "not-an-address"]
    assert read_import(csv_bytes(*three), daily_list).rows == 3
    with pytest.raises(ImportRefused, match="more than 3 rows"):
        read_import(csv_bytes(*three, "d@example.org"), daily_list)
    assert Subscriber.objects.count() == 0


def test_our_own_export_reads_back_without_its_formula_guards(daily_list):
    data = csv_bytes(
        "email,name,status,lists,source,created,confirmed",
        "'+tag@example.org,'=HYPERLINK(1),confirmed,Daily digest,signup,"
        "2024-01-02T03:04:05+00:00,2024-01-02T03:05:00+00:00",
    )

    (row,) = read_import(data, daily_list).to_add

    assert (row.email, row.name) == ("+tag@example.org", "=HYPERLINK(1)")
    assert row.created_at == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_a_large_file_is_read_and_imported_in_bulk(
    daily_list, django_assert_max_num_queries
):
    lines = ["email"] + [f"reader{n}@example.org" for n in range(5000)]
    data = csv_bytes(*lines)

    with django_assert_max_num_queries(12):
        report = read_import(data, daily_list)
    # Far fewer than one per row (SQLite caps a bulk insert at 999 parameters).
    with django_assert_max_num_queries(100):
        result = apply_import(report, daily_list)

    assert (result.created, result.added) == (5000, 5000)
    assert Suppression.objects.count() == 0
