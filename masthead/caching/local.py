"""Stored pages in this process's memory too, dropped by every purge.

A stored page in the shared cache costs a round trip to Redis (or four file
reads) per request, which a do-nothing view does not pay. Each app process
therefore also keeps the pages it served recently, as long as every purge
reaches it: at scale a purge publishes a message on a Redis channel that every
process listens to; embedded, it touches a stamp file that every process looks
at (one stat) before it answers from its copies. Either way a process drops
all its copies on a purge (purges are rare: publishes, approvals, settings). A
process that is not listening (Redis down, just started, reconnecting) keeps
no copies at all.

A copy read from Redis just before a purge must not be kept after it: each
purge moves the epoch, and a copy is kept only if the epoch is the one seen
before the read.
"""

import logging
import os
import threading
import time
from collections import OrderedDict
from pathlib import Path

from django.conf import settings

logger = logging.getLogger("masthead.caching")

CHANNEL = "masthead:page-purges"
SIZE = 500
SECONDS = 60


class LocalPages:
    def __init__(self):
        self.epoch = 0
        self.listening = False
        self._entries: OrderedDict[str, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()
        self._listener_pid = None
        self._stamp_seen = None

    def mode(self) -> str | None:
        backend = settings.CACHES["pages"]["BACKEND"]
        if backend.startswith("django_redis"):
            return "redis"
        if backend == "masthead.caching.backends.PageFileCache":
            return "file"
        return None

    def get(self, key: str):
        if not self._ready():
            return None
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] < time.monotonic():
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key: str, page, epoch: int) -> None:
        with self._lock:
            if not self.listening or epoch != self.epoch:
                return  # a purge may have come since the page was read
            self._entries[key] = (time.monotonic() + SECONDS, page)
            self._entries.move_to_end(key)
            while len(self._entries) > SIZE:
                self._entries.popitem(last=False)

    def drop_all(self) -> None:
        with self._lock:
            self.epoch += 1
            self._entries.clear()

    def _ready(self) -> bool:
        mode = self.mode()
        if mode == "file":
            return self._stamp_unchanged()
        if mode == "redis" and self._listener_pid != os.getpid():
            self._start_listener()
        return self.listening

    def _stamp_unchanged(self) -> bool:
        try:
            stamp = purge_stamp().stat().st_mtime_ns
        except FileNotFoundError:
            stamp = 0
        if stamp != self._stamp_seen:
            self.drop_all()
            self._stamp_seen = stamp
        self.listening = True
        return True

    def _start_listener(self) -> None:
        with self._lock:
            if self._listener_pid == os.getpid():
                return
            # A thread does not survive a fork: each worker process starts its own.
            self._listener_pid = os.getpid()
            self.listening = False
        threading.Thread(target=self._listen, name="page-purges", daemon=True).start()

    def _listen(self) -> None:
        from django_redis import get_redis_connection

        while True:
            try:
                pubsub = get_redis_connection("pages").pubsub()
                pubsub.subscribe(CHANNEL)
                while True:
                    message = pubsub.get_message(timeout=1.0)
                    if message is None:
                        continue
                    if message["type"] == "subscribe":
                        self.drop_all()  # what came before we listened is unknown
                        self.listening = True
                    elif message["type"] == "message":
                        self.drop_all()
            except Exception:
                logger.warning("not listening for page purges; keeping no copies")
                self.listening = False
                self.drop_all()
                time.sleep(1)


def purge_stamp() -> Path:
    return Path(settings.CACHES["pages"]["LOCATION"]).parent / "purged.stamp"


def announce_purge() -> None:
    """Tell every app process to drop its copies (after the generations moved).

    This process drops its own at once: the editor who published, and a
    request that follows in this process, must not wait for the message.
    """
    local_pages.drop_all()
    mode = local_pages.mode()
    try:
        if mode == "file":
            stamp = purge_stamp()
            stamp.parent.mkdir(parents=True, exist_ok=True)
            stamp.touch()
            now = time.time_ns()
            os.utime(stamp, ns=(now, now))
        elif mode == "redis":
            from django_redis import get_redis_connection

            get_redis_connection("pages").publish(CHANNEL, "purge")
    except Exception:
        logger.exception("could not announce a purge; copies expire in %d s", SECONDS)


local_pages = LocalPages()
