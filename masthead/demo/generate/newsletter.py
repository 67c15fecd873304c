"""Newsletter demo: three lists, a few hundred readers, a sent digest per digest list.

The readers are invented by Faker on example domains (RFC 2606), so no mail can
reach a real person. Each digest list's issue is made by the same services an
editor uses (create_edition, start_sending); its deliveries are then marked sent
in bulk instead of being mailed, so the admin shows a finished send. Running it
again adds nothing: lists are found by slug, addresses are unique, and a list
that already has an issue gets no other.
"""

import random
import unicodedata
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import lru_cache

from django.db import transaction
from django.utils import timezone
from faker import Faker

from masthead.newsletter import issues, sending
from masthead.newsletter.choices import (
    DeliveryStatus,
    DigestSchedule,
    IssueKind,
    SubscriberSource,
    SubscriberStatus,
)
from masthead.newsletter.models import (
    Delivery,
    Issue,
    ListMembership,
    NewsletterList,
    Subscriber,
)
from masthead.newsletter.queries import stories_since

SUBSCRIBERS = 360
DOMAINS = ("example.org", "example.com", "example.net")
LOCALES = ("en_GB", "en_IE", "es_ES", "fr_FR", "pl_PL", "pt_PT")
# Share of readers per state, and of confirmed readers on each list.
PENDING, UNSUBSCRIBED = 0.07, 0.06
ON_LIST = {"daily": 0.75, "weekly": 0.45, "breaking": 0.35}
DAYS = 400  # how far back the oldest signup goes


@dataclass(frozen=True)
class ListSpec:
    name: str
    slug: str
    description: str
    schedule: str
    send_time: time
    weekday: int = 0
    checked_at_signup: bool = False


LISTS = (
    ListSpec(
        "Daily digest",
        "daily",
        "The valley's stories of the day, every morning at 7.",
        DigestSchedule.DAILY,
        time(7, 0),
        checked_at_signup=True,
    ),
    ListSpec(
        "The Weekly",
        "weekly",
        "Friday morning: the week's best reporting and analysis.",
        DigestSchedule.WEEKLY,
        time(8, 0),
        weekday=4,
    ),
    ListSpec(
        "Breaking news",
        "breaking",
        "Only when something big happens. A few mails a month at most.",
        DigestSchedule.MANUAL,
        time(7, 0),
    ),
)


@dataclass
class NewsletterDemo:
    """What a run added."""

    lists: int = 0
    subscribers: int = 0
    issues: int = 0


def write_demo_newsletter(seed: int, count: int = SUBSCRIBERS, now=None):
    """Add the demo lists, `count` readers and one sent issue per digest list."""
    now = now or timezone.now()
    added = NewsletterDemo()
    with transaction.atomic():
        lists, added.lists = ensure_lists()
        added.subscribers = _add_subscribers(seed, count, lists, now)
        for newsletter_list in lists.values():
            if newsletter_list.schedule != DigestSchedule.MANUAL:
                added.issues += _sent_digest(newsletter_list, now)
    return added


def ensure_lists() -> tuple[dict[str, NewsletterList], int]:
    found, created = {}, 0
    for position, spec in enumerate(LISTS):
        newsletter_list, made = NewsletterList.objects.get_or_create(
            slug=spec.slug,
            defaults={
                "name": spec.name,
                "description": spec.description,
                "schedule": spec.schedule,
                "send_time": spec.send_time,
                "weekday": spec.weekday,
                "checked_at_signup": spec.checked_at_signup,
                "position": position,
            },
        )
        found[spec.slug] = newsletter_list
        created += made
    return found, created


@lru_cache(maxsize=1)
def _people() -> Faker:
    return Faker(list(LOCALES))  # slow to build, so built once per process


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum())


def _address(rng: random.Random, first: str, last: str) -> str:
    first, last = _ascii(first) or "reader", _ascii(last) or "valley"
    local = rng.choice(
        (
            f"{first}.{last}",
            f"{first}{last}",
            f"{first[0]}.{last}",
            f"{first}_{last}",
            f"{first}{rng.randint(1, 99)}",
            f"{last}.{first}",
        )
    )
    return f"{local}@{rng.choice(DOMAINS)}"


def _add_subscribers(seed: int, count: int, lists, now: datetime) -> int:
    rng = random.Random(f"newsletter:{seed}")  # nosec B311 # seeded: the same demo on every run
    people = _people()
    people.seed_instance(seed)
    subscribers, memberships, seen = [], [], set()
    while len(subscribers) < count:
        first, last = people.first_name(), people.last_name()
        email = _address(rng, first, last)
        if email in seen:
            continue
        seen.add(email)
        roll = rng.random()
        if roll < PENDING:
            # Recent enough to survive the purge of unconfirmed signups.
            created = now - timedelta(days=rng.uniform(0, 5))
            status, confirmed, left = SubscriberStatus.PENDING, None, None
        else:
            created = now - timedelta(days=DAYS * rng.random() ** 1.5 + 1)
            confirmed = created + timedelta(minutes=rng.uniform(1, 240))
            status, left = SubscriberStatus.CONFIRMED, None
            if roll < PENDING + UNSUBSCRIBED:
                status = SubscriberStatus.UNSUBSCRIBED
                left = confirmed + (now - confirmed) * rng.random()
        subscriber = Subscriber(
            email=email,
            name=f"{first} {last}" if rng.random() < 0.6 else "",
            status=status,
            source=(
                SubscriberSource.IMPORT
                if rng.random() < 0.15
                else SubscriberSource.SIGNUP
            ),
            created_at=created,
            confirmed_at=confirmed,
            unsubscribed_at=left,
        )
        subscribers.append(subscriber)
        if status == SubscriberStatus.CONFIRMED:
            chosen = [slug for slug, share in ON_LIST.items() if rng.random() < share]
            memberships.append((email, chosen or ["daily"]))
    before = Subscriber.objects.count()
    # Keys come from secrets (the model default): fine, nothing shows them.
    Subscriber.objects.bulk_create(subscribers, ignore_conflicts=True)
    ids = dict(
        Subscriber.objects.filter(
            email__in=[email for email, _ in memberships]
        ).values_list("email", "pk")
    )
    ListMembership.objects.bulk_create(
        [
            ListMembership(subscriber_id=ids[email], newsletter_list=lists[slug])
            for email, slugs in memberships
            for slug in slugs
        ],
        ignore_conflicts=True,
    )
    return Subscriber.objects.count() - before


def _sent_digest(newsletter_list: NewsletterList, now: datetime) -> int:
    """The list's last digest, sent at its slot; 0 when it has one or no stories."""
    slot = issues.digest_slot(newsletter_list, now)
    if Issue.objects.filter(newsletter_list=newsletter_list).exists():
        return 0
    if not stories_since(newsletter_list).exists():
        return 0
    issue = issues.create_edition(newsletter_list)
    Issue.objects.filter(pk=issue.pk).update(
        kind=IssueKind.DIGEST,
        digest_slot=slot,
        subject=issues.default_subject(newsletter_list, slot),
    )
    sending.start_sending(issue, now=slot)
    # Marked sent rather than mailed: the demo's readers are invented.
    finished = slot + timedelta(minutes=2)
    Delivery.objects.filter(issue=issue).update(
        status=DeliveryStatus.SENT, sent_at=finished, attempts=1
    )
    Issue.objects.filter(pk=issue.pk).update(heartbeat_at=finished)
    sending.finish_if_done(issue.pk, now=finished)
    return 1
