"""Audience settings that would count wrong stop the site at start."""

from masthead.analytics.checks import check_analytics_settings


def ids(errors):
    return [error.id for error in errors]


def test_the_defaults_pass():
    assert check_analytics_settings(None) == []


def test_a_bad_rate_limit_is_named(settings):
    settings.MASTHEAD_ANALYTICS_RATE_PER_IP = 100
    assert ids(check_analytics_settings(None)) == ["analytics.E001"]
    settings.MASTHEAD_ANALYTICS_RATE_PER_IP = (100, 0)
    assert ids(check_analytics_settings(None)) == ["analytics.E001"]


def test_a_zero_flush_interval_is_refused(settings):
    settings.MASTHEAD_ANALYTICS_FLUSH_SECONDS = 0
    assert ids(check_analytics_settings(None)) == ["analytics.E002"]


def test_a_counter_store_that_is_not_redis_is_refused(settings):
    settings.MASTHEAD_ANALYTICS_REDIS_URL = "http://127.0.0.1:6379"
    errors = check_analytics_settings(None)
    assert ids(errors) == ["analytics.E003"]
    assert "http://127.0.0.1:6379" in errors[0].msg
