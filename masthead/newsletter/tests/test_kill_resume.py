"""Exactly once, with real processes: senders killed mid-issue, or two at once.

The SMTP sink runs as its own process and logs each mail it accepted, so what
arrived is counted outside the processes under test. Each sender is
`manage.py masthead_send_issue` against the test database (a file, see
settings/test.py).
"""

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from masthead.newsletter.choices import DeliveryStatus, IssueStatus
from masthead.newsletter.issues import create_edition
from masthead.newsletter.models import Delivery, Issue
from masthead.newsletter.tests.fixtures import confirmed_subscribers, make_list
from tests.processes import ROOT, child_env, clean_env, free_port

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SUBSCRIBERS = 3_000
SEND_TIMEOUT = 180  # seconds; 3,000 mails take about ten


@dataclass
class Sink:
    port: int
    log: Path

    def lines(self) -> list[str]:
        """Complete log lines: "recipient<TAB>Message-ID" per accepted mail."""
        if not self.log.exists():
            return []
        text = self.log.read_text()
        return text[: text.rfind("\n") + 1].splitlines()

    def wait_for(self, count: int, sender: subprocess.Popen, timeout=60.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            seen = len(self.lines())
            if seen >= count:
                return seen
            if sender.poll() is not None:
                pytest.fail(f"the sender exited early: {sender.communicate()}")
            time.sleep(0.01)
        pytest.fail(f"only {len(self.lines())} mails arrived in {timeout:g} s")


@contextmanager
def sink_process(tmp_path: Path):
    port = free_port()
    log = tmp_path / "sink.log"
    process = subprocess.Popen(  # noqa: S603 - our own arguments, no shell
        [
            sys.executable,
            "-m",
            "masthead.newsletter.tests.smtp_sink",
            "--port",
            str(port),
            "--log",
            str(log),
        ],
        cwd=ROOT,
        env=clean_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for_port(port, process)
        yield Sink(port, log)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_for_port(port: int, process: subprocess.Popen, timeout=20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the SMTP sink exited: {process.stderr.read()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"the SMTP sink did not listen on {port} in {timeout:g} s")


@contextmanager
def senders():
    """Start sender processes; whatever is still running at the end is killed."""
    started = []

    def start(issue: Issue, sink: Sink, *args: str) -> subprocess.Popen:
        process = subprocess.Popen(  # noqa: S603 - our own arguments, no shell
            [
                sys.executable,
                "manage.py",
                "masthead_send_issue",
                str(issue.pk),
                "--no-progress",
                *args,
            ],
            cwd=ROOT,
            env=child_env(EMAIL_URL=f"smtp://127.0.0.1:{sink.port}"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        return process

    try:
        yield start
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


def kill(process: subprocess.Popen, issue: Issue, sink: Sink) -> None:
    """SIGKILL the sender, but not inside the one window sending.py documents.

    Between the committed "sent" mark and the final dot's write there is a
    window no SMTP sender can close (on PostgreSQL it spans the commit's round
    trip): a kill there loses that one mail. So the sender is frozen first, at
    a random point; if the database then counts one more sent row than the sink
    received, it stopped inside the window and is let go and frozen again a
    moment later. Every other point, the mid-body write and the claim
    included, is a real kill that must lose and double nothing.
    """
    for _ in range(100):
        os.kill(process.pid, signal.SIGSTOP)
        # Bytes already written still reach the sink while the sender is frozen.
        time.sleep(0.3)
        sent = Delivery.objects.filter(issue=issue, status=DeliveryStatus.SENT)
        if sent.count() == len(sink.lines()):
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
            assert process.returncode == -signal.SIGKILL
            return
        os.kill(process.pid, signal.SIGCONT)
        time.sleep(0.003)
    pytest.fail("the sender was inside the commit-to-dot window 100 times")


def finish(process: subprocess.Popen) -> str:
    out, err = process.communicate(timeout=SEND_TIMEOUT)
    assert process.returncode == 0, err
    return out


@pytest.fixture
def big_issue(article):
    newsletter_list = make_list("Morning", "morning")
    confirmed_subscribers(newsletter_list, SUBSCRIBERS, prefix="kill")
    issue = create_edition(newsletter_list)
    assert issue.stories.filter(page=article).exists()
    return issue


def assert_each_subscriber_got_one_mail(sink: Sink, issue: Issue) -> None:
    lines = sink.lines()
    recipients = Counter(line.split("\t")[0] for line in lines)
    doubled = [address for address, n in recipients.items() if n > 1]
    assert not doubled, f"mailed twice: {doubled[:10]}"
    subscribers = set(issue.newsletter_list.subscribers.values_list("email", flat=True))
    assert len(subscribers) == SUBSCRIBERS
    missing = subscribers - set(recipients)
    assert not missing, f"{len(missing)} never mailed: {sorted(missing)[:10]}"
    assert len(lines) == SUBSCRIBERS
    # Each mail carries its delivery's own Message-ID.
    assert len({line.split("\t")[1] for line in lines}) == SUBSCRIBERS
    statuses = Counter(
        Delivery.objects.filter(issue=issue).values_list("status", flat=True)
    )
    assert statuses == {DeliveryStatus.SENT: SUBSCRIBERS}
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT
    assert issue.finished_at is not None


def waiting(issue: Issue) -> int:
    return Delivery.objects.filter(
        issue=issue, status__in=[DeliveryStatus.QUEUED, DeliveryStatus.CLAIMED]
    ).count()


def test_a_sender_killed_twice_is_resumed_without_a_lost_or_doubled_mail(
    big_issue, tmp_path
):
    with sink_process(tmp_path) as sink, senders() as start:
        first = start(big_issue, sink, "--claim-seconds", "1")
        sink.wait_for(400, first)
        kill(first, big_issue, sink)
        after_first = len(sink.lines())
        assert after_first < SUBSCRIBERS
        assert waiting(big_issue) == SUBSCRIBERS - after_first

        second = start(big_issue, sink, "--claim-seconds", "1")
        sink.wait_for(after_first + 800, second)
        kill(second, big_issue, sink)
        after_second = len(sink.lines())
        assert after_second < SUBSCRIBERS
        big_issue.refresh_from_db()
        assert big_issue.status == IssueStatus.SENDING

        out = finish(start(big_issue, sink, "--claim-seconds", "1"))

    assert f"This run: {SUBSCRIBERS - after_second} sent, 0 failed" in out
    assert f"{SUBSCRIBERS} of {SUBSCRIBERS} done" in out
    assert_each_subscriber_got_one_mail(sink, big_issue)


def test_ctrl_c_stops_after_the_mail_in_hand_and_the_next_run_resumes_at_once(
    big_issue, tmp_path
):
    with sink_process(tmp_path) as sink, senders() as start:
        first = start(big_issue, sink)
        sink.wait_for(300, first)
        first.send_signal(signal.SIGINT)
        out, err = first.communicate(timeout=30)
        assert first.returncode == 130, err
        assert "Interrupted: run the command again to send the rest." in err
        assert "still sending" in out
        # Nothing is left claimed, so the next run need not wait for claims
        # (120 s by default) to expire.
        assert not Delivery.objects.filter(status=DeliveryStatus.CLAIMED).exists()
        stopped_at = len(sink.lines())
        assert stopped_at < SUBSCRIBERS

        out = finish(start(big_issue, sink))

    assert f"This run: {SUBSCRIBERS - stopped_at} sent" in out
    assert_each_subscriber_got_one_mail(sink, big_issue)


def test_two_senders_at_once_deliver_each_mail_once(big_issue, tmp_path):
    with sink_process(tmp_path) as sink, senders() as start:
        pair = [start(big_issue, sink), start(big_issue, sink)]
        outputs = [finish(process) for process in pair]

    counts = []
    for out in outputs:
        line = next(li for li in out.splitlines() if li.startswith("This run: "))
        counts.append(int(line.split()[2]))
    assert sum(counts) == SUBSCRIBERS
    assert min(counts) > 0, f"one sender did all the work: {counts}"
    assert_each_subscriber_got_one_mail(sink, big_issue)


def _manage(*args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own arguments, no shell
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=child_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _run(code: str, **env: str) -> str:
    out, err = _manage("shell", "-c", code, **env).communicate(timeout=60)
    assert not err.strip() or "Traceback" not in err, err
    return out


def test_a_killed_task_worker_is_replaced_and_the_dispatcher_resumes_the_issue(
    big_issue, tmp_path
):
    """The production path: send_issue_task in `db_worker`, killed mid-issue;
    the scheduler's dispatcher notices the silent sender and a new worker
    finishes the issue."""
    with sink_process(tmp_path) as sink:
        env = {
            "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
            "MASTHEAD_NEWSLETTER_CLAIM_SECONDS": "2",
        }
        worker_args = ("db_worker", "--no-reload", "--no-startup-delay")
        _run(
            "from masthead.newsletter import issues, models; "
            f"issues.send_now(models.Issue.objects.get(pk={big_issue.pk}))",
            **env,
        )
        worker = _manage(*worker_args, "--interval", "0.1", **env)
        try:
            sink.wait_for(400, worker)
            kill(worker, big_issue, sink)
            stopped_at = len(sink.lines())
            assert stopped_at < SUBSCRIBERS
            big_issue.refresh_from_db()
            assert big_issue.status == IssueStatus.SENDING

            # Once the dead sender's heartbeat is older than the claim time
            # (2 s here), the scheduler's dispatch job starts a new sender.
            time.sleep(3)
            out = _run(
                "from masthead.newsletter.issues import dispatch; print(dispatch())",
                **env,
            )
            assert f"'resumed': [{big_issue.pk}]" in out
            worker = _manage(*worker_args, "--interval", "0.1", **env)
            deadline = time.monotonic() + SEND_TIMEOUT
            while waiting(big_issue) and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(1)  # the issue is marked sent after the last row
        finally:
            if worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=15)

    assert_each_subscriber_got_one_mail(sink, big_issue)
