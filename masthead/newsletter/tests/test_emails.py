import re

import pytest

from masthead.core.links import page_url
from masthead.news.tests.factories import ArticlePageFactory
from masthead.newsletter import emails, issues
from masthead.newsletter.emails import rich_text_to_plain

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue(daily_list, article):
    edition = issues.create_edition(daily_list)
    edition.intro = (
        '<p>Good <b>morning</b>. Read <a href="https://example.org/x">this</a>.</p>'
    )
    edition.save()
    return edition


def _copy(issue, key="k3y"):
    return emails.render_issue(issue).message_for(7, key, "ana@example.org")


def test_the_html_part_has_inlined_css_and_keeps_only_the_dark_mode_rules(issue):
    html = _copy(issue).alternatives[0].content
    assert 'style="' in html
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert len(styles) == 1
    assert "prefers-color-scheme: dark" in styles[0]
    # Plain selectors were moved onto the elements; only the media query stays.
    assert ".headline {" not in styles[0].split("@media")[0]
    assert '<meta name="color-scheme" content="light dark">' in html


def test_the_mail_carries_stories_intro_and_both_parts(issue, article):
    message = _copy(issue)
    html = message.alternatives[0].content
    url = page_url(article)
    assert article.title in html and article.standfirst in html
    assert f'href="{url}"' in html  # our own link, not rewritten for tracking
    assert "<img" not in html  # no tracking pixel
    assert article.title in message.body and url in message.body
    assert "Good morning. Read this (https://example.org/x)." in message.body
    assert message.subject == issue.subject


def test_each_copy_has_its_own_links_and_one_click_unsubscribe_headers(issue):
    message = _copy(issue, key="abc")
    headers = message.extra_headers
    assert headers["List-Unsubscribe"].endswith(
        f"/newsletter/unsubscribe/abc/daily/{issue.pk}/>"
    )
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["List-Id"].startswith("Daily digest <daily.")
    assert "/newsletter/preferences/abc/" in message.body
    assert "/newsletter/preferences/abc/" in message.alternatives[0].content
    assert emails.KEY_SLOT not in str(message.message())


def test_story_titles_are_escaped_in_html(daily_list, section):
    ArticlePageFactory(parent=section, title='<script>alert("x")</script> & more')
    html = _copy(issues.create_edition(daily_list)).alternatives[0].content
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


def test_links_are_built_on_the_site_url_not_a_request(issue, settings):
    settings.SITE_URL = "https://news.example.net"
    message = _copy(issue)
    assert "https://news.example.net/newsletter/preferences/" in message.body


def test_a_test_copy_is_marked_and_has_its_own_message_id(issue):
    first = emails.test_email(issue, "editor@example.org")
    second = emails.test_email(issue, "editor@example.org")
    assert first.subject.startswith("[Test] ")
    assert first.to == ["editor@example.org"]
    assert first.extra_headers["Message-ID"] != second.extra_headers["Message-ID"]


def test_the_confirmation_mail_has_the_link_and_says_what_was_asked(
    daily_list, breaking_list, mailoutbox
):
    from masthead.newsletter.services import signup

    signup("ana@example.org", [daily_list.pk, breaking_list.pk])
    (mail,) = mailoutbox
    html = mail.alternatives[0].content
    assert "/newsletter/confirm/" in mail.body
    assert "Daily digest" in html and "Breaking news" in html
    assert mail.extra_headers["Auto-Submitted"] == "auto-generated"
    assert 'style="' in html


def test_rich_text_as_plain_text():
    assert rich_text_to_plain("<p>One &amp; two</p><p>Three<br>four</p>") == (
        "One & two\n\nThree\n\nfour"
    )
    assert rich_text_to_plain(
        '<p><a href="https://a.example/?x=1&amp;y=2">A</a></p>'
    ) == ("A (https://a.example/?x=1&y=2)")
