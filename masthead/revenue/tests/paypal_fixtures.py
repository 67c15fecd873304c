"""The `fake_paypal` fixture: PayPalProvider configured against FakePayPal.

Import it explicitly into a test module:
`from .paypal_fixtures import fake_paypal_fixture`.
"""

import pytest

from .fake_paypal import CLIENT_ID, CLIENT_SECRET, WEBHOOK_ID, FakePayPal


@pytest.fixture(name="fake_paypal")
def fake_paypal_fixture(settings):
    """A running fake PayPal, and the site's only provider "paypal" pointing at it."""
    fake = FakePayPal().start()
    settings.MASTHEAD_PAYMENT_PROVIDERS = {"paypal": paypal_provider(fake.url)}
    yield fake
    fake.stop()


def paypal_provider(api_base: str, timeout: float = 5) -> dict:
    """The "paypal" entry of MASTHEAD_PAYMENT_PROVIDERS, talking to `api_base`."""
    return {
        "BACKEND": "masthead.revenue.providers.paypal.PayPalProvider",
        "OPTIONS": {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "webhook_id": WEBHOOK_ID,
            "environment": "sandbox",
            "api_base": api_base,
            "timeout": timeout,
        },
    }
