"""Newsletter sending: mails per second through a real SMTP server, exactly once.

For each mode (embedded SQLite, PostgreSQL + Redis): the run's shared site, 100,000
confirmed subscribers made in bulk (BENCH_QUICK: 3,000), one issue with a few
stories, the SMTP sink as its own process logging each mail it accepted, and
`manage.py masthead_send_issue` sending the issue. The rate runs from the
issue's start (queueing every delivery row) to its finish, as the database
records them; the sink's log must then hold every subscriber exactly once.

One sender process by default (BENCH_NEWSLETTER_SENDERS overrides it). The
sink runs on the same two cores, and on SQLite every "sent" mark waits for the
one write lock, so a second sender mostly competes for CPU: with 10,000 mails
(and TCP_NODELAY on the SMTP socket) SQLite gave 667/s with one sender and
622/s with two, PostgreSQL 461/s and 492/s.

`python -m bench.newsletter` runs this scenario alone and saves
results/newsletter.json.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .plan import Plan
from .report import Row, against_target, error_row, out, run_alone
from .servers import free_port
from .sites import ROOT, Site, shared, tear_down_shared

TARGET_PER_SECOND = 300
SEND_LIMIT_SECONDS = 15 * 60
SENDERS = int(os.environ.get("BENCH_NEWSLETTER_SENDERS", "1"))
STORIES = 5
# BENCH_NEWSLETTER_MODES=sqlite runs one mode only, when trying things out.
MODES = os.environ.get("BENCH_NEWSLETTER_MODES", "sqlite,postgres").split(",")

SETUP = """
from masthead.news.models import ArticlePage
from masthead.newsletter.issues import fill_stories
from masthead.newsletter.models import Issue
from masthead.newsletter.tests.fixtures import confirmed_subscribers, make_list

newsletter_list = make_list("Bench daily", "bench-daily")
confirmed_subscribers(newsletter_list, {count}, prefix="bench")
issue = Issue.objects.create(newsletter_list=newsletter_list, subject="Bench issue")
fill_stories(issue, ArticlePage.objects.live().order_by("-pk")[:{stories}])
print("issue", issue.pk, issue.stories.count())
"""

OUTCOME = """
import json
from django.db.models import Count
from masthead.newsletter.models import Delivery, Issue

issue = Issue.objects.get(pk={issue_id})
statuses = dict(
    Delivery.objects.filter(issue=issue)
    .values_list("status")
    .annotate(n=Count("pk"))
)
seconds = None
if issue.started_at and issue.finished_at:
    seconds = (issue.finished_at - issue.started_at).total_seconds()
print(json.dumps({{"status": issue.status, "seconds": seconds, "rows": statuses}}))
"""


def subscriber_count(plan: Plan) -> int:
    default = 3_000 if plan.quick else 100_000
    return int(os.environ.get("BENCH_NEWSLETTER_SUBSCRIBERS", default))


def run(plan: Plan) -> list[Row]:
    rows = []
    for name in ("sqlite", "postgres"):
        if name not in MODES:
            continue
        try:
            rows += measure(shared(plan.workdir, name, plan.articles), plan)
        except Exception as error:
            rows.append(error_row(f"newsletter mails/s, {name}", error))
    return rows


@dataclass
class Outcome:
    status: str
    seconds: float | None
    rows: dict[str, int]


def outcome(site: Site, issue_id: int) -> Outcome:
    printed = site.manage(
        "shell", "--no-imports", "-c", OUTCOME.format(issue_id=issue_id)
    )
    return Outcome(**json.loads(printed.strip().splitlines()[-1]))


def measure(site: Site, plan: Plan) -> list[Row]:
    count = subscriber_count(plan)
    made = time.monotonic()
    printed = site.manage(
        "shell",
        "--no-imports",
        "-c",
        SETUP.format(count=count, stories=STORIES),
        timeout=900,
    )
    _, issue_id, stories = printed.strip().splitlines()[-1].split()
    out(
        f"newsletter, {site.label}: {count:,} subscribers and issue {issue_id} "
        f"({stories} stories) made in {time.monotonic() - made:.0f} s"
    )
    with sink_process(site.workdir) as sink:
        sent = send(site, int(issue_id), sink)
        received = sink.stop()
    result = outcome(site, int(issue_id))
    return [
        rate_row(site, count, sent, result),
        exactness_row(site, count, received, result),
    ]


@dataclass
class SendRun:
    wall_seconds: float
    timed_out: bool
    failed: list[str]  # a sender's stderr tail, per sender that failed


def sender_command(issue_id: int) -> list[str]:
    return [
        sys.executable,
        "manage.py",
        "masthead_send_issue",
        str(issue_id),
        "--no-progress",
    ]


def send(site: Site, issue_id: int, sink: "Sink") -> SendRun:
    env = {**site.env, "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}"}
    started = time.monotonic()
    logs = [site.workdir / f"sender-{n}.log" for n in range(SENDERS)]
    processes = []
    for log_path in logs:
        with log_path.open("wb") as log:
            processes.append(
                subprocess.Popen(  # noqa: S603 - our own arguments, no shell
                    sender_command(issue_id),
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
    deadline = started + SEND_LIMIT_SECONDS
    timed_out = False
    for process in processes:
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            timed_out = True
            process.kill()
            process.wait(timeout=10)
    wall = time.monotonic() - started
    failed = [
        log_path.read_text()[-300:]
        for process, log_path in zip(processes, logs, strict=True)
        if process.returncode != 0
    ]
    for log_path in logs:
        out(f"  {log_path.name}: {' '.join(log_path.read_text().split())[:300]}")
    return SendRun(wall_seconds=wall, timed_out=timed_out, failed=failed)


def rate_row(site: Site, count: int, run: SendRun, result: Outcome) -> Row:
    name = f"newsletter mails/s, {site.label}"
    senders = f"{SENDERS} sender{'s' if SENDERS > 1 else ''}"
    if run.timed_out or result.seconds is None:
        why = (
            f"not finished in {SEND_LIMIT_SECONDS // 60} min"
            if run.timed_out
            else f"issue {result.status}"
        )
        return Row(
            name=name,
            value=None,
            unit="mails/s",
            reference=f"{why}; {senders}; {run.failed[:1]}"[:160],
            passed=False,
        )
    sent = result.rows.get("sent", 0)
    row = against_target(name, sent / result.seconds, "mails/s", TARGET_PER_SECOND)
    row.reference += (
        f", {count:,} mails, {senders}, {result.seconds:.0f} s "
        f"({run.wall_seconds:.0f} s with process start)"
    )
    if run.failed:
        row.passed = False
        row.reference += "; a sender failed"
    return row


def exactness_row(site: Site, count: int, received: "Received", result: Outcome):
    all_sent = result.rows == {"sent": count} and result.status == "sent"
    passed = received.lines == count == received.recipients and all_sent
    notes = f"{received.lines:,} mails, {received.recipients:,} addresses"
    if received.lines != received.recipients:
        notes += f", {received.lines - received.recipients:,} doubled"
    if not all_sent:
        notes += f"; rows {result.rows}, issue {result.status}"
    return Row(
        name=f"newsletter mails received / subscribers, {site.label}",
        value=received.lines,
        unit="mails",
        ratio=received.lines / count if count else None,
        reference=notes,
        passed=passed,
    )


@dataclass
class Received:
    lines: int
    recipients: int


class Sink:
    """The SMTP sink process; stop() ends it and counts what it logged."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.log = workdir / "sink.log"
        self.log.unlink(missing_ok=True)
        self.process = subprocess.Popen(  # noqa: S603 - our own arguments, no shell
            [
                sys.executable,
                "-m",
                "masthead.newsletter.tests.smtp_sink",
                f"--port={self.port}",
                f"--log={self.log}",
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=(workdir / "sink.err").open("wb"),
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the SMTP sink exited; see {workdir / 'sink.err'}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the SMTP sink did not start")

    def stop(self) -> Received:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)
        lines = self.log.read_text().splitlines() if self.log.exists() else []
        return Received(
            lines=len(lines), recipients=len({li.split("\t")[0] for li in lines})
        )


@contextmanager
def sink_process(workdir: Path):
    sink = Sink(workdir)
    try:
        yield sink
    finally:
        if sink.process.poll() is None:
            sink.process.kill()
            sink.process.wait(timeout=10)


def main() -> int:
    return run_alone(run, "newsletter", clean_up=tear_down_shared)


if __name__ == "__main__":
    sys.exit(main())
