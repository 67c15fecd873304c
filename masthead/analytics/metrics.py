"""In-process counters for what went wrong with view counting, logged, never raised.

A log line `analytics metrics beacons_degraded=12 ...` goes out on the first
event and then at most every LOG_EVERY seconds, so an outage at thousands of
beacons a second does not flood the log.
"""

import logging
import threading
import time
from collections import Counter

logger = logging.getLogger("masthead.analytics")
LOG_EVERY = 10.0

_counts: Counter[str] = Counter()
_lock = threading.Lock()
_last_logged = 0.0


def incr(name: str, amount: int = 1) -> None:
    global _last_logged
    with _lock:
        _counts[name] += amount
        now = time.monotonic()
        if now - _last_logged < LOG_EVERY:
            return
        _last_logged = now
        line = " ".join(f"{key}={value}" for key, value in sorted(_counts.items()))
    logger.warning("analytics metrics %s", line)


def snapshot() -> dict[str, int]:
    with _lock:
        return dict(_counts)


def reset() -> None:
    global _last_logged
    with _lock:
        _counts.clear()
        _last_logged = 0.0
