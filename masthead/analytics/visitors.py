"""The daily salt and the visitor key: counting once per day without knowing anyone.

The key is an HMAC of the address, the browser name and the story under a
random salt made for the day; the salt is deleted when the day is over, after
which no key can be recomputed from an address.
"""

import hashlib
import hmac
import secrets
import threading
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import DailySalt, SeenVisitor

_salts: dict[date, bytes] = {}
_lock = threading.Lock()


def today() -> date:
    return timezone.now().date()  # UTC: every process rotates at the same moment


def salt_for(day: date) -> bytes:
    """The day's salt, made by the first process that needs it."""
    salt = _salts.get(day)
    if salt is not None:
        return salt
    with _lock:
        stored = DailySalt.objects.filter(day=day).values_list("salt", flat=True)
        salt = stored.first()
        if salt is None:
            try:
                with transaction.atomic():
                    DailySalt.objects.create(day=day, salt=secrets.token_bytes(32))
            except IntegrityError:
                pass  # another process made it first; read theirs
            salt = DailySalt.objects.values_list("salt", flat=True).get(day=day)
        _salts.clear()  # a process keeps only the current day's salt in memory
        _salts[day] = bytes(salt)
        return _salts[day]


def visitor_key(salt: bytes, ip: str, user_agent: str, page_id: int) -> bytes:
    message = f"{ip}\n{user_agent}\n{page_id}".encode()
    return hmac.new(salt, message, hashlib.sha256).digest()[:16]


def forget_past_days(now_day: date | None = None) -> int:
    """Delete salts and seen-visitor rows of days that are over; returns rows gone."""
    current = now_day or today()
    salts, _ = DailySalt.objects.filter(day__lt=current).delete()
    seen, _ = SeenVisitor.objects.filter(day__lt=current).delete()
    for day in [d for d in _salts if d < current]:
        _salts.pop(day, None)
    return salts + seen


def hour_of(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)
