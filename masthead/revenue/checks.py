"""Refuse to start with a payment setup that cannot take money correctly."""

from django.core import checks

from . import conf, providers


@checks.register()
def check_payment_providers(app_configs, **kwargs):
    return [
        checks.Error(message, id="revenue.E001") for message in providers.problems()
    ]


@checks.register()
def check_currencies(app_configs, **kwargs):
    errors = []
    currencies = conf.get("MASTHEAD_DONATION_CURRENCIES")
    for code, rules in currencies.items():
        try:
            low, high = rules["min"], rules["max"]
            presets = rules.get("presets", [])
            valid = 0 < low <= high and all(low <= p <= high for p in presets)
        except (KeyError, TypeError):
            valid = False
        if len(code) != 3 or not code.isupper() or not valid:
            errors.append(
                checks.Error(
                    f"MASTHEAD_DONATION_CURRENCIES[{code!r}] needs a three-letter "
                    "code and 0 < min <= presets <= max.",
                    id="revenue.E002",
                )
            )
    if conf.get("MASTHEAD_DONATION_DEFAULT_CURRENCY") not in currencies:
        errors.append(
            checks.Error(
                "MASTHEAD_DONATION_DEFAULT_CURRENCY is not one of "
                "MASTHEAD_DONATION_CURRENCIES.",
                id="revenue.E003",
            )
        )
    quick = conf.get("MASTHEAD_QUICK_DONATE")
    if quick and quick.get("currency") not in currencies:
        errors.append(
            checks.Error(
                "MASTHEAD_QUICK_DONATE's currency is not offered.", id="revenue.E004"
            )
        )
    return errors
