import pytest
from django.core.cache import cache

from masthead.core.roles import EDITORS
from masthead.core.tests.fixtures import member_of

PASSWORD = "pw-12345"  # noqa: S105
LOGIN = "/admin/login/"


def forget_counters() -> None:
    """Drop the throttle's counters, and only them, from whichever cache it is."""
    if hasattr(cache, "delete_pattern"):  # django-redis: never flush a shared db
        cache.delete_pattern("axes-*")
    else:
        cache.clear()


def stored_keys() -> list[str]:
    """Every key the cache holds (Redis: ours, without the prefix)."""
    if hasattr(cache, "keys"):
        return list(cache.keys("*"))
    return list(cache._cache)  # LocMemCache's own store


@pytest.fixture(autouse=True)
def fresh_counters():
    # Throttle counters live in the (process-wide) cache: no test sees another's.
    forget_counters()
    yield
    forget_counters()


@pytest.fixture
def two_factor(settings):
    settings.MASTHEAD_REQUIRE_2FA = True
    return settings


@pytest.fixture
def staff(django_user_model):
    """An editor with a password, who can reach the admin."""
    return member_of(django_user_model, "ed", EDITORS, password=PASSWORD)


def sign_in(client, username: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)
