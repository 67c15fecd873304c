"""Reader traffic for the demo: view counts, Trending, Most read and referrers.

The newest stories get hour-by-hour views for the last 30 days (each with a
burst of attention that fades, shaped by the time of day); every story gets a
lifetime total. Hours are relative to when the demo is loaded, so Trending has
something to show on a fresh `make run`. Everything else depends on the seed.
"""

import math
import random
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from masthead.analytics.storage import add_counts, add_totals
from masthead.analytics.visitors import hour_of

TRACKED_STORIES = 40
DAYS = 30
REFERRERS = (
    ("", 0.38),  # direct, bookmarks, apps that send no referrer
    ("duckduckgo.com", 0.14),
    ("google.com", 0.12),
    ("mastodon.social", 0.1),
    ("news.ycombinator.com", 0.07),
    ("bsky.app", 0.07),
    ("reddit.com", 0.06),
    ("lobste.rs", 0.03),
    ("feedly.com", 0.03),
)


def write_demo_views(
    stories: Sequence[tuple[int, datetime]], seed: int, now: datetime | None = None
) -> int:
    """Add views to `stories` ((page id, published at)); returns views added."""
    if not stories:
        return 0
    rng = random.Random(f"views:{seed}")  # nosec B311 # seeded: the same demo on every run
    current_hour = hour_of(now or timezone.now())
    newest = sorted(stories, key=lambda story: story[1], reverse=True)
    hourly: Counter = Counter()
    for rank, (page_id, published_at) in enumerate(newest[:TRACKED_STORIES]):
        # A few stories travel far; most are read by the regulars (Zipf-like).
        popularity = 900 / (rank + 1) ** 0.9 * rng.uniform(0.6, 1.6)
        # Newer stories had their moment more recently.
        burst_hours_ago = min(DAYS * 24 - 1, rank * 14 + rng.randint(0, 10))
        for hours_ago in range(DAYS * 24):
            hour = current_hour - timedelta(hours=hours_ago)
            since_burst = burst_hours_ago - hours_ago
            if hour < hour_of(published_at) or since_burst < 0:
                continue  # not yet published, or not yet spread
            fading = math.pow(0.5, since_burst / 10) + 0.02
            expected = popularity * fading * _time_of_day(hour.hour)
            views = int(expected * rng.uniform(0.7, 1.3))
            if views:
                hourly[(page_id, hour)] += views
    referrers: Counter = Counter()
    for (_, hour), views in hourly.items():
        domain = rng.choices(
            [name for name, _ in REFERRERS], weights=[w for _, w in REFERRERS]
        )[0]
        referrers[(hour.date(), domain)] += views
    with transaction.atomic():
        add_counts(hourly, referrers)
        # Stories were read before the hours the demo fills in; totals say so.
        add_totals(Counter({page_id: rng.randint(40, 6000) for page_id, _ in newest}))
    return sum(hourly.values())


def _time_of_day(hour: int) -> float:
    """Readers sleep: a low at 4 in the morning, a high in the early evening (UTC)."""
    return 0.55 + 0.45 * math.sin((hour - 10) / 24 * 2 * math.pi)
