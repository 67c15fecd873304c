from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from masthead.newsletter import issues, sending, services
from masthead.newsletter.choices import (
    DeliveryStatus,
    IssueStatus,
    SubscriberStatus,
)
from masthead.newsletter.exceptions import NotSendable
from masthead.newsletter.models import Delivery, Issue, Subscriber
from masthead.newsletter.smtp import ClaimLost
from masthead.newsletter.tests.fixtures import confirmed_subscribers
from masthead.newsletter.tests.smtp_sink import free_port, running_sink

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(daily_list, article):
    """An issue queued for 10 confirmed subscribers of the daily list."""
    confirmed_subscribers(daily_list, 10)
    issue = issues.create_edition(daily_list)
    sending.start_sending(issue)
    return issue


def _statuses(issue) -> dict[str, int]:
    rows = Delivery.objects.filter(issue=issue).values_list("status", flat=True)
    return {status: list(rows).count(status) for status in set(rows)}


def test_start_sending_queues_only_confirmed_members_of_the_list(
    daily_list, breaking_list, article
):
    confirmed_subscribers(daily_list, 3, prefix="daily")
    confirmed_subscribers(breaking_list, 2, prefix="breaking")
    Subscriber.objects.filter(email="daily0@example.org").update(
        status=SubscriberStatus.UNSUBSCRIBED
    )
    issue = issues.create_edition(daily_list)

    assert sending.start_sending(issue) == 2
    assert sending.start_sending(issue) == 2  # idempotent
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENDING and issue.total == 2
    assert set(Delivery.objects.values_list("subscriber__email", flat=True)) == {
        "daily1@example.org",
        "daily2@example.org",
    }


def test_an_empty_or_sent_issue_cannot_be_sent(daily_list, queued):
    empty = Issue.objects.create(newsletter_list=daily_list, subject="Nothing")
    with pytest.raises(NotSendable, match="at least one story"):
        sending.start_sending(empty)
    Issue.objects.filter(pk=queued.pk).update(status=IssueStatus.SENT)
    with pytest.raises(NotSendable, match="already been sent"):
        sending.start_sending(queued)


def test_two_senders_claim_disjoint_batches(queued):
    with override_settings(MASTHEAD_NEWSLETTER_BATCH_SIZE=4):
        first = sending.claim_batch(queued.pk, "a")
        second = sending.claim_batch(queued.pk, "b")
    ids_a = {row.delivery_id for row in first}
    ids_b = {row.delivery_id for row in second}
    assert len(ids_a) == len(ids_b) == 4
    assert not ids_a & ids_b


def test_claims_of_a_dead_sender_are_taken_over_after_the_lease(queued):
    now = timezone.now()
    taken = sending.claim_batch(queued.pk, "dead", now=now)
    assert len(taken) == 10
    assert (
        sending.claim_batch(queued.pk, "alive", now=now + timedelta(seconds=60)) == []
    )

    later = now + timedelta(seconds=121)
    again = sending.claim_batch(queued.pk, "alive", now=later)
    assert {r.delivery_id for r in again} == {r.delivery_id for r in taken}


def test_a_sender_whose_claim_was_taken_over_does_not_send_its_copy(queued):
    now = timezone.now()
    stale = sending.claim_batch(queued.pk, "slow", now=now - timedelta(hours=1))
    sending.claim_batch(queued.pk, "fast", now=now)
    row = stale[0]
    rendered = sending.emails.render_issue(queued)
    with running_sink() as sink, override_settings(**sink.settings()):
        connection = sending.mail_connection()
        message = rendered.message_for(row.subscriber_id, row.key, row.email)
        with pytest.raises(ClaimLost):
            sending.deliver(
                connection, message, lambda: sending._mark_sent(row.delivery_id, "slow")
            )
        assert connection.connection is None  # dropped mid-DATA, not QUIT
    # The server threw the unfinished message away.
    assert sink.messages == []
    assert Delivery.objects.get(pk=row.delivery_id).status == DeliveryStatus.CLAIMED


def test_every_subscriber_gets_exactly_one_copy_from_several_senders(queued):
    with (
        running_sink() as sink,
        override_settings(**sink.settings(), MASTHEAD_NEWSLETTER_BATCH_SIZE=3),
    ):
        # Interleave two senders batch by batch.
        reports = []

        def other_sender(report):
            reports.append(sending.claim_batch(queued.pk, "other"))

        sending.send_issue(queued.pk, sender_id="one", on_batch=other_sender)
        for batch in reports:
            for row in batch:
                sending._mark_sent(row.delivery_id, "other")  # pretend it sent
        sending.send_issue(queued.pk, sender_id="two")
    recipients = [m["To"] for m in sink.messages]
    assert len(recipients) == len(set(recipients))
    other = sum(len(b) for b in reports)
    assert len(recipients) + other == 10
    queued.refresh_from_db()
    assert queued.status == IssueStatus.SENT


def test_a_refused_recipient_fails_and_is_suppressed_while_the_rest_go_out(
    daily_list, article
):
    confirmed_subscribers(daily_list, 3)
    confirmed_subscribers(daily_list, 1, prefix="bounce")
    issue = issues.create_edition(daily_list)
    sending.start_sending(issue)
    with running_sink() as sink, override_settings(**sink.settings()):
        report = sending.send_issue(issue.pk)

    assert (report.sent, report.failed, report.finished) == (3, 1, True)
    assert len(sink.messages) == 3
    bounced = Subscriber.objects.get(email__startswith="bounce")
    assert bounced.status == SubscriberStatus.SUPPRESSED
    assert services.is_suppressed(bounced.email)
    assert _statuses(issue) == {DeliveryStatus.SENT: 3, DeliveryStatus.FAILED: 1}


def test_an_unreachable_mail_server_loses_nothing_and_a_later_sender_finishes(
    queued, monkeypatch
):
    monkeypatch.setattr(sending, "RETRY_PAUSE", (0.01, 0.02))
    closed_port = free_port()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=closed_port,
        EMAIL_TIMEOUT=2,
    ):
        report = sending.send_issue(queued.pk)
    assert report.sent == 0 and not report.finished and report.errors
    assert _statuses(queued) == {DeliveryStatus.QUEUED: 10}
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {0}

    with running_sink() as sink, override_settings(**sink.settings()):
        report = sending.send_issue(queued.pk)
    assert report.sent == 10 and report.finished
    assert len(sink.messages) == 10


def test_subscribers_who_leave_after_queueing_are_skipped(queued):
    leaver = Subscriber.objects.order_by("pk").first()
    Subscriber.objects.filter(pk=leaver.pk).update(status=SubscriberStatus.UNSUBSCRIBED)

    report = sending.send_issue(queued.pk)

    assert report.sent == 9
    assert leaver.email not in [m.to[0] for m in mail.outbox]
    assert _statuses(queued) == {DeliveryStatus.SENT: 9, DeliveryStatus.SKIPPED: 1}


def test_a_backend_without_commit_point_marks_before_and_undoes_on_failure(
    queued, monkeypatch
):
    from django.core.mail.backends.locmem import EmailBackend

    calls = []

    def failing(self, messages):
        calls.append(Delivery.objects.filter(status=DeliveryStatus.SENT).count())
        raise ConnectionResetError("ESP went away")

    monkeypatch.setattr(EmailBackend, "send_messages", failing)
    monkeypatch.setattr(sending, "RETRY_PAUSE", (0.01, 0.02))
    report = sending.send_issue(queued.pk)

    assert calls and calls[0] == 1  # marked sent before the hand-over
    assert report.sent == 0
    assert _statuses(queued) == {DeliveryStatus.QUEUED: 10}


def test_a_finished_issue_is_marked_sent_once(queued):
    sending.send_issue(queued.pk)
    queued.refresh_from_db()
    finished = queued.finished_at
    assert queued.status == IssueStatus.SENT
    assert sending.finish_if_done(queued.pk)
    queued.refresh_from_db()
    assert queued.finished_at == finished
    assert len(mail.outbox) == 10


def test_a_sending_issue_with_a_silent_sender_is_resumed(queued):
    now = timezone.now()
    assert sending.issues_needing_a_sender(now) == []
    assert sending.issues_needing_a_sender(now + timedelta(minutes=5)) == [queued.pk]


def test_each_copy_has_its_own_unsubscribe_link_and_a_stable_message_id(queued):
    sending.send_issue(queued.pk)
    keys = dict(Subscriber.objects.values_list("email", "key"))
    for message in mail.outbox:
        key = keys[message.to[0]]
        assert (
            f"/newsletter/unsubscribe/{key}/daily/"
            in message.extra_headers["List-Unsubscribe"]
        )
        assert f"/newsletter/preferences/{key}/" in message.body
        assert message.extra_headers["Message-ID"].startswith(f"<issue-{queued.pk}.")
    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == 10


def test_the_outbox_gets_one_file_per_sender_not_per_mail(queued, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path
    report = sending.send_issue(queued.pk)
    assert report.sent == 10
    (outbox_file,) = tmp_path.iterdir()
    assert outbox_file.read_text().count("List-Unsubscribe-Post") == 10


def test_the_smtp_connection_sends_small_writes_at_once(queued):
    # The final dot is its own write; waiting on Nagle and delayed ACKs cost
    # 40 ms a mail (22 mails/s) before TCP_NODELAY.
    import socket

    row = sending.claim_batch(queued.pk, "me")[0]
    rendered = sending.emails.render_issue(queued)
    with running_sink() as sink, override_settings(**sink.settings()):
        connection = sending.mail_connection()
        message = rendered.message_for(row.subscriber_id, row.key, row.email)
        sending.deliver(
            connection, message, lambda: sending._mark_sent(row.delivery_id, "me")
        )
        sock = connection.connection.sock
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        connection.close()
    assert len(sink.messages) == 1


def test_a_stopped_sender_finishes_its_message_and_frees_the_rest(queued):
    report = sending.send_issue(queued.pk, stop=lambda: len(mail.outbox) >= 3)

    assert report.sent == 3 and not report.finished
    assert _statuses(queued) == {DeliveryStatus.SENT: 3, DeliveryStatus.QUEUED: 7}
