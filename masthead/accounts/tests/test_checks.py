from datetime import timedelta

from masthead.accounts.checks import MIDDLEWARE_2FA, check_account_settings


def ids(settings) -> list[str]:
    return [error.id for error in check_account_settings(None)]


def test_the_shipped_settings_pass(settings):
    settings.MASTHEAD_REQUIRE_2FA = True

    assert ids(settings) == []


def test_requiring_2fa_without_its_middleware_is_an_error(settings):
    settings.MASTHEAD_REQUIRE_2FA = True
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != MIDDLEWARE_2FA]

    assert ids(settings) == ["accounts.E001"]


def test_limits_must_be_whole_numbers_above_zero(settings):
    settings.AXES_FAILURE_LIMIT = 0
    settings.MASTHEAD_LOGIN_FAILURES_PER_IP = "many"

    assert ids(settings) == ["accounts.E002", "accounts.E002"]


def test_a_lock_out_without_cool_off_would_never_end(settings):
    settings.AXES_COOLOFF_TIME = None

    assert ids(settings) == ["accounts.E003"]
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    assert ids(settings) == []
