import logging
import time
from datetime import timedelta

import pytest
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt, AccessFailureLog, AccessLog

from masthead.accounts import throttling

from .conftest import PASSWORD, sign_in, stored_keys

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.7"
OTHER_ADDRESS = "198.51.100.9"


def fail(client, username="ed", times=1, address=ADDRESS, **extra):
    responses = [
        sign_in(client, username, "wrong-password", REMOTE_ADDR=address, **extra)
        for _ in range(times)
    ]
    return responses[-1]


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_wrong_passwords_pause_that_account_from_that_address(client, staff):
    fourth = fail(client, times=4)
    fifth = fail(client)

    assert fourth.status_code == 200  # the login form, with its error
    assert fifth.status_code == 429
    page = fifth.content.decode()
    assert "Too many sign-in attempts" in page
    assert "try again in 15 minutes" in page
    assert fifth["Retry-After"] == "900"
    assert "Sign in to Wagtail" not in page  # no form to keep guessing with

    right = sign_in(client, "ed", REMOTE_ADDR=ADDRESS)
    assert right.status_code == 429
    assert not signed_in(client)


def test_a_pause_is_for_one_account_at_one_address(client, staff, django_user_model):
    fail(client, times=5)
    django_user_model.objects.create_user("colleague", password=PASSWORD)

    from_elsewhere = sign_in(client, "ed", REMOTE_ADDR=OTHER_ADDRESS)
    assert from_elsewhere.status_code == 302 and signed_in(client)
    client.logout()
    colleague = sign_in(client, "colleague", REMOTE_ADDR=ADDRESS)
    assert colleague.status_code == 302 and signed_in(client)


def test_the_pause_ends_by_itself_and_retrying_does_not_extend_it(
    client, staff, settings
):
    # Real seconds, not a frozen clock: Redis expires keys by its own clock.
    settings.AXES_COOLOFF_TIME = timedelta(seconds=3)
    fail(client, times=5)
    started = time.monotonic()
    time.sleep(2)
    # Guessing on during the pause is refused and does not restart the clock
    # (if it did, the pause would last until about 5 s).
    assert fail(client).status_code == 429
    time.sleep(max(0.0, started + 3.6 - time.monotonic()))

    response = sign_in(client, "ed", REMOTE_ADDR=ADDRESS)

    assert response.status_code == 302
    assert signed_in(client)


def test_signing_in_clears_earlier_failures(client, staff):
    fail(client, times=4)
    assert sign_in(client, "ed", REMOTE_ADDR=ADDRESS).status_code == 302
    client.logout()

    assert fail(client, times=4).status_code == 200


def test_guessing_many_accounts_from_one_address_meets_the_looser_limit(
    client, staff, settings
):
    settings.MASTHEAD_LOGIN_FAILURES_PER_IP = 6
    for name in ("anna", "bert", "cleo", "dora", "emil"):
        assert fail(client, username=name).status_code == 200
    assert fail(client, username="fritz").status_code == 429

    assert sign_in(client, "ed", REMOTE_ADDR=ADDRESS).status_code == 429
    assert sign_in(client, "ed", REMOTE_ADDR=OTHER_ADDRESS).status_code == 302


def test_behind_a_trusted_proxy_each_reader_address_counts_alone(
    client, staff, settings
):
    settings.MASTHEAD_TRUSTED_PROXIES = ["10.0.0.2"]
    fail(client, times=5, address="10.0.0.2", HTTP_X_FORWARDED_FOR=ADDRESS)

    locked = sign_in(client, "ed", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=ADDRESS)
    other = sign_in(
        client, "ed", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=OTHER_ADDRESS
    )

    assert locked.status_code == 429
    assert other.status_code == 302


def test_a_forged_forwarded_header_does_not_escape_the_pause(client, staff, settings):
    settings.MASTHEAD_TRUSTED_PROXIES = ["10.0.0.2"]
    fail(client, times=5)

    forged = sign_in(
        client, "ed", REMOTE_ADDR=ADDRESS, HTTP_X_FORWARDED_FOR=OTHER_ADDRESS
    )

    assert forged.status_code == 429


def test_no_address_is_stored_in_the_database_the_cache_or_the_log(
    client, staff, caplog
):
    caplog.set_level(logging.INFO)
    fail(client, times=6)
    sign_in(client, "ed", REMOTE_ADDR=OTHER_ADDRESS)

    assert not AccessAttempt.objects.exists()
    assert not AccessLog.objects.exists()
    assert not AccessFailureLog.objects.exists()
    keys = stored_keys()
    assert keys and not any(ADDRESS in key for key in keys)
    assert any(throttling.address_key(ADDRESS) in key for key in keys)
    assert 'login paused for {username: "ed"' in caplog.text
    assert ADDRESS not in caplog.text and OTHER_ADDRESS not in caplog.text


class DownCache:
    def __getattr__(self, name):
        def down(*args, **kwargs):
            raise ConnectionError("cache unavailable")

        return down


def test_with_the_cache_down_signing_in_still_works(client, staff, monkeypatch):
    monkeypatch.setattr(AxesProxyHandler.get_implementation(), "cache", DownCache())

    assert fail(client, times=6).status_code == 200
    assert sign_in(client, "ed", REMOTE_ADDR=ADDRESS).status_code == 302


def test_client_str_names_account_and_page_only():
    text = throttling.client_str("ed", ADDRESS, "agent", ("/admin/login/",), None)

    assert text == '{username: "ed", path_info: "/admin/login/"}'


def test_staff_password_still_works_for_the_existing_password_form(client, staff):
    assert sign_in(client, "ed", PASSWORD, REMOTE_ADDR=ADDRESS).status_code == 302


def test_a_sign_in_without_a_request_is_not_throttled_nor_refused(staff):
    from django.contrib.auth import authenticate

    # The test client and management commands authenticate without a request.
    assert authenticate(username=staff.username, password=PASSWORD) == staff
