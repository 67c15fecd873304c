"""Editors' account settings, each overridable in Django settings (base.py reads
them from the environment)."""

from django.conf import settings

DEFAULTS = {
    # Staff set up an authenticator app at first sign-in and use it every time.
    "MASTHEAD_REQUIRE_2FA": True,
    # Failed sign-ins from one address, over all usernames, before a cool-off.
    "MASTHEAD_LOGIN_FAILURES_PER_IP": 50,
    # How many one-time recovery codes a person gets at a time.
    "MASTHEAD_RECOVERY_CODES": 10,
}


def get(name: str):
    return getattr(settings, name, DEFAULTS[name])
