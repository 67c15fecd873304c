"""The optional Akismet-compatible check, against a local fake of the service."""

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs

import pytest
from django.core.checks import run_checks

from masthead.comments.choices import CommentStatus
from masthead.comments.tests.fixtures import post_comment

pytestmark = pytest.mark.django_db


class FakeAkismet(BaseHTTPRequestHandler):
    answer = b"false"
    received: list[dict] = []

    def do_POST(self):  # noqa: N802 (http.server API)
        length = int(self.headers["Content-Length"])
        self.received.append(parse_qs(self.rfile.read(length).decode()))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(self.answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def akismet(settings):
    server = HTTPServer(("127.0.0.1", 0), FakeAkismet)
    FakeAkismet.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.MASTHEAD_COMMENTS_AKISMET_KEY = "k123"
    settings.MASTHEAD_COMMENTS_AKISMET_URL = (
        f"http://127.0.0.1:{server.server_port}/1.1/comment-check?key={{key}}"
    )
    yield FakeAkismet
    server.shutdown()
    server.server_close()


def test_no_key_means_no_request(article, publish_at_once, settings):
    settings.MASTHEAD_COMMENTS_AKISMET_KEY = ""
    assert post_comment(article).status == CommentStatus.APPROVED


def test_the_service_saying_spam_sends_the_comment_to_spam(
    article, publish_at_once, akismet
):
    akismet.answer = b"true"
    comment = post_comment(article, "Buy now", ip="198.51.100.7")
    assert comment.status == CommentStatus.SPAM
    [sent] = akismet.received
    assert sent["comment_content"] == ["Buy now"]
    assert sent["user_ip"] == ["198.51.100.7"] and sent["api_key"] == ["k123"]


def test_the_service_saying_ham_lets_the_usual_rules_apply(
    article, publish_at_once, akismet
):
    akismet.answer = b"false"
    assert post_comment(article).status == CommentStatus.APPROVED


def test_an_unreachable_service_loses_no_comment(article, publish_at_once, settings):
    settings.MASTHEAD_COMMENTS_AKISMET_KEY = "k123"
    settings.MASTHEAD_COMMENTS_AKISMET_URL = "http://127.0.0.1:9/nothing-listens-here"
    assert post_comment(article).status == CommentStatus.APPROVED


def test_misconfiguration_is_reported_by_system_checks(settings):
    settings.MASTHEAD_COMMENTS_MAX_DEPTH = 0
    settings.MASTHEAD_COMMENTS_RATE_PER_IP = (5,)
    settings.MASTHEAD_COMMENTS_AKISMET_KEY = "k"
    settings.MASTHEAD_COMMENTS_AKISMET_URL = "ftp://example.org"
    ids = {error.id for error in run_checks()}
    assert {"comments.E001", "comments.E002", "comments.E003"} <= ids


def test_notify_me_of_replies_asks_for_confirmation_by_mail(
    article, publish_at_once, mailoutbox
):
    post_comment(article, "Keep me posted.", email="k@example.org", notify_replies=True)
    [mail] = mailoutbox
    assert mail.to == ["k@example.org"] and "confirm" in mail.body.lower()


def test_a_service_url_that_is_not_http_is_never_opened(
    article, publish_at_once, settings, tmp_path
):
    # urlopen reads file: URLs too: this one would answer "spam" if it were opened.
    answer = tmp_path / "answer"
    answer.write_text("true")
    settings.MASTHEAD_COMMENTS_AKISMET_KEY = "k123"
    settings.MASTHEAD_COMMENTS_AKISMET_URL = answer.as_uri()
    assert post_comment(article).status == CommentStatus.APPROVED
