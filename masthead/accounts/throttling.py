"""Login throttling: axes' cache handler, plus a looser limit per address.

Axes counts failed sign-ins per username and address, so one person mistyping
their password locks only themselves out, and only from where they are. A
guesser who tries many usernames from one address meets the second, looser
limit. Both counters live in Django's cache under hashed keys: no address is
ever written to the database, and both expire after the cool-off, so a lock-out
always ends by itself. Embedded, the cache is each process's memory (one server
process, so one count); at scale it is Redis, shared by every process. With the
cache down, sign-in stays open rather than locking everyone out.
"""

import logging

from axes.handlers.cache import AxesCacheHandler
from axes.helpers import (
    get_cache_timeout,
    get_client_cache_keys,
    get_client_username,
    get_credentials,
)
from axes.signals import user_locked_out
from django.conf import settings

from masthead.core.ratelimit import client_ip, private_digest

from . import conf

logger = logging.getLogger("masthead.accounts")


def address_key(address: str) -> str:
    return "axes-address-" + private_digest(address)


def client_str(username, ip_address, user_agent, path_info, request) -> str:
    """What axes writes in its log lines: the account and the page, no address."""
    if isinstance(path_info, tuple | list):
        path_info = path_info[0]
    return f'{{username: "{username}", path_info: "{path_info}"}}'


class LoginThrottle(AxesCacheHandler):
    """AxesCacheHandler with a per-address limit and no error when the cache is down."""

    def get_failures(self, request, credentials=None) -> int:
        counts = [
            self._count(key) for key in get_client_cache_keys(request, credentials)
        ]
        return max(counts, default=0)

    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            return True
        return self.address_failures(request) >= conf.get(
            "MASTHEAD_LOGIN_FAILURES_PER_IP"
        )

    def address_failures(self, request) -> int:
        return self._count(address_key(client_ip(request)))

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is None or getattr(request, "axes_locked_out", False):
            # A refused attempt counts for nothing: the cool-off never restarts.
            return super().user_login_failed(
                sender, credentials, request=request, **kwargs
            )
        if self.is_whitelisted(request, credentials):
            return None
        timeout = get_cache_timeout(request)
        counts = [
            self._bump(key, timeout)
            for key in get_client_cache_keys(request, credentials)
        ]
        by_address = self._bump(address_key(client_ip(request)), timeout)
        request.axes_failures_since_start = max(counts, default=0)
        if (
            request.axes_failures_since_start >= settings.AXES_FAILURE_LIMIT
            or by_address >= conf.get("MASTHEAD_LOGIN_FAILURES_PER_IP")
        ):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            logger.warning(
                "login paused for %s after repeated failures",
                client_str(
                    get_client_username(request, credentials),
                    None,
                    None,
                    request.path_info,
                    request,
                ),
            )
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )
        return None

    def user_logged_in(self, sender, request, user, **kwargs):
        # A success clears this account's count here (not the address's: one
        # editor signing in must not wipe a guesser's tally).
        for key in get_client_cache_keys(request, get_credentials(user.get_username())):
            # A cache that is down holds no count to clear.
            try:
                self.cache.delete(key)
            except Exception:  # noqa: S112  # nosec B112
                continue

    def reset_attempts(self, *, ip_address=None, username=None, ip_or_username=False):
        count = super().reset_attempts(
            ip_address=ip_address, username=username, ip_or_username=ip_or_username
        )
        if ip_address:
            count += int(bool(self.cache.delete(address_key(ip_address))))
        return count

    def _count(self, key: str) -> int:
        try:
            return int(self.cache.get(key) or 0)
        except Exception:  # a cache that is down counts nothing
            return 0

    def _bump(self, key: str, timeout: int) -> int:
        # The window restarts at each failure, as in axes: a lock-out lasts one
        # cool-off after the last counted failure.
        try:
            if self.cache.add(key, 1, timeout=timeout):
                return 1
            count = self.cache.incr(key)
            self.cache.touch(key, timeout=timeout)
        except ValueError:  # expired between add() and incr()
            self.cache.add(key, 1, timeout=timeout)
            return 1
        except Exception:
            return 0
        return int(count or 0)
