import re
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from masthead.newsletter import services
from masthead.newsletter.choices import SubscriberStatus
from masthead.newsletter.models import ListMembership, NewsletterList, Subscriber
from masthead.newsletter.sending import send_issue, start_sending
from masthead.newsletter.tests.fixtures import make_list
from masthead.newsletter.tokens import CONFIRM_SALT

pytestmark = pytest.mark.django_db

SUBSCRIBE = reverse("newsletter:subscribe")
CHECK_INBOX = reverse("newsletter:check_inbox")
NONCE = re.compile(rb'nonce="[^"]*"')
CONFIRM_LINK = re.compile(r"https?://[^\s\"<>]+/newsletter/confirm/[^/\s\"<>]+/")


def subscribe(client, email, lists, name="", ip="192.0.2.10", **extra):
    data = {"email": email, "name": name, "lists": [li.pk for li in lists], **extra}
    return client.post(SUBSCRIBE, data, REMOTE_ADDR=ip)


def confirm_path(mail) -> str:
    """The path of the confirmation link in a mail's plain-text part."""
    url = CONFIRM_LINK.search(mail.body).group(0)
    return "/newsletter/" + url.split("/newsletter/", 1)[1]


def member_of(subscriber) -> set[str]:
    return set(
        ListMembership.objects.filter(subscriber=subscriber).values_list(
            "newsletter_list__slug", flat=True
        )
    )


@pytest.fixture
def lists(daily_list, breaking_list):
    return [daily_list, breaking_list]


@pytest.fixture
def pending(daily_list, mailoutbox):
    """A reader who signed up for the daily list and has the mail, unclicked."""
    services.signup("pat@example.org", [daily_list.pk], "Pat")
    subscriber = Subscriber.objects.get(email="pat@example.org")
    subscriber.link = confirm_path(mailoutbox.pop())
    return subscriber


# --- the signup page and form -------------------------------------------------------


def test_signup_page_offers_every_active_list_with_its_description(client, lists):
    make_list("Old list", "old", active=False)

    response = client.get(reverse("newsletter:signup"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Daily digest" in html and "stories at 7 every morning" in html
    assert "Breaking news" in html and "Only when it matters." in html
    assert "Old list" not in html
    daily = re.search(rf'<input[^>]*value="{lists[0].pk}"[^>]*>', html).group(0)
    breaking = re.search(rf'<input[^>]*value="{lists[1].pk}"[^>]*>', html).group(0)
    assert "checked" in daily and "checked" not in breaking
    assert '<label for="id_email">Email address</label>' in html


def test_a_new_address_is_sent_a_confirmation_and_told_to_check_its_inbox(
    client, lists, mailoutbox
):
    response = subscribe(client, " New@Example.org ", lists, name="Nia")

    assert response.status_code in (302, 303)
    assert response["Location"] == CHECK_INBOX
    assert Subscriber.objects.get().email == "new@example.org"
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING
    assert [m.to for m in mailoutbox] == [["new@example.org"]]
    assert "asked to receive" in mailoutbox[0].body
    assert "Daily digest" in mailoutbox[0].body
    page = client.get(CHECK_INBOX)
    assert b"Check your inbox" in page.content


def test_every_kind_of_address_gets_the_same_answer_and_only_its_owner_sees_why(
    client, lists, subscriber, mailoutbox
):
    services.signup("pending@example.org", [lists[0].pk])
    left = Subscriber.objects.create(
        email="left@example.org",
        status=SubscriberStatus.UNSUBSCRIBED,
        created_at=timezone.now(),
    )
    services.suppress("bounced@example.org", "bounced")
    services.suppress(left.email.replace("left", "gone"), "complained")
    mailoutbox.clear()
    addresses = {
        "new": "new@example.org",
        "pending": "pending@example.org",
        "confirmed": subscriber.email,
        "unsubscribed": "left@example.org",
        "suppressed": "bounced@example.org",
        "suppressed subscriber": "gone@example.org",
    }
    Subscriber.objects.create(
        email="gone@example.org",
        status=SubscriberStatus.SUPPRESSED,
        created_at=timezone.now(),
    )

    answers = {}
    for kind, email in addresses.items():
        response = subscribe(client, email, lists, ip=f"192.0.2.{len(answers) + 1}")
        page = client.get(response["Location"])
        # The CSP nonce is the one part of a page that differs on every request.
        content = NONCE.sub(b'nonce=""', page.content)
        answers[kind] = (response.status_code, response["Location"], content)

    assert len(set(answers.values())) == 1, "the answer must not depend on the address"
    sent = {m.to[0]: m.body for m in mailoutbox}
    assert set(sent) == {
        "new@example.org",
        "pending@example.org",
        subscriber.email,
        "left@example.org",
    }
    assert "already subscribed" in sent[subscriber.email]
    for email in ("new@example.org", "pending@example.org", "left@example.org"):
        assert "already subscribed" not in sent[email]
        assert "asked to receive" in sent[email]
    assert not Subscriber.objects.filter(email="bounced@example.org").exists()
    left.refresh_from_db()
    assert left.status == SubscriberStatus.UNSUBSCRIBED  # only the link changes it
    assert member_of(subscriber) == {"daily"}


def test_a_filled_honeypot_gets_the_same_answer_and_no_mail(client, lists, mailoutbox):
    response = subscribe(
        client, "bot@example.org", lists, website="https://spam.example.com"
    )

    assert response.status_code in (302, 303)
    assert response["Location"] == CHECK_INBOX
    assert mailoutbox == []
    assert not Subscriber.objects.exists()


def test_too_many_signups_from_one_address_are_answered_alike_but_dropped(
    client, lists, mailoutbox, settings
):
    settings.MASTHEAD_NEWSLETTER_RATE_PER_IP = (2, 600)

    responses = [
        subscribe(client, f"reader{n}@example.org", lists, ip="198.51.100.7")
        for n in range(4)
    ]
    elsewhere = subscribe(client, "other@example.org", lists, ip="198.51.100.8")

    assert {(r.status_code, r["Location"]) for r in [*responses, elsewhere]} == {
        (responses[0].status_code, CHECK_INBOX)
    }
    assert sorted(m.to[0] for m in mailoutbox) == [
        "other@example.org",
        "reader0@example.org",
        "reader1@example.org",
    ]


def test_one_address_cannot_be_mail_bombed_from_many_ips(
    client, lists, mailoutbox, settings
):
    settings.MASTHEAD_NEWSLETTER_RATE_PER_EMAIL = (2, 3600)

    responses = [
        subscribe(client, "victim@example.org", lists, ip=f"203.0.113.{n}")
        for n in range(1, 6)
    ]

    assert {r["Location"] for r in responses} == {CHECK_INBOX}
    assert len(mailoutbox) == 2


def test_an_invalid_address_is_refused_next_to_the_field_keeping_what_was_typed(
    client, lists, mailoutbox
):
    response = subscribe(client, "ana@@example", [lists[1]], name="Ana Lima")

    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'id="email-error"[^>]*>\s*Enter a valid email address\.', html), (
        html
    )
    assert 'aria-invalid="true"' in html
    assert 'value="ana@@example"' in html and 'value="Ana Lima"' in html
    breaking = re.search(rf'<input[^>]*value="{lists[1].pk}"[^>]*>', html).group(0)
    daily = re.search(rf'<input[^>]*value="{lists[0].pk}"[^>]*>', html).group(0)
    assert "checked" in breaking and "checked" not in daily
    assert mailoutbox == [] and not Subscriber.objects.exists()


def test_no_list_picked_is_refused_with_a_message_and_the_address_kept(
    client, lists, mailoutbox
):
    response = subscribe(client, "ana@example.org", [], name="Ana")

    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'id="lists-error"[^>]*>\s*Pick at least one newsletter\.', html)
    assert 'value="ana@example.org"' in html and 'value="Ana"' in html
    assert mailoutbox == [] and not Subscriber.objects.exists()


def test_an_unknown_list_id_is_refused_too(client, lists, mailoutbox):
    response = client.post(SUBSCRIBE, {"email": "ana@example.org", "lists": ["99999"]})

    assert response.status_code == 400
    assert b"lists-error" in response.content
    assert mailoutbox == []


def test_subscribe_answers_only_posts(client, lists):
    assert client.get(SUBSCRIBE).status_code == 405


# --- confirming ---------------------------------------------------------------------


def test_opening_the_link_asks_first_and_changes_nothing(client, pending):
    response = client.get(pending.link)

    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<form method="post"[^>]*>', html)
    assert "Yes, subscribe me" in html and "Daily digest" in html
    pending.refresh_from_db()
    assert pending.status == SubscriberStatus.PENDING
    assert member_of(pending) == set()


def test_the_button_confirms_and_leads_to_the_preferences(client, pending):
    response = client.post(pending.link)

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "newsletter:preferences", kwargs={"key": pending.key}
    )
    pending.refresh_from_db()
    assert pending.status == SubscriberStatus.CONFIRMED
    assert pending.name == "Pat"
    assert member_of(pending) == {"daily"}
    page = client.get(response["Location"])
    assert b"Your subscription is confirmed." in page.content


def test_an_expired_link_says_so_and_confirms_nothing(client, pending):
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        shown = client.get(pending.link)
        clicked = client.post(pending.link)

    for response in (shown, clicked):
        assert response.status_code == 400
        assert b"This confirmation link has expired" in response.content
        assert b"Sign up again" in response.content
    pending.refresh_from_db()
    assert pending.status == SubscriberStatus.PENDING


@pytest.mark.parametrize(
    "token",
    ["garbled", "eyJzIjoxfQ:1tQ3ZK:forged-signature-xxxxxxxxxxxxxxxxxxxxx", None],
)
def test_a_forged_or_damaged_link_is_refused_clearly(client, pending, token):
    if token is None:  # signed with a key we never used
        token = signing.dumps(
            {"s": pending.pk, "k": pending.key[:8], "l": [1]},
            key="not-our-secret",
            salt=CONFIRM_SALT,
        )
    path = reverse("newsletter:confirm", kwargs={"token": token})

    for response in (client.get(path), client.post(path)):
        assert response.status_code == 400
        assert b"This confirmation link is not valid" in response.content
    pending.refresh_from_db()
    assert pending.status == SubscriberStatus.PENDING


def test_a_link_for_an_erased_subscriber_is_refused(client, pending):
    link = pending.link
    services.erase(pending)

    response = client.post(link)

    assert response.status_code == 400
    assert b"no longer valid" in response.content


# --- preferences ------------------------------------------------------------------


def preferences_url(subscriber) -> str:
    return reverse("newsletter:preferences", kwargs={"key": subscriber.key})


def test_preferences_show_the_lists_ticked(client, subscriber, breaking_list):
    response = client.get(preferences_url(subscriber))

    html = response.content.decode()
    assert response.status_code == 200
    assert subscriber.email in html
    ticked = re.findall(
        r'<input type="checkbox" name="lists" value="(\d+)"[^>]*checked', html
    )
    daily = NewsletterList.objects.get(slug="daily")
    assert ticked == [str(daily.pk)]


def test_preferences_change_lists_and_name(client, subscriber, breaking_list):
    response = client.post(
        preferences_url(subscriber), {"lists": [breaking_list.pk], "name": " Ana  B "}
    )

    assert response.status_code == 200
    assert b"Your choices are saved." in response.content
    subscriber.refresh_from_db()
    assert member_of(subscriber) == {"breaking"}
    assert subscriber.name == "Ana B"
    assert subscriber.status == SubscriberStatus.CONFIRMED


def test_unticking_everything_unsubscribes(client, subscriber, breaking_list):
    response = client.post(preferences_url(subscriber), {"name": ""})

    assert b"You are unsubscribed from all our newsletters." in response.content
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert member_of(subscriber) == set()

    client.post(preferences_url(subscriber), {"lists": [breaking_list.pk]})
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED  # they came back
    assert member_of(subscriber) == {"breaking"}


def test_a_bad_preferences_post_changes_nothing(client, subscriber, breaking_list):
    response = client.post(
        preferences_url(subscriber), {"lists": ["99999"], "name": "x" * 300}
    )

    assert response.status_code == 400
    assert b"form-error" in response.content
    subscriber.refresh_from_db()
    assert member_of(subscriber) == {"daily"} and subscriber.name == ""


def test_a_suppressed_address_cannot_resubscribe_from_its_preferences(
    client, subscriber, breaking_list
):
    services.suppress(subscriber.email, "bounced")

    response = client.post(preferences_url(subscriber), {"lists": [breaking_list.pk]})

    assert b"bounced or was reported as spam" in response.content
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.SUPPRESSED
    assert "breaking" not in member_of(subscriber)


def test_an_unknown_key_is_not_found(client, subscriber):
    assert client.get("/newsletter/preferences/not-a-key/").status_code == 404
    assert client.post("/newsletter/preferences/not-a-key/erase/").status_code == 404


# --- unsubscribing and erasing ----------------------------------------------------


def unsubscribe_url(subscriber, newsletter_list) -> str:
    return reverse(
        "newsletter:unsubscribe",
        kwargs={"key": subscriber.key, "list_slug": newsletter_list.slug},
    )


def test_one_click_unsubscribe_needs_no_token_and_no_cookie(
    subscriber, daily_list, breaking_list
):
    ListMembership.objects.create(subscriber=subscriber, newsletter_list=breaking_list)
    mail_client = Client(enforce_csrf_checks=True)  # what a mail provider's POST is

    response = mail_client.post(
        unsubscribe_url(subscriber, daily_list),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert response.content == b"Unsubscribed."
    assert not response.cookies
    assert member_of(subscriber) == {"breaking"}
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED


def test_opening_the_unsubscribe_link_asks_first(client, subscriber, daily_list):
    response = client.get(unsubscribe_url(subscriber, daily_list))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Unsubscribe from Daily digest?" in html
    assert re.search(r'<form method="post"[^>]*>', html)
    assert member_of(subscriber) == {"daily"}


def test_the_unsubscribe_button_leaves_the_list_and_says_so(
    client, subscriber, daily_list
):
    response = client.post(unsubscribe_url(subscriber, daily_list))

    assert response.status_code == 200
    assert b"You are unsubscribed" in response.content
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert member_of(subscriber) == set()


def test_a_wrong_unsubscribe_link_is_not_found(client, subscriber, daily_list):
    assert (
        client.get(f"/newsletter/unsubscribe/nope/{daily_list.slug}/").status_code
        == 404
    )
    assert (
        client.post(f"/newsletter/unsubscribe/{subscriber.key}/nope/").status_code
        == 404
    )
    assert member_of(subscriber) == {"daily"}


def test_erase_deletes_the_subscriber(client, subscriber):
    url = reverse("newsletter:erase", kwargs={"key": subscriber.key})

    assert client.get(url).status_code == 405
    response = client.post(url)

    assert response.status_code == 200
    assert b"Your data is deleted" in response.content
    assert not Subscriber.objects.filter(pk=subscriber.pk).exists()
    assert not ListMembership.objects.exists()


# --- the widget on article pages ----------------------------------------------------


def test_article_page_carries_the_widget_in_the_sidebar_and_at_its_end(
    client, article, lists
):
    html = client.get(article.url).content.decode()

    for place in ("sidebar", "article"):
        assert f'id="newsletter-email-{place}"' in html
        assert f'<label for="newsletter-email-{place}">' in html
    assert html.count(f'action="{SUBSCRIBE}"') == 2
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert [name for name, count in ids.items() if count > 1] == []
    main, sidebar = html.split('<aside class="sidebar"', 1)
    assert "newsletter-signup--article" in main
    assert "newsletter-signup--sidebar" in sidebar
    # Two regions with one name confuse a screen reader's landmark list.
    headings = re.findall(r'<h2 id="newsletter-heading-\w+">([^<]+)</h2>', html)
    assert len(headings) == len(set(headings)) == 2


def test_the_widget_posts_what_the_signup_view_reads(
    client, article, lists, mailoutbox
):
    html = client.get(article.url).content.decode()
    form = html.split('class="widget newsletter-signup newsletter-signup--sidebar', 1)[
        1
    ]
    form = form.split("</form>", 1)[0]

    names = set(re.findall(r'name="([^"]+)"', form))

    assert names == {"email", "name", "lists", "website"}


def test_the_widget_hides_when_there_is_no_list(client, article):
    html = client.get(article.url).content.decode()

    assert "newsletter-signup" not in html


def test_the_widget_reads_its_lists_once_a_minute_not_on_every_page(
    lists, django_assert_num_queries
):
    widget = Template("{% load newsletter_tags %}{% newsletter_signup 'sidebar' %}")

    with django_assert_num_queries(1):
        first = widget.render(Context({"site_title": "Valley"}))
    with django_assert_num_queries(0):
        second = widget.render(Context({"site_title": "Valley"}))

    assert first == second
    assert "Daily digest" in first and "Breaking news" in first


def test_an_issues_unsubscribe_link_cannot_undo_a_later_resubscription(
    subscriber, daily_list, edition, mailoutbox
):
    start_sending(edition)
    send_issue(edition.pk)
    (issue_mail,) = mailoutbox
    old_link = issue_mail.extra_headers["List-Unsubscribe"].strip("<>")
    mail_client = Client(enforce_csrf_checks=True)

    def one_click():
        return mail_client.post(
            old_link,
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )

    assert one_click().content == b"Unsubscribed."
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        services.signup(subscriber.email, [daily_list.pk])
        services.confirm(confirm_path(mailoutbox[-1]).rstrip("/").split("/")[-1])
        # Pressed again, weeks later, in the old mail: idempotent and harmless.
        response = one_click()

    assert response.status_code == 200
    assert response.content.startswith(b"Nothing changed")
    assert member_of(subscriber) == {"daily"}
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED


def test_a_stale_unsubscribe_button_says_nothing_changed(
    client, subscriber, daily_list, edition
):
    start_sending(edition)
    ListMembership.objects.filter(subscriber=subscriber).update(
        created_at=timezone.now() + timedelta(minutes=1)
    )
    link = reverse(
        "newsletter:unsubscribe_issue",
        kwargs={"key": subscriber.key, "list_slug": "daily", "issue_id": edition.pk},
    )

    response = client.post(link)

    assert b"Still subscribed to Daily digest" in response.content
    assert member_of(subscriber) == {"daily"}


@pytest.mark.parametrize("issue_id", ["0", "99999", "99999999999999999999999"])
def test_an_unsubscribe_link_naming_an_unknown_issue_is_not_found(
    client, subscriber, daily_list, issue_id
):
    path = f"/newsletter/unsubscribe/{subscriber.key}/daily/{issue_id}/"
    assert client.post(path).status_code == 404
    assert member_of(subscriber) == {"daily"}


def test_the_confirmation_page_shows_the_words_that_are_recorded(client, pending):
    page = client.get(pending.link).content.decode()
    client.post(pending.link)

    pending.refresh_from_db()
    assert pending.consent_text
    assert pending.consent_text in page.replace("&#x27;", "'")
