"""What the donation widget shows and sends: settings in, a DonationAsk out."""

import json
import re

from wagtail.models import Site

from . import conf, providers
from .choices import Interval
from .models import DonationSettings
from .money import format_amount, to_minor
from .services import DonationAsk, month_progress


def options_json() -> str:
    """Currencies, limits, presets and fees for donate.js (a data attribute)."""
    currencies = conf.get("MASTHEAD_DONATION_CURRENCIES")
    return json.dumps(
        {
            "currencies": {
                code: {
                    "symbol": rules.get("symbol", ""),
                    "min": rules["min"],
                    "max": rules["max"],
                    "presets": rules.get("presets", []),
                }
                for code, rules in currencies.items()
            },
            "fees": {
                name: provider.options.get("FEE", provider.default_fee)
                for name, provider in providers.configured().items()
            },
        }
    )


def widget_context(site=None, source_page=None, ask=None, errors=None) -> dict:
    currencies = conf.get("MASTHEAD_DONATION_CURRENCIES")
    currency = (
        ask.currency if ask and ask.currency in currencies else None
    ) or conf.get("MASTHEAD_DONATION_DEFAULT_CURRENCY")
    rules = currencies[currency]
    settings = DonationSettings.for_site(site or Site.objects.get(is_default_site=True))
    quick = conf.get("MASTHEAD_QUICK_DONATE")
    provider_list = list(providers.configured().values())
    return {
        "appeal": settings.appeal,
        "currencies": [(code, r.get("symbol", "")) for code, r in currencies.items()],
        "currency": currency,
        "rules": rules,
        "amount": ask.amount if ask else _default_amount(rules),
        "interval": ask.interval if ask else Interval.ONE_TIME,
        "cover_fees": ask.cover_fees if ask else False,
        "name": ask.name if ask else "",
        "email": ask.email if ask else "",
        "providers": provider_list,
        "test_mode": any(p.is_test_mode for p in provider_list),
        "quick": quick
        and {
            **quick,
            "label": format_amount(
                to_minor(quick["amount"], quick["currency"]), quick["currency"]
            ),
            "provider": provider_list[0],
        },
        "source_page_id": source_page.pk if source_page else "",
        "options_json": options_json(),
        "errors": errors or {},
        "goal": goal_context(settings),
        "below_articles": settings.widget_below_articles,
    }


def _default_amount(rules) -> int:
    # The second preset: a little more than the least, as most widgets suggest.
    presets = rules.get("presets", [])
    return presets[1] if len(presets) > 1 else rules["min"]


def goal_context(settings: DonationSettings) -> dict | None:
    if not settings.goal_amount:
        return None
    currency = settings.goal_currency
    target = to_minor(settings.goal_amount, currency)
    raised, supporters = month_progress(currency)
    return {
        "text": settings.goal_text.replace("{goal}", format_amount(target, currency)),
        "raised": format_amount(raised, currency),
        "target": format_amount(target, currency),
        "percent": min(100, round(100 * raised / target)) if target else 0,
        "supporters": supporters,
        "in_sidebar": settings.goal_in_sidebar,
        "on_donate_page": settings.goal_on_donate_page,
        "below_articles": settings.goal_below_articles,
    }


def donate_page_context(ask=None, errors=None) -> dict:
    context = widget_context(ask=ask, errors=errors)
    goal = context["goal"]
    return {
        **context,
        "place": "page",
        "shown": True,
        "show_goal": bool(goal and goal["on_donate_page"]),
    }


# What donate.js puts in the form's hidden "attempt" field: a random UUID.
ATTEMPT_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def ask_from(data) -> DonationAsk:
    source = data.get("source_page", "")
    attempt = data.get("attempt", "")
    return DonationAsk(
        amount=data.get("amount", "")[:20],
        currency=data.get("currency", "")[:3].upper(),
        interval=data.get("interval", "")[:20],
        provider=data.get("provider", "")[:30],
        cover_fees=data.get("cover_fees") in ("1", "on", "true"),
        name=data.get("name", "")[:300],
        email=data.get("email", "")[:300],
        # isdecimal, not isdigit: int() refuses digits such as "²".
        source_page_id=(
            int(source) if source.isdecimal() and len(source) < 12 else None
        ),
        # Anything else is no token: the form then works as without JavaScript.
        attempt=attempt if ATTEMPT_TOKEN.fullmatch(attempt) else "",
    )


def description(donation) -> str:
    from masthead.core.queries import site_name

    every = " every month" if donation.interval == Interval.MONTHLY else ""
    return f"Donation to {site_name()}{every}"
