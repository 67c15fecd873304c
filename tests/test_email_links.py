"""Every mailed link points at SITE_URL, whatever Host the triggering request named.

A Host header is the sender's choice. With ALLOWED_HOSTS too wide (a wildcard
left in by mistake), a link built on it would carry a reset or confirmation
token to the sender's own server. Each test triggers one kind of mail through
the real view with `Host: evil.example` and reads every part of every mail.
"""

import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from masthead.comments import subscriptions
from masthead.comments.choices import CommentStatus, ModerationPolicy
from masthead.comments.models import Subscription
from masthead.comments.moderation import send_moderator_digest
from masthead.comments.services import settings_for
from masthead.comments.tests.fixtures import aged_form_token, post_comment
from masthead.core.links import absolute_links, absolute_url, page_url
from masthead.core.tests.fixtures import member_of
from masthead.newsletter.issues import create_edition
from masthead.newsletter.sending import send_issue
from masthead.newsletter.tests.fixtures import confirmed_subscribers
from masthead.revenue.models import Donation

pytestmark = pytest.mark.django_db

EVIL = "evil.example"
ON_EVIL = {"HTTP_HOST": EVIL}
ADDRESS = re.compile(r"https?://[^\s\"'<>()]+")
ATTRIBUTE = re.compile(r"\b(?:href|src)=\"([^\"]*)\"")
# Names, not links: an HTML part's doctype and XML namespaces.
NOT_LINKS = re.compile(r"<!DOCTYPE[^>]*>|\bxmlns(?::\w+)?=\"[^\"]*\"", re.I)


@pytest.fixture(autouse=True)
def wildcard_hosts(settings):
    """A misconfigured site: any Host is accepted."""
    settings.ALLOWED_HOSTS = ["*"]
    cache.clear()  # rate limits of other tests
    yield settings
    cache.clear()


def mail_texts(message) -> list[str]:
    """Subject, headers, the text part and every alternative part of a mail."""
    texts = [message.subject, message.body]
    texts += [str(value) for value in message.extra_headers.values()]
    texts += [NOT_LINKS.sub("", content) for content, _ in message.alternatives]
    return texts


def assert_links_on_site_url(message) -> list[str]:
    """Every address in `message` starts with SITE_URL; returns them."""
    texts = mail_texts(message)
    for text in texts:
        assert EVIL not in text, f"{message.subject!r} names {EVIL}"
    urls = [url for text in texts for url in ADDRESS.findall(text)]
    urls += [
        url
        for content, _mimetype in message.alternatives
        for url in ATTRIBUTE.findall(content)
        if not url.startswith(("mailto:", "#"))
    ]
    assert urls, f"{message.subject!r} carries no link at all"
    site = settings.SITE_URL + "/"
    for url in urls:
        assert url.startswith(site), f"{url} in {message.subject!r}"
    return urls


def test_link_helpers_build_on_site_url_alone(article):
    site = settings.SITE_URL

    assert absolute_url("/donate/") == f"{site}/donate/"
    assert page_url(article) == f"{site}{article.get_url_parts()[2]}"
    assert absolute_links(
        '<a href="/news/x/">x</a> <img src="/media/a.png"> '
        '<a href="//cdn.example/y">y</a> <a href="https://example.org/">z</a>'
    ) == (
        f'<a href="{site}/news/x/">x</a> <img src="{site}/media/a.png"> '
        '<a href="//cdn.example/y">y</a> <a href="https://example.org/">z</a>'
    )


# --- comments -----------------------------------------------------------------------


def test_comment_subscription_confirmation(
    article, client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/comments/{article.pk}/subscribe/",
            {"email": "reader@example.org", "kind": ["all"]}
            | {"token": aged_form_token(article)},
            **ON_EVIL,
        )

    assert response.status_code == 200
    (mail,) = mailoutbox
    urls = assert_links_on_site_url(mail)
    assert page_url(article) in urls
    assert any("/comments/subscriptions/" in url for url in urls)


def test_comment_notification(
    article, client, mailoutbox, django_capture_on_commit_callbacks
):
    comment_settings = settings_for(article)
    comment_settings.moderation = ModerationPolicy.PUBLISH
    comment_settings.save()
    with django_capture_on_commit_callbacks(execute=True):
        subscriptions.subscribe(article, "follower@example.org", ["all"])
    subscriptions.confirm(Subscription.objects.get().confirm_key)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("comments:post", args=[article.pk]),
            {
                "body": "The bridge is late again.",
                "name": "Bo",
                "email": "bo@example.org",
                "url": "",
                "parent": "",
                "homepage": "",
                "token": aged_form_token(article),
            },
            **ON_EVIL,
        )

    assert response.status_code == 200
    (mail,) = [m for m in mailoutbox if m.to == ["follower@example.org"]]
    urls = assert_links_on_site_url(mail)
    assert any(url.startswith(page_url(article) + "#comment-") for url in urls)


def test_my_data_link(client, db, mailoutbox, django_capture_on_commit_callbacks):
    # Erasing comments goes through /my-data/ (masthead.privacy): one mail.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("privacy:request"), {"email": "reader@example.org"}, **ON_EVIL
        )

    assert response.status_code == 302
    (mail,) = mailoutbox
    urls = assert_links_on_site_url(mail)
    assert any("/my-data/" in url for url in urls)


def test_moderator_digest(article, mailoutbox, django_user_model):
    member_of(django_user_model, "mona", "Moderators")
    comment = post_comment(article, "Waiting for a moderator.")
    assert comment.status == CommentStatus.PENDING

    assert send_moderator_digest() == 1

    urls = assert_links_on_site_url(mailoutbox[0])
    assert any(f"/admin/comments/edit/{comment.pk}/" in url for url in urls)


# --- newsletter ---------------------------------------------------------------------


def test_newsletter_confirmation(client, daily_list, mailoutbox):
    response = client.post(
        reverse("newsletter:subscribe"),
        {"email": "pat@example.org", "name": "Pat", "lists": [daily_list.pk]},
        **ON_EVIL,
    )

    assert response.status_code in (200, 302)
    (mail,) = mailoutbox
    urls = assert_links_on_site_url(mail)
    assert any("/newsletter/confirm/" in url for url in urls)


def test_newsletter_issue_and_its_test_copy(
    client,
    editor,
    daily_list,
    article,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    confirmed_subscribers(daily_list, 1, prefix="ana")
    issue = create_edition(daily_list)
    # Rich text links a page by id; Wagtail expands it to a root-relative address.
    issue.intro = f'<p>See <a linktype="page" id="{article.pk}">the bridge</a>.</p>'
    issue.save()
    client.force_login(editor)

    client.post(reverse("newsletter_issues:test", args=[issue.pk]), **ON_EVIL)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("newsletter_issues:send", args=[issue.pk]), **ON_EVIL)
    send_issue(issue.pk)  # whatever the worker has not sent yet

    test_copy, delivered = mailoutbox[0], mailoutbox[-1]
    assert test_copy.to == [editor.email] and delivered.to[0].startswith("ana")
    for mail in (test_copy, delivered):
        urls = assert_links_on_site_url(mail)
        assert page_url(article) in urls  # the story and the intro's link
        assert f'href="{page_url(article)}">the bridge</a>' in mail.alternatives[0][0]
        assert f"the bridge ({page_url(article)})" in mail.body
        assert any("/newsletter/unsubscribe/" in url for url in urls)


# --- donations ----------------------------------------------------------------------


def test_donation_receipt_with_its_manage_link(
    client, db, mailoutbox, django_capture_on_commit_callbacks
):
    started = client.post(
        "/donate/start/",
        {
            "amount": "12.50",
            "currency": "EUR",
            "interval": "monthly",
            "provider": "test_mode",
            "email": "ada@example.org",
            "name": "Ada Reader",
        },
        HTTP_ACCEPT="application/json",
        **ON_EVIL,
    )
    checkout = started.json()["redirect"]
    assert EVIL not in checkout

    with django_capture_on_commit_callbacks(execute=True):
        paid = client.post(checkout, {"outcome": "pay"}, **ON_EVIL)

    assert paid.status_code == 303
    assert Donation.objects.get().gift_id is not None
    (mail,) = mailoutbox
    urls = assert_links_on_site_url(mail)
    assert any("/donate/manage/" in url for url in urls)


# --- Wagtail's own mails ------------------------------------------------------------


def test_admin_password_reset(client, django_user_model, mailoutbox):
    django_user_model.objects.create_user(
        "chief", email="chief@example.org", password="a-long-pass-phrase", is_staff=True
    )

    response = client.post(
        reverse("wagtailadmin_password_reset"),
        {"email": "chief@example.org"},
        **ON_EVIL,
    )

    assert response.status_code == 302
    (mail,) = mailoutbox
    urls = assert_links_on_site_url(mail)
    assert any("/admin/password_reset/confirm/" in url for url in urls)


def test_workflow_notifications(
    article, writer, editor, django_user_model, mailoutbox, settings
):
    settings.WAGTAILADMIN_NOTIFICATION_USE_HTML = True  # both parts get read
    django_user_model.objects.create_superuser(
        "chief", email="chief@example.org", password="a-long-pass-phrase"
    )
    draft = article.save_revision(user=writer)
    assert draft

    workflow_state = article.get_workflow().start(article, writer)
    workflow_state.current_task_state.task.on_action(
        workflow_state.current_task_state, editor, "reject"
    )

    recipients = sorted(mail.to[0] for mail in mailoutbox)
    assert editor.email in recipients and "chief@example.org" in recipients
    assert writer.email in recipients  # told of the rejection
    for mail in mailoutbox:
        urls = assert_links_on_site_url(mail)
        assert any("/admin/pages/" in url for url in urls)
