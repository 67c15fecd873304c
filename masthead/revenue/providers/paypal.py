"""PayPal: Orders v2 for one-time gifts, Subscriptions for monthly ones.

Unlike Stripe, PayPal takes the money only when we ask: the reader approves on
PayPal, comes back to our thanks page with `?token=<order id>`, and
complete_return() captures the order there. The webhook that follows
(PAYMENT.CAPTURE.COMPLETED) names the same capture, so the service keeps the
donation as it is. A monthly gift needs a billing plan per amount; plans (and
the one product they hang on) are made on first use and remembered in the cache.

API calls go through the official SDK (`paypalserversdk`). The SDK has neither
webhook verification nor the catalog API, so `_RestClient` makes those two
calls itself, with the SDK's token and the same timeout.
"""

import hashlib
import json
import logging
import threading
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from apimatic_core.exceptions.auth_validation_exception import (
    AuthValidationException,
)
from django.core.cache import cache
from django.utils import timezone
from paypalserversdk.configuration import Configuration, Environment, Server
from paypalserversdk.exceptions.api_exception import ApiException
from paypalserversdk.http.auth.o_auth_2 import ClientCredentialsAuthCredentials
from paypalserversdk.paypal_serversdk_client import PaypalServersdkClient

from .. import conf
from ..choices import DonationStatus, EventKind, Interval
from ..money import to_major, to_minor
from .base import (
    Checkout,
    CheckoutRequest,
    Provider,
    ProviderError,
    ProviderEvent,
    WebhookRejected,
    ignored,
)

logger = logging.getLogger("masthead.revenue")

API_BASES = {
    "sandbox": "https://api-m.sandbox.paypal.com",
    "production": "https://api-m.paypal.com",
}
MANAGE_URLS = {
    "sandbox": "https://www.sandbox.paypal.com/myaccount/autopay/",
    "production": "https://www.paypal.com/myaccount/autopay/",
}
DEFAULT_TIMEOUT = 20  # seconds per request; a reader is waiting on most of them
PLAN_CACHE_SECONDS = 30 * 24 * 3600  # plans never change; a miss makes a new one
# The headers PayPal signs a webhook with, in the names verify-webhook-signature wants.
SIGNATURE_HEADERS = {
    "auth_algo": "PAYPAL-AUTH-ALGO",
    "cert_url": "PAYPAL-CERT-URL",
    "transmission_id": "PAYPAL-TRANSMISSION-ID",
    "transmission_sig": "PAYPAL-TRANSMISSION-SIG",
    "transmission_time": "PAYPAL-TRANSMISSION-TIME",
}
REFUND_EVENTS = {"PAYMENT.CAPTURE.REFUNDED", "PAYMENT.CAPTURE.REVERSED"}
DISPUTE_OPENING_EVENTS = {"CUSTOMER.DISPUTE.CREATED", "CUSTOMER.DISPUTE.UPDATED"}
# A resolved dispute's outcome_code. Anything else (NONE, a new code) counts as
# lost: the money stays out of the totals until someone looks at it.
DISPUTE_WON_OUTCOMES = {"RESOLVED_SELLER_FAVOUR", "CANCELED_BY_BUYER", "DENIED"}
# Where an event's own links point, by environment.
API_HOSTS = {"api.sandbox.paypal.com": "sandbox", "api-m.sandbox.paypal.com": "sandbox"}
API_HOSTS |= {"api.paypal.com": "production", "api-m.paypal.com": "production"}


class _LocalConfiguration(Configuration):
    """The SDK's configuration, sent to `base_url` (a fake) in every environment.

    The SDK has no base-URL option: get_base_uri() reads `environments`.
    """

    def __init__(self, base_url: str, **kwargs):
        super().__init__(**kwargs)
        self.environments = {env: {Server.DEFAULT: base_url} for env in Environment}


class PayPalProvider(Provider):
    label = "PayPal"
    default_fee = (3.49, 49)
    required_options = ("client_id", "client_secret", "webhook_id")

    def __init__(self, name: str, options: dict):
        super().__init__(name, options)
        self._lock = threading.Lock()
        self._sdk_client = None
        self._token = None  # the SDK's current OAuth token, shared with _RestClient

    def check(self) -> list[str]:
        problems = super().check()
        if self.environment not in API_BASES:
            problems.append("environment must be 'sandbox' or 'production'.")
        base = self.options.get("api_base") or ""
        if base and urlsplit(base).scheme not in ("http", "https"):
            problems.append("api_base must be an http(s) URL, or empty.")
        return problems

    @property
    def environment(self) -> str:
        return self.options.get("environment") or "sandbox"

    @property
    def api_base(self) -> str:
        base = self.options.get("api_base") or API_BASES.get(self.environment, "")
        return base.rstrip("/")

    @property
    def timeout(self) -> float:
        return float(self.options.get("timeout") or DEFAULT_TIMEOUT)

    # --- checkout -----------------------------------------------------------------

    def start_checkout(self, request: CheckoutRequest) -> Checkout:
        if request.monthly:
            return self._start_subscription(request)
        return self._start_order(request)

    def _start_order(self, request: CheckoutRequest) -> Checkout:
        experience = {
            "return_url": request.success_url,
            "cancel_url": request.cancel_url,
            "user_action": "PAY_NOW",
            "shipping_preference": "NO_SHIPPING",
        }
        paypal = {"experience_context": experience}
        if request.email:
            paypal["email_address"] = request.email
        body = {
            "intent": "CAPTURE",
            "purchase_units": [
                {
                    "reference_id": request.reference,
                    "custom_id": request.reference,
                    "description": request.description[:127],
                    "amount": _money(request.amount_minor, request.currency),
                }
            ],
            "payment_source": {"paypal": paypal},
        }
        order = self._call(
            "create the payment",
            self._sdk.orders.create_order,
            body=body,
            # The same donation never makes two orders, even when retried.
            paypal_request_id=f"order-{request.reference}",
            prefer="return=minimal",
        )
        return Checkout(
            redirect_url=_link(order, "payer-action", "approve"),
            checkout_ref=order["id"],
        )

    def _start_subscription(self, request: CheckoutRequest) -> Checkout:
        body = {
            "plan_id": self._plan_id(request.amount_minor, request.currency),
            "custom_id": request.reference,
            "application_context": {
                "return_url": request.success_url,
                "cancel_url": request.cancel_url,
                "user_action": "SUBSCRIBE_NOW",
                "shipping_preference": "NO_SHIPPING",
            },
        }
        if request.email:
            body["subscriber"] = {"email_address": request.email}
        subscription = self._call(
            "start the monthly gift",
            self._sdk.subscriptions.create_subscription,
            body=body,
            paypal_request_id=f"subscription-{request.reference}",
            prefer="return=minimal",
        )
        return Checkout(
            redirect_url=_link(subscription, "approve"),
            checkout_ref=subscription["id"],
        )

    def _plan_id(self, amount_minor: int, currency: str) -> str:
        """The monthly plan for this amount, made once and then cached."""
        key = self._cache_key(f"plan:{currency}:{amount_minor}")
        plan_id = cache.get(key)
        if plan_id:
            return plan_id
        amount = _money(amount_minor, currency)
        body = {
            "product_id": self._product_id(),
            "name": f"Monthly donation of {amount['value']} {currency}",
            "status": "ACTIVE",
            "billing_cycles": [
                {
                    "frequency": {"interval_unit": "MONTH", "interval_count": 1},
                    "tenure_type": "REGULAR",
                    "sequence": 1,
                    "total_cycles": 0,  # until cancelled
                    "pricing_scheme": {"fixed_price": amount},
                }
            ],
            "payment_preferences": {
                "auto_bill_outstanding": True,
                "payment_failure_threshold": 3,
            },
        }
        plan = self._call(
            "set up the monthly gift",
            self._sdk.subscriptions.create_billing_plan,
            body=body,
            # Two readers starting the same new amount at once get one plan.
            paypal_request_id=self._cache_key(f"plan-{currency}-{amount_minor}"),
            prefer="return=minimal",
        )
        cache.set(key, plan["id"], PLAN_CACHE_SECONDS)
        return plan["id"]

    def _product_id(self) -> str:
        key = self._cache_key("product")
        product_id = cache.get(key)
        if not product_id:
            product = self._rest.post(
                "/v1/catalogs/products",
                {"name": "Monthly donation", "type": "SERVICE"},
                request_id=self._cache_key("product"),
            )
            product_id = product["id"]
            cache.set(key, product_id, PLAN_CACHE_SECONDS)
        return product_id

    def _cache_key(self, what: str) -> str:
        # Per account and API, so a sandbox plan is never offered in production.
        account = hashlib.sha256(
            f"{self.api_base}|{self.options.get('client_id')}".encode()
        ).hexdigest()[:16]
        return f"masthead.revenue.paypal.{account}.{what}"

    # --- the reader's return ---------------------------------------------------------

    def complete_return(self, donation, params) -> list[ProviderEvent]:
        if donation.status != DonationStatus.PENDING:
            return []  # a reload of the thanks page, or the webhook came first
        if donation.interval == Interval.MONTHLY:
            subscription_id = params.get("subscription_id")
            return self._complete_subscription(donation, subscription_id)
        order_id = params.get("token")
        if not order_id:
            return []  # back without approving (cancel_url has no token)
        if order_id != donation.checkout_ref:
            raise ProviderError("This PayPal payment belongs to another donation.")
        return self._capture(donation, order_id)

    def _capture(self, donation, order_id: str) -> list[ProviderEvent]:
        order = self._call(
            "take the payment",
            self._sdk.orders.capture_order,
            id=order_id,
            # A repeated capture (a double click, a retry) answers the first one.
            paypal_request_id=f"capture-{order_id}",
            prefer="return=representation",
        )
        payer = order.get("payer") or {}
        captures = [
            capture
            for unit in order.get("purchase_units") or []
            for capture in (unit.get("payments") or {}).get("captures") or []
        ]
        if not captures:
            raise ProviderError("PayPal did not take the payment; nothing was charged.")
        capture = captures[0]
        status = capture.get("status")
        if status in ("DECLINED", "FAILED"):
            kind = EventKind.PAYMENT_FAILED
        elif status == "COMPLETED":
            kind = EventKind.PAYMENT_COMPLETED
        else:
            # PENDING (an eCheck, a review): the capture webhook completes it.
            return []
        amount_minor, currency = _amount(capture.get("amount"))
        return [
            ProviderEvent(
                event_id=f"capture:{capture['id']}",
                kind=kind,
                occurred_at=_time(capture.get("create_time")),
                reference=str(donation.public_id),
                checkout_ref=order_id,
                payment_ref=capture["id"],
                amount_minor=amount_minor,
                currency=currency,
                email=payer.get("email_address") or "",
                name=_full_name(payer.get("name")),
            )
        ]

    def _complete_subscription(self, donation, subscription_id) -> list[ProviderEvent]:
        if not subscription_id:
            return []
        if subscription_id != donation.checkout_ref:
            raise ProviderError("This PayPal subscription belongs to another donation.")
        subscription = self._call(
            "confirm the monthly gift",
            self._sdk.subscriptions.get_subscription,
            id=subscription_id,
        )
        if subscription.get("status") != "ACTIVE":
            return []  # APPROVAL_PENDING or APPROVED: the activation webhook follows
        return [self._activation(subscription, event_id=None, donation=donation)]

    def _activation(self, subscription: dict, event_id, donation=None) -> ProviderEvent:
        """A subscription that became active: the monthly gift's first payment."""
        billing = subscription.get("billing_info") or {}
        last_payment = billing.get("last_payment") or {}
        amount_minor, currency = _amount(last_payment.get("amount"))
        if amount_minor is None and donation is not None:
            amount_minor, currency = self._plan_amount(subscription.get("plan_id"))
        subscriber = subscription.get("subscriber") or {}
        return ProviderEvent(
            # Not the webhook's id: whichever of the return and the webhook comes
            # second still gets recorded (and may bring the first sale's id).
            event_id=event_id or f"subscription:{subscription['id']}:activated",
            kind=EventKind.PAYMENT_COMPLETED,
            occurred_at=_time(
                last_payment.get("time")
                or subscription.get("status_update_time")
                or subscription.get("start_time")
            ),
            reference=subscription.get("custom_id")
            or (str(donation.public_id) if donation else ""),
            checkout_ref=subscription["id"],
            payment_ref=self._first_sale_id(subscription),
            subscription_ref=subscription["id"],
            amount_minor=amount_minor,
            currency=currency,
            email=subscriber.get("email_address") or "",
            name=_full_name(subscriber.get("name")),
        )

    def _plan_amount(self, plan_id) -> tuple[int | None, str]:
        if not plan_id:
            return None, ""
        plan = self._call(
            "confirm the monthly gift",
            self._sdk.subscriptions.get_billing_plan,
            id=plan_id,
        )
        for cycle in plan.get("billing_cycles") or []:
            if cycle.get("tenure_type") == "REGULAR":
                return _amount((cycle.get("pricing_scheme") or {}).get("fixed_price"))
        return None, ""

    def _first_sale_id(self, subscription: dict) -> str:
        """The first payment's sale id, so that its PAYMENT.SALE.COMPLETED is known.

        Empty when PayPal has not listed it yet; then the sale webhook cannot
        tell the first payment from a renewal (see the report on services).
        """
        start = _time(subscription.get("start_time") or subscription.get("create_time"))
        try:
            listing = self._call(
                "confirm the monthly gift",
                self._sdk.subscriptions.list_subscription_transactions,
                id=subscription["id"],
                start_time=_iso(start - timedelta(days=1)),
                end_time=_iso(timezone.now() + timedelta(days=1)),
            )
        except ProviderError:
            return ""  # the gift still starts; only the sale id is unknown
        for transaction in listing.get("transactions") or []:
            if transaction.get("status") == "COMPLETED" and transaction.get("id"):
                return transaction["id"]
        return ""

    # --- webhooks ------------------------------------------------------------------

    def parse_webhook(self, body: bytes, headers) -> list[ProviderEvent]:
        try:
            text = body.decode("utf-8")
            event = json.loads(text)
        except (UnicodeDecodeError, ValueError):
            raise WebhookRejected("the body is not JSON") from None
        if not (
            isinstance(event, dict)
            and isinstance(event.get("id"), str)
            and isinstance(event.get("event_type"), str)
            and isinstance(event.get("resource"), dict)
        ):
            raise WebhookRejected("the body is not a PayPal event")
        signature = {
            key: headers.get(name, "") for key, name in SIGNATURE_HEADERS.items()
        }
        missing = [
            name for key, name in SIGNATURE_HEADERS.items() if not signature[key]
        ]
        if missing:
            raise WebhookRejected(f"missing {', '.join(missing)}")
        self._check_fresh(signature["transmission_time"])
        self._verify(signature, text)
        try:
            return [self._event(event)]
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise WebhookRejected(f"event lacks {error}") from None

    def _check_fresh(self, transmission_time: str) -> None:
        try:
            sent = datetime.fromisoformat(transmission_time)
        except ValueError:
            raise WebhookRejected("PAYPAL-TRANSMISSION-TIME is not a time") from None
        if sent.tzinfo is None:
            sent = sent.replace(tzinfo=UTC)
        tolerance = conf.get("MASTHEAD_WEBHOOK_TOLERANCE_SECONDS")
        skew = conf.get("MASTHEAD_WEBHOOK_FUTURE_SKEW_SECONDS")
        age = (timezone.now() - sent).total_seconds()
        if age > tolerance:
            raise WebhookRejected("the transmission time is too old")
        if age < -skew:
            raise WebhookRejected("the transmission time is in the future")

    def _verify(self, signature: dict, event_text: str) -> None:
        # PayPal checks the event as it sent it, so the body goes in verbatim:
        # re-encoding it (key order, number format) would fail the signature.
        fields = {**signature, "webhook_id": self.options.get("webhook_id", "")}
        payload = json.dumps(fields)[:-1] + ', "webhook_event": ' + event_text + "}"
        try:
            answer = self._rest.post(
                "/v1/notifications/verify-webhook-signature", raw=payload
            )
        except ProviderError as error:
            # PayPal retries a webhook we refuse, so an outage only delays it.
            raise WebhookRejected(f"could not verify: {error}") from None
        if answer.get("verification_status") != "SUCCESS":
            raise WebhookRejected("PayPal did not confirm the signature")

    def _event(self, event: dict) -> ProviderEvent:
        kind = event["event_type"]
        resource = event["resource"]
        base = {
            "event_id": event["id"],
            "occurred_at": _time(event.get("create_time")),
        }
        sent_from = _environment_of(event)
        if sent_from and sent_from != self.environment:
            # PayPal has no livemode flag; the event's links name its API.
            return ignored(
                event["id"],
                base["occurred_at"],
                f"a {sent_from} event on a {self.environment} site",
            )
        if kind in DISPUTE_OPENING_EVENTS or kind == "CUSTOMER.DISPUTE.RESOLVED":
            return self._dispute(kind, resource, base)
        if kind == "PAYMENT.CAPTURE.COMPLETED":
            amount_minor, currency = _amount(resource.get("amount"))
            related = (resource.get("supplementary_data") or {}).get("related_ids")
            return ProviderEvent(
                kind=EventKind.PAYMENT_COMPLETED,
                reference=resource.get("custom_id") or "",
                checkout_ref=(related or {}).get("order_id") or "",
                payment_ref=resource.get("id") or "",
                amount_minor=amount_minor,
                currency=currency,
                **base,
            )
        if kind == "PAYMENT.CAPTURE.DENIED":
            return ProviderEvent(
                kind=EventKind.PAYMENT_FAILED,
                reference=resource.get("custom_id") or "",
                payment_ref=resource.get("id") or "",
                **base,
            )
        if kind in REFUND_EVENTS:
            return ProviderEvent(
                kind=EventKind.REFUNDED,
                reference=resource.get("custom_id") or "",
                payment_ref=_refunded_capture(event),
                **base,
            )
        if kind == "PAYMENT.SALE.COMPLETED" and resource.get("billing_agreement_id"):
            amount = resource.get("amount") or {}
            amount_minor, currency = _amount(
                {"value": amount.get("total"), "currency_code": amount.get("currency")}
            )
            return ProviderEvent(
                kind=EventKind.RENEWAL_PAID,
                subscription_ref=resource["billing_agreement_id"],
                payment_ref=resource.get("id") or "",
                amount_minor=amount_minor,
                currency=currency,
                **base,
            )
        if kind == "BILLING.SUBSCRIPTION.ACTIVATED" and resource.get("id"):
            return self._activation(resource, event_id=event["id"])
        if kind == "BILLING.SUBSCRIPTION.CANCELLED" and resource.get("id"):
            return ProviderEvent(
                kind=EventKind.GIFT_CANCELLED,
                reference=resource.get("custom_id") or "",
                subscription_ref=resource["id"],
                **base,
            )
        return ProviderEvent(kind=EventKind.IGNORED, **base)

    def _dispute(self, kind: str, resource: dict, base: dict) -> ProviderEvent:
        found = resource.get("dispute_outcome")
        outcome = found.get("outcome_code") if isinstance(found, dict) else None
        if kind == "CUSTOMER.DISPUTE.RESOLVED" or resource.get("status") == "RESOLVED":
            won = outcome in DISPUTE_WON_OUTCOMES
            dispute_kind = EventKind.DISPUTE_WON if won else EventKind.DISPUTE_LOST
        else:
            dispute_kind = EventKind.DISPUTE_OPENED
        amount_minor, currency = _amount(resource.get("dispute_amount"))
        return ProviderEvent(
            kind=dispute_kind,
            payment_ref=_disputed_transaction(resource),
            amount_minor=amount_minor,
            currency=currency,
            **base,
        )

    # --- the monthly donor's page -----------------------------------------------------

    def manage_url(self, gift, return_url: str) -> str:
        # PayPal has no portal link for a payer; this is their list of autopays.
        return MANAGE_URLS.get(self.environment, MANAGE_URLS["production"])

    def cancel_gift(self, gift) -> None:
        self._call(
            "stop the monthly gift",
            self._sdk.subscriptions.cancel_subscription,
            id=gift.subscription_ref,
            body={"reason": "The donor asked us to erase their data."},
        )

    # --- talking to PayPal ------------------------------------------------------------

    @property
    def _sdk(self) -> PaypalServersdkClient:
        with self._lock:
            if self._sdk_client is None:
                self._sdk_client = PaypalServersdkClient(config=self._configuration())
            return self._sdk_client

    def _configuration(self) -> Configuration:
        settings = {
            "timeout": self.timeout,
            "max_retries": 0,  # a reader waits; PayPal-Request-Id makes a retry safe
            "environment": (
                Environment.PRODUCTION
                if self.environment == "production"
                else Environment.SANDBOX
            ),
            "client_credentials_auth_credentials": ClientCredentialsAuthCredentials(
                o_auth_client_id=self.options.get("client_id"),
                o_auth_client_secret=self.options.get("client_secret"),
                o_auth_on_token_update=self._remember_token,
            ),
        }
        if self.options.get("api_base"):
            return _LocalConfiguration(self.api_base, **settings)
        return Configuration(**settings)

    def _remember_token(self, token) -> None:
        self._token = token

    def _access_token(self) -> str:
        """The SDK's bearer token (fetched or refreshed as needed) for _RestClient."""
        try:
            valid = self._sdk.oauth_2.is_valid()
        except (ApiException, OSError) as error:
            raise ProviderError(f"PayPal did not sign us in ({error}).") from None
        if not valid or self._token is None:
            raise ProviderError("PayPal did not sign us in; check the client id.")
        return self._token.access_token

    @property
    def _rest(self) -> "_RestClient":
        return _RestClient(self.api_base, self._access_token, self.timeout)

    def _call(self, doing: str, method, **options) -> dict:
        """One SDK call, its JSON as a dict; any failure becomes a ProviderError."""
        try:
            response = method(options)
        except ApiException as error:
            logger.warning("PayPal %s: %s %s", doing, error, error.response.text)
            raise ProviderError(_refusal(doing, error)) from None
        except (AuthValidationException, OSError) as error:
            logger.warning("PayPal %s: %s", doing, error)
            raise ProviderError(
                f"PayPal is not answering, so we could not {doing}; "
                "nothing was charged."
            ) from None
        try:
            answer = json.loads(response.text or "{}")
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise ProviderError(f"PayPal answered oddly, so we could not {doing}.")
        return answer


class _RestClient:
    """The two PayPal calls the SDK lacks, as plain JSON over HTTPS."""

    def __init__(self, base_url: str, token, timeout: float):
        if urlsplit(base_url).scheme not in ("http", "https"):
            raise ProviderError("PayPal's address is not an http(s) URL.")
        self.base_url = base_url
        self.token = token  # called lazily, so a bad body never costs a token
        self.timeout = timeout

    def post(self, path: str, body=None, raw: str = "", request_id: str = "") -> dict:
        data = raw or json.dumps(body)
        headers = {
            "Authorization": f"Bearer {self.token()}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        if request_id:
            headers["PayPal-Request-Id"] = request_id
        request = urllib.request.Request(  # noqa: S310 (scheme checked above)
            self.base_url + path, data=data.encode(), headers=headers, method="POST"
        )
        try:
            # The scheme was checked in __init__: http(s) only.
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310  # nosec B310
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            detail = error.read()[:500].decode(errors="replace")
            logger.warning("PayPal %s answered %s: %s", path, error.code, detail)
            raise ProviderError(f"PayPal answered {error.code}.") from None
        except (OSError, ValueError) as error:
            logger.warning("PayPal %s failed: %s", path, error)
            raise ProviderError("PayPal is not answering.") from None
        if not isinstance(answer, dict):
            raise ProviderError("PayPal answered oddly.")
        return answer


def _money(amount_minor: int, currency: str) -> dict:
    """PayPal's amount: the value as a string of major units ("12.50")."""
    return {"currency_code": currency, "value": str(to_major(amount_minor, currency))}


def _amount(money) -> tuple[int | None, str]:
    if not isinstance(money, dict) or not money.get("value"):
        return None, ""
    currency = str(money.get("currency_code") or "").upper()
    try:
        return to_minor(money["value"], currency), currency
    except ValueError:
        return None, currency


def _link(resource: dict, *rels: str) -> str:
    links = {link.get("rel"): link.get("href") for link in resource.get("links") or []}
    for rel in rels:
        if links.get(rel):
            return links[rel]
    raise ProviderError("PayPal gave no page to approve the payment on.")


def _refunded_capture(event: dict) -> str:
    """The capture a refund (or reversal) undoes: its "up" link names it."""
    resource = event["resource"]
    for link in resource.get("links") or []:
        href = link.get("href") or ""
        if link.get("rel") == "up" and "/captures/" in href:
            return href.rstrip("/").rsplit("/", 1)[-1]
    if event.get("resource_type") == "capture":
        return resource.get("id") or ""
    return ""


def _disputed_transaction(resource: dict) -> str:
    """Our capture (or a subscription's sale) that the dispute contests."""
    transactions = resource.get("disputed_transactions")
    for transaction in transactions if isinstance(transactions, list) else []:
        if isinstance(transaction, dict) and transaction.get("seller_transaction_id"):
            return str(transaction["seller_transaction_id"])
    return ""


def _environment_of(event: dict) -> str:
    """ "sandbox" or "production" as the event's links tell, or "" if they don't."""
    links = []
    for holder in (event, event["resource"]):
        if isinstance(holder.get("links"), list):
            links += [link for link in holder["links"] if isinstance(link, dict)]
    for link in links:
        try:
            host = urlsplit(str(link.get("href") or "")).hostname
        except ValueError:
            continue
        if host in API_HOSTS:
            return API_HOSTS[host]
    return ""


def _full_name(name) -> str:
    if not isinstance(name, dict):
        return ""
    if name.get("full_name"):
        return name["full_name"]
    return " ".join(filter(None, [name.get("given_name"), name.get("surname")]))


def _time(text) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return timezone.now()
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _refusal(doing: str, error: ApiException) -> str:
    """What the reader reads when PayPal says no."""
    if error.response_code >= 500:
        return f"PayPal is not answering, so we could not {doing}; nothing was charged."
    details = getattr(error, "details", None) or []
    issue = getattr(details[0], "issue", None) if details else None
    issue = issue or getattr(error, "name", None) or str(error.response_code)
    if issue == "INSTRUMENT_DECLINED":
        return "PayPal declined the payment method; nothing was charged."
    return f"PayPal refused to {doing} ({issue}); nothing was charged."
