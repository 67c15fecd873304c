"""A payment setup that cannot take money stops the site at start, naming why."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from masthead.revenue import providers
from masthead.revenue.apps import RevenueConfig
from masthead.revenue.checks import check_currencies, check_payment_providers

TEST_MODE = "masthead.revenue.providers.test_mode.TestModeProvider"


@pytest.mark.parametrize(
    ("entries", "named"),
    [
        ({}, "must name at least one provider"),
        ({"card": {}}, "'card' needs a BACKEND"),
        ({"card": {"BACKEND": "masthead.nowhere.Provider"}}, "'card': cannot import"),
        (
            {"card": {"BACKEND": "masthead.revenue.models.Donation"}},
            "is not a Provider",
        ),
        ({"card": {"BACKEND": TEST_MODE, "OPTIONS": []}}, "OPTIONS must be a dict"),
        (
            {"card": {"BACKEND": "masthead.revenue.providers.base.Provider"}},
            "'card': 'masthead.revenue.providers.base.Provider' cannot be built",
        ),
    ],
)
def test_bad_provider_entries_are_named(settings, entries, named):
    settings.MASTHEAD_PAYMENT_PROVIDERS = entries
    (message,) = providers.problems()
    assert named in message
    assert [e.id for e in check_payment_providers(None)] == ["revenue.E001"]


def test_the_app_refuses_to_start_with_a_bad_entry(settings):
    settings.MASTHEAD_PAYMENT_PROVIDERS = {"card": {"BACKEND": "masthead.nowhere.X"}}
    import masthead.revenue

    with pytest.raises(ImproperlyConfigured, match="'card'"):
        RevenueConfig("masthead.revenue", masthead.revenue).ready()


def test_the_test_settings_pass():
    assert providers.problems() == []
    assert check_currencies(None) == []


@pytest.mark.parametrize(
    ("currencies", "default"),
    [
        ({"EUR": {"min": 10, "max": 5}}, "EUR"),
        ({"EUR": {"min": 5, "max": 50, "presets": [100]}}, "EUR"),
        ({"euro": {"min": 5, "max": 50}}, "euro"),
        ({"EUR": {"max": 50}}, "EUR"),
    ],
)
def test_bad_currency_rules_are_refused(settings, currencies, default):
    settings.MASTHEAD_DONATION_CURRENCIES = currencies
    settings.MASTHEAD_DONATION_DEFAULT_CURRENCY = default
    settings.MASTHEAD_QUICK_DONATE = {}
    assert [e.id for e in check_currencies(None)] == ["revenue.E002"]


def test_a_default_or_quick_currency_not_offered_is_refused(settings):
    settings.MASTHEAD_DONATION_DEFAULT_CURRENCY = "GBP"
    settings.MASTHEAD_QUICK_DONATE = {"amount": 10, "currency": "JPY"}
    assert [e.id for e in check_currencies(None)] == ["revenue.E003", "revenue.E004"]
