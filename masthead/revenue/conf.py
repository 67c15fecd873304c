"""Deployment-level donation settings, each overridable in Django settings.

Editors change the goal and the appeal in Settings -> Donations; what money the
site accepts, and through whom, is the operator's decision and lives here.
"""

from django.conf import settings

DEFAULTS = {
    # Per currency: the slider's limits and the preset buttons, in whole units.
    "MASTHEAD_DONATION_CURRENCIES": {
        "USD": {"symbol": "$", "min": 5, "max": 100, "presets": [5, 10, 25, 50]},
        "EUR": {"symbol": "€", "min": 5, "max": 100, "presets": [5, 10, 25, 50]},
    },
    "MASTHEAD_DONATION_DEFAULT_CURRENCY": "USD",
    # The one-click "Quick Donate" button.
    "MASTHEAD_QUICK_DONATE": {"amount": 10, "currency": "EUR"},
    # Starting a checkout: per address as (count, seconds).
    "MASTHEAD_DONATION_RATE_PER_IP": (10, 600),
    # Name -> {"BACKEND": dotted path, "OPTIONS": {...}}; set in settings/base.py
    # from the environment, test mode when no provider key is set.
    "MASTHEAD_PAYMENT_PROVIDERS": {
        "test_mode": {
            "BACKEND": "masthead.revenue.providers.test_mode.TestModeProvider",
            "OPTIONS": {},
        }
    },
    # A webhook whose signed time is older than this is refused.
    "MASTHEAD_WEBHOOK_TOLERANCE_SECONDS": 300,
    # A webhook signed later than now plus this (clock skew) is refused.
    "MASTHEAD_WEBHOOK_FUTURE_SKEW_SECONDS": 60,
}


def get(name: str):
    return getattr(settings, name, DEFAULTS[name])
