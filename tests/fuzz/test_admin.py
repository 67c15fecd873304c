"""Fuzzing the admin: the login form, listing searches and filters, the CSV import."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from masthead.core.spreadsheets import FORMULA_STARTS
from masthead.newsletter.models import Subscriber

from .conftest import (
    BOUNDARY,
    FUZZ,
    HOSTILE,
    assert_clear_answer,
    assert_no_markup_from_readers,
    fresh_limits,
    get_raw,
    hostile_text,
    hostile_value,
    post_raw,
)

pytestmark = pytest.mark.django_db

LISTINGS = {
    "/admin/comments/": ["status", "page", "author_email", "created_at_after"],
    "/admin/comments/results/": ["status", "page", "created_at_before"],
    "/admin/newsletter/subscribers/": ["status", "newsletter_list"],
    "/admin/donations/": ["status", "interval", "provider", "currency"],
    "/admin/donations/results/": ["created_at_after", "completed_at_before"],
    "/admin/donors/": [],
    "/admin/monthly-supporters/": ["status", "provider"],
    "/admin/newsletter/issues/": [],
    "/admin/pages/search/": ["content_type", "locale"],
    "/admin/newsletter/export/": ["export", "newsletter_list", "status"],
}
filter_values = st.one_of(
    hostile_value,
    st.sampled_from(
        ["any", "pending", "0", "-1", "2026-13-45", "99999999999999999999"]
    ),
)


@FUZZ
@given(username=hostile_value, password=hostile_value, extra=st.booleans())
def test_the_login_form_answers_clearly_whatever_is_typed(
    client, superuser, username, password, extra
):
    fresh_limits()
    fields = {"username": username, "password": password}
    if extra:
        fields["next"] = "//evil.example/\r\nX-Injected: 1"
    response = post_raw(client, reverse("wagtailadmin_login"), fields)
    assert_clear_answer(response)
    assert response.status_code in (200, 302, 400, 403, 429)
    if response.status_code == 302:
        assert "evil.example" not in response["Location"]
        assert "\n" not in response["Location"]


@FUZZ
@given(
    url=st.sampled_from(sorted(LISTINGS)),
    q=st.one_of(hostile_value, st.sampled_from(HOSTILE)),
    ordering=st.one_of(st.sampled_from(["email", "-created_at", "nope"]), hostile_text),
    page=st.one_of(st.sampled_from(["2", "-1", "x"]), hostile_value),
    values=st.lists(filter_values, min_size=4, max_size=4),
)
def test_admin_listings_take_any_search_and_filter(
    client, superuser, url, q, ordering, page, values
):
    client.force_login(superuser)
    query = {"q": q, "ordering": ordering, "p": page}
    query.update(zip(LISTINGS[url], values, strict=False))
    response = get_raw(client, url, query)
    assert_clear_answer(response)
    if response.status_code == 200 and "html" in response["Content-Type"]:
        html = response.content.decode()
        assert "<script>alert" not in html


hostile_csv = st.one_of(
    st.binary(max_size=400),
    st.lists(
        st.lists(
            st.one_of(
                st.sampled_from(
                    [
                        "ada@example.org",
                        "=cmd|' /C calc'!A0",
                        "+SUM(1+1)*cmd",
                        "-2+3",
                        "@SUM(A1)",
                        '=HYPERLINK("http://evil.example","x")',
                        '"quoted, with comma"',
                        "a\x00b@example.org",
                        "<script>alert(1)</script>",
                    ]
                ),
                hostile_text,
            ),
            min_size=1,
            max_size=4,
        ),
        max_size=6,
    ).map(
        lambda rows: (
            "email,name,created\n" + "\n".join(",".join(r) for r in rows)
        ).encode("utf-8", "surrogatepass")
    ),
)
file_names = st.one_of(
    st.sampled_from(
        [
            "subscribers.csv",
            "../../etc/passwd",
            "..\\..\\boot.ini",
            "a\x00.csv",
            "evil.php",
            "x.csv\r\nContent-Type: text/html",
            "ü" * 300 + ".csv",
            "",
            "=cmd.csv",
        ]
    ),
    hostile_text,
)


@FUZZ
@given(data=hostile_csv, name=file_names)
def test_the_subscriber_import_refuses_hostile_files_clearly(
    client, superuser, daily_list, data, name
):
    client.force_login(superuser)
    # Built by hand: the test client refuses file names a hostile client sends.
    body = (
        b'--%(b)s\r\nContent-Disposition: form-data; name="newsletter_list"\r\n\r\n'
        b'%(list)d\r\n--%(b)s\r\nContent-Disposition: form-data; name="file"; '
        b'filename="%(name)s"\r\nContent-Type: text/csv\r\n\r\n'
        b"%(data)s\r\n--%(b)s--\r\n"
    ) % {
        b"b": BOUNDARY.encode(),
        b"list": daily_list.pk,
        b"name": name.encode("utf-8", "surrogatepass"),
        b"data": data,
    }
    response = client.generic(
        "POST",
        reverse("newsletter_import"),
        body,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
    assert_clear_answer(response)
    if response.status_code == 400:
        # A line break in the file name, or a name past Django's header limit,
        # breaks the part's header: the body is refused before the view runs.
        assert "newsletter_import" not in client.session
        return
    assert response.status_code == 200
    html = response.content.decode()
    assert_no_markup_from_readers(html.split("<main", 1)[-1].split("</main>")[0])
    token = response.context.get("token") if response.context else None
    if token:
        confirmed = client.post(
            reverse("newsletter_import_confirm"), {"token": token, "action": "import"}
        )
        assert confirmed.status_code == 302
        for subscriber in Subscriber.objects.all():
            assert "\x00" not in subscriber.email + subscriber.name
        export = client.get(reverse("newsletter_export"), {"export": "csv"})
        assert export.status_code == 200
        text = b"".join(export.streaming_content).decode()
        for row in csv.reader(io.StringIO(text)):
            for cell in row:
                assert not cell.startswith(FORMULA_STARTS), row


def test_a_huge_import_file_is_refused_with_a_message(client, superuser, daily_list):
    client.force_login(superuser)
    upload = SimpleUploadedFile(
        "big.csv", b"email\n" + b"a@example.org\n" * 800_000, content_type="text/csv"
    )
    response = client.post(
        reverse("newsletter_import"), {"file": upload, "newsletter_list": daily_list.pk}
    )
    assert response.status_code == 200
    assert b"the most is 10 MB" in response.content
