"""`manage.py masthead_send_issue` against a real SMTP server in a thread."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.db import connections
from django.test import override_settings
from django.utils import timezone

from masthead.newsletter import sending
from masthead.newsletter.choices import DeliveryStatus, IssueStatus, SubscriberStatus
from masthead.newsletter.models import (
    Delivery,
    Issue,
    Subscriber,
    Suppression,
    email_hash,
)
from masthead.newsletter.tests.fixtures import confirmed_subscribers
from masthead.newsletter.tests.smtp_sink import free_port, running_sink

pytestmark = pytest.mark.django_db


def send(issue_id, *args):
    out, err = StringIO(), StringIO()
    call_command("masthead_send_issue", str(issue_id), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def recipients(sink) -> list[str]:
    return sorted(message["To"] for message in sink.messages)


def test_the_command_sends_a_draft_to_every_subscriber_and_sums_up(
    daily_list, subscriber, edition
):
    confirmed_subscribers(daily_list, 11)
    with running_sink() as sink, override_settings(**sink.settings()):
        out, err = send(edition.pk)

    assert len(sink.messages) == 12
    assert len(set(recipients(sink))) == 12
    assert f'Issue {edition.pk} "{edition.subject}" started.' in out
    assert "This run: 12 sent, 0 failed, 0 skipped, 0 to retry, in " in out
    assert (
        f"Issue {edition.pk}: 12 of 12 done (12 sent, 0 failed, 0 skipped); sent."
        in out
    )
    assert "mails/s" in out
    assert "12/12" in err  # the progress bar reached the end
    edition.refresh_from_db()
    assert edition.status == IssueStatus.SENT
    assert not Delivery.objects.exclude(status=DeliveryStatus.SENT).exists()


def test_no_progress_keeps_stderr_quiet(daily_list, subscriber, edition):
    with running_sink() as sink, override_settings(**sink.settings()):
        out, err = send(edition.pk, "--no-progress")
    assert len(sink.messages) == 1
    assert "1 of 1 done" in out
    assert err == ""


def test_a_half_sent_issue_resumes_without_sending_anything_twice(
    daily_list, subscriber, edition
):
    confirmed_subscribers(daily_list, 9)
    sending.start_sending(edition)
    done = list(Delivery.objects.order_by("pk")[:4])
    Delivery.objects.filter(pk__in=[d.pk for d in done]).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now()
    )
    with running_sink() as sink, override_settings(**sink.settings()):
        out, err = send(edition.pk)

    already = {d.subscriber.email for d in done}
    assert len(sink.messages) == 6
    assert not already & set(recipients(sink))
    assert "started." not in out
    assert "This run: 6 sent" in out
    assert "10 of 10 done (10 sent, 0 failed, 0 skipped); sent." in out
    assert " 4/10 " in err  # the bar starts at the deliveries already done


def test_rows_of_a_dead_sender_wait_for_their_claim_to_expire(
    daily_list, subscriber, edition
):
    confirmed_subscribers(daily_list, 5)
    sending.start_sending(edition)
    dead = Delivery.objects.order_by("pk")[:2].values_list("pk", flat=True)
    Delivery.objects.filter(pk__in=list(dead)).update(
        status=DeliveryStatus.CLAIMED,
        claimed_by="dead-sender",
        claimed_at=timezone.now() - timedelta(seconds=30),
    )
    with running_sink() as sink, override_settings(**sink.settings()):
        # The default claim (120 s) has not expired: a live sender may hold them.
        out, _ = send(edition.pk, "--no-progress")
        assert len(sink.messages) == 4
        assert "4 of 6 done" in out
        assert "still sending, 2 waiting" in out
        assert "Another sender holds the waiting rows" in out

        out, _ = send(edition.pk, "--no-progress", "--claim-seconds", "10")

    assert len(sink.messages) == 6
    assert len(set(recipients(sink))) == 6
    assert "This run: 2 sent" in out
    assert "6 of 6 done (6 sent, 0 failed, 0 skipped); sent." in out


def test_a_refused_address_is_counted_as_failed_and_suppressed(
    daily_list, subscriber, edition
):
    confirmed_subscribers(daily_list, 2, prefix="bounce")
    with running_sink() as sink, override_settings(**sink.settings()):
        out, _ = send(edition.pk, "--no-progress")
    assert recipients(sink) == [subscriber.email]
    assert "This run: 1 sent, 2 failed" in out
    assert "3 of 3 done (1 sent, 2 failed, 0 skipped); sent." in out
    assert Suppression.objects.filter(email_hash=email_hash("bounce1@example.org"))


def test_readers_who_left_after_the_start_are_skipped(daily_list, subscriber, edition):
    from masthead.newsletter.services import unsubscribe

    others = list(confirmed_subscribers(daily_list, 3).exclude(pk=subscriber.pk))
    sending.start_sending(edition)
    unsubscribe(others[0])  # skips its queued delivery at once
    # A status changed behind the services' back is caught when the row is claimed.
    Subscriber.objects.filter(pk=others[1].pk).update(
        status=SubscriberStatus.UNSUBSCRIBED
    )
    with running_sink() as sink, override_settings(**sink.settings()):
        out, _ = send(edition.pk, "--no-progress")
    assert recipients(sink) == sorted([subscriber.email, others[2].email])
    assert "This run: 2 sent, 0 failed, 1 skipped" in out
    assert "4 of 4 done (2 sent, 0 failed, 2 skipped); sent." in out


def test_a_mail_server_that_stays_down_fails_the_run_and_loses_nothing(
    daily_list, subscriber, edition, monkeypatch
):
    confirmed_subscribers(daily_list, 4)
    monkeypatch.setattr(sending, "RETRY_PAUSE", (0.01, 0.02))
    with running_sink() as sink:
        down = {**sink.settings(), "EMAIL_PORT": free_port()}  # nothing listens
        with override_settings(**down):
            with pytest.raises(CommandError, match="The mail server kept failing"):
                send(edition.pk, "--no-progress")
        assert Delivery.objects.filter(status=DeliveryStatus.QUEUED).count() == 5
        edition.refresh_from_db()
        assert edition.status == IssueStatus.SENDING

        with override_settings(**sink.settings()):
            out, _ = send(edition.pk, "--no-progress")
    assert len(sink.messages) == 5
    assert "5 of 5 done (5 sent, 0 failed, 0 skipped); sent." in out


def run_from_command_line(monkeypatch, *argv) -> int:
    """The exit status `manage.py masthead_send_issue ...` would end with."""
    # run_from_argv closes every connection when done, the test's own included.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    with pytest.raises(SystemExit) as exit:
        ManagementUtility(["manage.py", "masthead_send_issue", *argv]).execute()
    return exit.value.code


def test_a_sent_issue_is_refused_with_exit_status_1(
    daily_list, subscriber, edition, capsys, monkeypatch
):
    Issue.objects.filter(pk=edition.pk).update(status=IssueStatus.SENT, total=1)
    with pytest.raises(CommandError, match="was already sent"):
        send(edition.pk)

    with running_sink() as sink, override_settings(**sink.settings()):
        assert run_from_command_line(monkeypatch, str(edition.pk)) == 1
    assert "already sent" in capsys.readouterr().err
    assert sink.messages == []
    assert not Delivery.objects.exists()


def test_an_unknown_issue_is_refused_with_exit_status_1(db, capsys, monkeypatch):
    with pytest.raises(CommandError, match="There is no newsletter issue 9999"):
        send(9999)
    assert run_from_command_line(monkeypatch, "9999") == 1
    assert "There is no newsletter issue 9999." in capsys.readouterr().err


def test_an_empty_issue_is_refused_and_stays_a_draft(daily_list, subscriber):
    empty = Issue.objects.create(newsletter_list=daily_list, subject="Nothing")
    with pytest.raises(CommandError, match="at least one story or an intro"):
        send(empty.pk)
    empty.refresh_from_db()
    assert empty.status == IssueStatus.DRAFT
    assert not Delivery.objects.exists()


def test_a_claim_of_zero_seconds_is_refused_before_anything_starts(edition):
    with pytest.raises(CommandError, match="--claim-seconds must be more than 0"):
        send(edition.pk, "--claim-seconds", "0")
    edition.refresh_from_db()
    assert edition.status == IssueStatus.DRAFT
