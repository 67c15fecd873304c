"""Fixed-window rate limits on Django's cache (local memory embedded, Redis at scale).

Small on purpose: one counter per key and window, created with add() and bumped
with incr(), both atomic in Redis; a cache outage lets requests through rather
than breaking the site.
"""

import functools
import hashlib
import hmac
import ipaddress
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger("masthead.core")


def hit(scope: str, identity: str, limit: int, window_seconds: int) -> bool:
    """Count one hit; True while the identity is within `limit` per window."""
    digest = private_digest(identity)
    window = int(time.time() // window_seconds)
    key = f"ratelimit:{scope}:{digest}:{window}"
    try:
        if cache.add(key, 1, timeout=window_seconds + 5):
            return True
        count = cache.incr(key)
    except ValueError:
        # The key expired between add() and incr(): this is the window's first hit.
        cache.add(key, 1, timeout=window_seconds + 5)
        return True
    except Exception:
        _warn_unavailable(scope)
        return True
    if count is None:
        # A cache told to swallow its errors (django-redis IGNORE_EXCEPTIONS) is down.
        _warn_unavailable(scope)
        return True
    return count <= limit


def private_digest(identity: str) -> str:
    """A cache key part for an address or a name that cannot be turned back into it.

    A plain hash of an IPv4 address is reversed by trying all four billion; keyed
    with the site's secret, it is not.
    """
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, identity.encode(), hashlib.sha256).hexdigest()[:32]


_last_warning = 0.0


def _warn_unavailable(scope: str) -> None:
    # Once a minute at most: an outage under load must not flood the log.
    global _last_warning
    if time.monotonic() - _last_warning >= 60:
        _last_warning = time.monotonic()
        logger.warning("rate limit cache unavailable; letting %s through", scope)


def client_ip(request) -> str:
    """The reader's address: REMOTE_ADDR, or what trusted proxies say it was.

    X-Forwarded-For is read from the right, one hop at a time, for as long as the
    hop that wrote an entry is in MASTHEAD_TRUSTED_PROXIES: each proxy appends
    the address it was spoken to from, so the first untrusted entry is the
    reader and everything left of it is whatever the reader chose to send. A
    chain that runs out or turns unreadable ends at the last hop it could verify.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    hop = _parse(remote)
    if hop is None:
        return remote or "unknown"  # a unix socket: no address to go on
    trusted = trusted_proxies(tuple(getattr(settings, "MASTHEAD_TRUSTED_PROXIES", ())))
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for entry in reversed(forwarded):
        if not any(hop in network for network in trusted):
            break
        written = _parse(entry)
        if written is None:
            break
        hop = written
    return str(hop)


Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.lru_cache(maxsize=8)
def trusted_proxies(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """MASTHEAD_TRUSTED_PROXIES as networks: CIDR ranges or single addresses."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"MASTHEAD_TRUSTED_PROXIES: {entry!r} is neither an address nor a "
                "CIDR range (e.g. 10.0.0.0/8, 2001:db8::/32)."
            ) from None
    return tuple(networks)


def _parse(entry: str) -> Address | None:
    """An address as a proxy writes it (with or without a port), or None."""
    text = entry.strip()
    if text.startswith("["):  # [2001:db8::1]:443
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # 203.0.113.7:5123
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # A dual-stack socket reports IPv4 readers as ::ffff:a.b.c.d: one reader, one
    # address, whichever way they arrived.
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address
