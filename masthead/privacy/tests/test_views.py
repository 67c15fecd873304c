import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from masthead.comments import tokens as comment_tokens
from masthead.comments.models import Comment
from masthead.comments.services import ANONYMOUS_AUTHOR
from masthead.core import mail_quota
from masthead.newsletter.models import Subscriber
from masthead.privacy import tokens
from masthead.privacy.models import MyDataLink

from .conftest import READER

pytestmark = pytest.mark.django_db

REQUEST = "/my-data/"


def _link_in(message) -> str:
    """The path of the "my data" link in a mail, after checking it is on SITE_URL."""
    [url] = re.findall(r"https?://\S+/my-data/[^/\s]+/", message.body)
    return url


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def _main(response) -> bytes:
    """The page's own content, without the per-response CSP nonce in the head."""
    return response.content.split(b"<main", 1)[1].split(b"</main>", 1)[0]


def test_the_form_page_explains_and_sets_no_cookie(client):
    response = client.get(REQUEST)

    assert response.status_code == 200
    assert b"Mail me the link" in response.content
    assert not response.cookies
    assert "no-store" in response["Cache-Control"]


def test_known_and_unknown_addresses_get_the_same_answer_and_mail(
    client, known_reader, mailoutbox
):
    known = client.post(REQUEST, {"email": READER})
    unknown = client.post(REQUEST, {"email": "stranger@example.org"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/my-data/check-your-inbox/"
    first, second = mailoutbox
    assert (first.to, second.to) == ([READER], ["stranger@example.org"])
    assert first.subject == second.subject
    assert first.body.replace(_link_in(first), "L") == second.body.replace(
        _link_in(second), "L"
    )
    inbox = client.get(known["Location"])
    assert b"Check your inbox" in inbox.content


def test_links_are_built_on_site_url_never_the_host_header(
    client, settings, mailoutbox
):
    settings.SITE_URL = "https://news.example.org"
    client.post(REQUEST, {"email": READER}, HTTP_HOST="localhost")

    assert _link_in(mailoutbox[0]).startswith("https://news.example.org/my-data/")
    assert "localhost" not in mailoutbox[0].body


@pytest.mark.parametrize(
    "email",
    [
        "fay@example.org\r\nBcc: everyone@example.org",
        "fay@example.org\n",
        "fay@exa\x00mple.org",
        "fay@example.org\tx",
    ],
)
def test_line_breaks_and_control_characters_are_a_clear_error(
    client, mailoutbox, email
):
    response = client.post(REQUEST, {"email": email})

    assert response.status_code == 400
    assert b"one line with no spaces, line breaks or control characters" in (
        response.content
    )
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", b"Please give your email address."),
        ("not an address", b"Please check your email address"),
        ("a" * 300 + "@example.org", b"at most 254 characters"),
    ],
)
def test_garbage_is_a_clear_error(client, mailoutbox, email, message):
    response = client.post(REQUEST, {"email": email})

    assert response.status_code == 400
    assert message in response.content
    assert b'aria-invalid="true"' in response.content
    assert mailoutbox == []


def test_the_trap_field_refuses_bots(client, mailoutbox):
    response = client.post(
        REQUEST, {"email": READER, "homepage": "https://spam.example"}
    )

    assert response.status_code == 400
    assert b"Please leave this field empty." in response.content
    assert mailoutbox == []


def test_one_connection_is_rate_limited_with_a_clear_message(
    client, settings, mailoutbox
):
    settings.MASTHEAD_PRIVACY_RATE_PER_IP = (2, 3600)
    for n in range(2):
        client.post(REQUEST, {"email": f"reader{n}@example.org"})

    refused = client.post(REQUEST, {"email": "third@example.org"})

    assert refused.status_code == 429
    assert b"Too many requests from your connection" in refused.content
    assert len(mailoutbox) == 2


def test_one_address_gets_its_share_of_mail_without_telling_the_asker(
    client, mailoutbox
):
    answers = [
        client.post(REQUEST, {"email": READER}, REMOTE_ADDR=f"198.51.100.{n}")
        for n in range(5)
    ]

    assert {answer.status_code for answer in answers} == {302}
    assert {answer["Location"] for answer in answers} == {"/my-data/check-your-inbox/"}
    assert len(mailoutbox) == 3


def test_the_share_of_mail_is_one_with_the_other_forms(client, mailoutbox):
    for _ in range(3):
        assert mail_quota.reserve(READER, "newsletter-confirmation")

    answer = client.post(REQUEST, {"email": READER})

    assert answer.status_code == 302
    assert mailoutbox == []
    assert not MyDataLink.objects.exists()


def test_the_mailed_link_lists_what_we_hold(client, known_reader, mailoutbox):
    client.post(REQUEST, {"email": READER})

    page = client.get(_path(_link_in(mailoutbox[0])))

    assert page.status_code == 200
    assert page["Referrer-Policy"] == "no-referrer"
    assert not page.cookies
    html = page.content.decode()
    assert "1 comment<" in html
    assert "2 comment subscriptions" in html
    assert "A newsletter subscription to 1 list" in html
    assert "2 donations" in html
    assert "1 monthly gift (1 running)" in html
    assert "Download my data (JSON)" in html
    assert "Erase my data" in html
    assert "the law requires us to keep accounting records" in html


def test_an_address_we_know_nothing_about_says_so(client, db):
    page = client.get(f"/my-data/{tokens.issue('nobody@example.org')}/")

    assert page.status_code == 200
    assert b"We hold nothing for this address" in page.content
    assert b"Erase my data" not in page.content


def test_an_expired_link_says_so_and_offers_a_new_one(client, db):
    with time_machine.travel(datetime(2026, 3, 1, tzinfo=UTC), tick=False) as clock:
        token = tokens.issue(READER)
        clock.shift(timedelta(hours=23))
        assert client.get(f"/my-data/{token}/").status_code == 200
        clock.shift(timedelta(hours=2))
        page = client.get(f"/my-data/{token}/")

    assert page.status_code == 400
    assert b"This link has expired" in page.content
    assert b'href="/my-data/"' in page.content


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        comment_tokens.issue_erase_token(READER),  # signed for another purpose
        tokens.sign(READER, 1)[:-2] + "xx",
    ],
)
def test_forged_or_foreign_links_open_nothing(client, db, token):
    for url in (f"/my-data/{token}/", f"/my-data/{token}/export.json"):
        page = client.get(url)
        assert page.status_code == 400
        assert b"This link is not valid" in page.content
    erase = client.post(f"/my-data/{token}/erase/", {"confirm": "yes"})
    assert erase.status_code == 400


def test_export_is_one_json_attachment_with_everything(client, known_reader):
    response = client.get(f"/my-data/{tokens.issue(READER)}/export.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    assert "no-store" in response["Cache-Control"]
    document = json.loads(response.content)
    assert document["email"] == READER
    [comment] = document["comments"]
    assert comment["body"] == "The bridge was last repaired in 1998."
    assert comment["name"] == "Fay Lindqvist"
    assert comment["status"] == "approved"
    assert comment["article_url"].endswith(
        f"/bridge-repairs/#comment-{known_reader.comment.pk}"
    )
    assert comment["created_at"]
    assert sorted(s["kind"] for s in document["comment_subscriptions"]) == [
        "all",
        "replies",
    ]
    newsletter = document["newsletter"]
    assert newsletter["subscriber"]["name"] == "Fay L."
    assert newsletter["subscriber"]["confirmed_at"]
    # The record of consent carries the words the reader agreed to.
    assert "Daily digest" in newsletter["subscriber"]["consent_text"]
    # The fixture's first signup, whose mailed link was never clicked.
    [waiting] = newsletter["subscriber"]["waiting_signups"]
    assert waiting["name"] == "Fay L." and waiting["lists"]
    assert [m["list"] for m in newsletter["lists"]] == ["Daily digest"]
    assert [d["status"] for d in newsletter["deliveries"]] == ["sent"]
    assert newsletter["suppressed"] is None
    assert document["donor"]["name"] == "Fay Lindqvist"
    amounts = sorted(
        (d["amount_minor"], d["currency"], d["interval"]) for d in document["donations"]
    )
    assert amounts == [(500, "EUR", "monthly"), (1250, "EUR", "one_time")]
    assert all(d["payment_reference"] for d in document["donations"])
    [gift] = document["monthly_gifts"]
    assert gift["status"] == "active" and gift["subscription_reference"]
    assert document["account"] == []
    assert "bo@example.org" not in response.content.decode()


def test_erase_needs_an_explicit_confirmation(client, known_reader):
    token = tokens.issue(READER)

    response = client.post(f"/my-data/{token}/erase/", {"comment_text": "keep"})

    assert response.status_code == 400
    assert b"Tick the box to confirm" in response.content
    assert Comment.objects.get(pk=known_reader.comment.pk).author_email == READER


def test_erase_is_post_only(client, known_reader):
    response = client.get(f"/my-data/{tokens.issue(READER)}/erase/")

    assert response.status_code == 405
    assert Subscriber.objects.filter(email=READER).exists()


def test_erase_anonymises_and_reports_what_it_did(client, known_reader):
    token = tokens.issue(READER)

    response = client.post(
        f"/my-data/{token}/erase/", {"confirm": "yes", "comment_text": "keep"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "1 comment now without your name" in html
    assert "2 comment subscriptions ended" in html
    assert "1 monthly gift stopped" in html
    assert "amounts, dates and references stay in our books" in html
    comment = Comment.objects.get(pk=known_reader.comment.pk)
    assert comment.author_name == ANONYMOUS_AUTHOR
    assert not Subscriber.objects.filter(email=READER).exists()


def test_erase_with_text_removal_deletes_the_words(client, known_reader):
    client.post(
        f"/my-data/{tokens.issue(READER)}/erase/",
        {"confirm": "yes", "comment_text": "remove"},
    )

    assert Comment.objects.get(pk=known_reader.comment.pk).body == ""


def test_a_failing_provider_is_explained_and_nothing_is_erased(
    client, known_reader, settings
):
    settings.MASTHEAD_PAYMENT_PROVIDERS = {
        "other": {"BACKEND": "masthead.revenue.providers.test_mode.TestModeProvider"}
    }

    response = client.post(
        f"/my-data/{tokens.issue(READER)}/erase/", {"confirm": "yes"}
    )

    assert response.status_code == 503
    assert b"could not stop your monthly gift" in response.content
    assert b"Nothing has been erased" in response.content
    assert Subscriber.objects.filter(email=READER).exists()


def test_the_old_comment_erasure_form_leads_to_my_data(client, db):
    assert client.get("/comments/erase/").headers["Location"] == REQUEST
    assert client.post("/comments/erase/", {"email": READER})["Location"] == REQUEST


def test_an_old_mailed_erasure_link_opens_my_data_for_its_address(client, known_reader):
    old = comment_tokens.issue_erase_token(READER)

    response = client.get(f"/comments/erase/{old}/")

    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert READER.encode() in page.content
    assert b"1 comment<" in page.content


def test_an_old_erasure_link_that_is_not_valid_leads_to_the_form(client, db):
    response = client.get("/comments/erase/not-a-token/")

    assert response["Location"] == REQUEST


def test_the_newsletters_own_erase_button_still_erases(client, known_reader):
    key = known_reader.subscriber.key

    response = client.post(reverse("newsletter:erase", args=[key]))

    assert response.status_code == 200
    assert not Subscriber.objects.filter(email=READER).exists()


def test_footer_and_comment_section_point_to_my_data(client, article):
    page = client.get(article.url)

    assert b'href="/my-data/"' in page.content
    assert b"/comments/erase/" not in page.content


def test_the_mailed_link_is_the_same_text_for_everyone(db, mailoutbox):
    from masthead.privacy import services

    services.request_link(READER)

    assert mail.outbox[0].extra_headers["Auto-Submitted"] == "auto-generated"
    assert "works for 24 hours" in mail.outbox[0].body
