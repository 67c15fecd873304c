"""A stand-in for PayPal's REST API, on loopback, for tests and browser tests.

It answers the calls PayPalProvider makes, with the shapes PayPal documents
(trimmed to the fields we read), and serves the pages a payer would see on
paypal.com: an approval page whose button sends the browser back to our
return_url the way PayPal does. Every request is recorded; switches make it
decline captures, fail outright, or refuse webhook signatures.
"""

import base64
import html
import itertools
import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

CLIENT_ID = "fake-client-id"
CLIENT_SECRET = "fake-client-secret"  # noqa: S105 (a test fixture)
ACCESS_TOKEN = "A21AAfake-access-token"  # noqa: S105
WEBHOOK_ID = "WH-FAKE-WEBHOOK-ID"
PAYER = {
    "payer_id": "FAKEPAYER1",
    "email_address": "payer@example.com",
    "name": {"given_name": "Pat", "surname": "Payer"},
}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class FakePayPal:
    """The fake's state and switches; `url` is its base address."""

    def __init__(self):
        self.requests: list[dict] = []
        self.orders: dict[str, dict] = {}
        self.products: dict[str, dict] = {}
        self.plans: dict[str, dict] = {}
        self.subscriptions: dict[str, dict] = {}
        self.captured: dict[str, dict] = {}  # PayPal-Request-Id -> the answer
        self.created: dict[str, tuple] = {}  # PayPal-Request-Id -> (status, answer)
        self.capture_fails = False  # 422 INSTRUMENT_DECLINED on capture
        self.fails = False  # every API call answers 500
        self.fail_paths: set[str] = set()  # these paths (POST or GET) answer 500
        self.sales_listed = True  # False: a new subscription lists no sale yet
        self.verification_status = "SUCCESS"
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    def start(self) -> "FakePayPal":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}FAKE"

    def calls(self, method: str, path: str) -> list[dict]:
        """Recorded requests to `path` (an exact path, without the query)."""
        return [r for r in self.requests if r["method"] == method and r["path"] == path]

    # --- what a payer does on paypal.com, for tests that skip the browser ---------

    def approve(self, checkout_id: str) -> str:
        """Approve an order or subscription; returns where PayPal sends the payer."""
        with self._lock:
            if checkout_id in self.orders:
                order = self.orders[checkout_id]
                order["status"] = "APPROVED"
                query = {"token": checkout_id, "PayerID": PAYER["payer_id"]}
                return f"{order['return_url']}?{urlencode(query)}"
            subscription = self.subscriptions[checkout_id]
            self._activate(subscription)
            query = {
                "subscription_id": checkout_id,
                "ba_token": subscription["ba_token"],
                "token": subscription["ba_token"],
            }
            return f"{subscription['return_url']}?{urlencode(query)}"

    def _activate(self, subscription: dict) -> None:
        plan = self.plans[subscription["plan_id"]]
        price = plan["billing_cycles"][0]["pricing_scheme"]["fixed_price"]
        now = _now()
        subscription.update(
            status="ACTIVE",
            status_update_time=now,
            subscriber={
                "email_address": PAYER["email_address"],
                "name": PAYER["name"],
                "payer_id": PAYER["payer_id"],
            },
            billing_info={
                "outstanding_balance": {"currency_code": price["currency_code"]}
                | {"value": "0.00"},
                "last_payment": {"amount": dict(price), "time": now},
                "failed_payments_count": 0,
            },
        )
        subscription["sales"] = [
            {
                "id": self.new_id("SALE"),
                "status": "COMPLETED",
                "amount_with_breakdown": {"gross_amount": dict(price)},
                "time": now,
            }
        ]

    # --- the API -----------------------------------------------------------------

    def answer(self, method: str, path: str, query: dict, headers, body):
        """(status, JSON or HTML) for one request."""
        if path == "/checkoutnow" or path == "/webapps/billing/subscriptions":
            return self._approval_page(query)
        if path == "/fake/approve":
            return 302, self.approve(query.get("id", [""])[0])
        if self.fails or path in self.fail_paths:
            return 500, _error("INTERNAL_SERVER_ERROR", "An internal error occurred.")
        if path == "/v1/oauth2/token":
            return self._token(headers)
        if headers.get("Authorization") != f"Bearer {ACCESS_TOKEN}":
            return 401, {"error": "invalid_token", "error_description": "Bad token"}
        route = (method, *path.strip("/").split("/"))
        with self._lock:
            match route:
                case ("POST", "v2", "checkout", "orders"):
                    return self._once(headers, lambda: self._create_order(body))
                case ("GET", "v2", "checkout", "orders", order_id):
                    return self._found(self.orders, order_id, self._order_view)
                case ("POST", "v2", "checkout", "orders", order_id, "capture"):
                    return self._capture(order_id, headers.get("PayPal-Request-Id"))
                case ("POST", "v1", "catalogs", "products"):
                    return self._create(self.products, "PROD-", body)
                case ("POST", "v1", "billing", "plans"):
                    return self._create(self.plans, "P-", body, status="ACTIVE")
                case ("GET", "v1", "billing", "plans", plan_id):
                    return self._found(self.plans, plan_id, dict)
                case ("POST", "v1", "billing", "subscriptions"):
                    return self._once(headers, lambda: self._create_subscription(body))
                case ("POST", "v1", "billing", "subscriptions", sub_id, "cancel"):
                    if sub_id not in self.subscriptions:
                        return 404, _error("RESOURCE_NOT_FOUND", "No subscription")
                    self.subscriptions[sub_id]["status"] = "CANCELLED"
                    return 204, ""  # PayPal answers No Content
                case ("GET", "v1", "billing", "subscriptions", subscription_id):
                    return self._found(
                        self.subscriptions, subscription_id, self._subscription_view
                    )
                case ("GET", "v1", "billing", "subscriptions", sub_id, "transactions"):
                    return self._found(
                        self.subscriptions,
                        sub_id,
                        lambda s: {
                            "transactions": s.get("sales", [])
                            if self.sales_listed
                            else []
                        },
                    )
                case ("POST", "v1", "notifications", "verify-webhook-signature"):
                    return 200, {"verification_status": self.verification_status}
        return 404, _error("RESOURCE_NOT_FOUND", f"No route {method} {path}")

    def _once(self, headers, create):
        """PayPal answers a repeated PayPal-Request-Id with the first answer."""
        request_id = headers.get("PayPal-Request-Id")
        if request_id and request_id in self.created:
            return self.created[request_id]
        answer = create()
        if request_id:
            self.created[request_id] = answer
        return answer

    def _token(self, headers):
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if headers.get("Authorization") != f"Basic {expected}":
            return 401, {"error": "invalid_client", "error_description": "Bad client"}
        return 200, {
            "scope": "https://uri.paypal.com/services/payments/payment",
            "access_token": ACCESS_TOKEN,
            "token_type": "Bearer",
            "app_id": "APP-FAKE",
            "expires_in": 32400,
            "nonce": "fake-nonce",
        }

    def _create_order(self, body):
        if not isinstance(body, dict) or not body.get("purchase_units"):
            return 400, _error("INVALID_REQUEST", "purchase_units is required")
        order_id = self.new_id("ORDER")
        context = (
            ((body.get("payment_source") or {}).get("paypal") or {}).get(
                "experience_context"
            )
            or body.get("application_context")
            or {}
        )
        self.orders[order_id] = {
            "id": order_id,
            "status": "PAYER_ACTION_REQUIRED",
            "body": body,
            "return_url": context.get("return_url", ""),
            "cancel_url": context.get("cancel_url", ""),
            "create_time": _now(),
        }
        return 201, self._order_view(self.orders[order_id])

    def _order_view(self, order):
        rel = "payer-action" if order["body"].get("payment_source") else "approve"
        return {
            "id": order["id"],
            "status": order["status"],
            "links": [
                {
                    "href": f"{self.url}/v2/checkout/orders/{order['id']}",
                    "rel": "self",
                    "method": "GET",
                },
                {
                    "href": f"{self.url}/checkoutnow?token={order['id']}",
                    "rel": rel,
                    "method": "GET",
                },
            ],
        }

    def _capture(self, order_id, request_id):
        if request_id and request_id in self.captured:
            return 201, self.captured[request_id]
        order = self.orders.get(order_id)
        if order is None:
            return 404, _error("RESOURCE_NOT_FOUND", "The order does not exist.")
        if self.capture_fails:
            return 422, _error(
                "UNPROCESSABLE_ENTITY",
                "The requested action could not be performed.",
                "INSTRUMENT_DECLINED",
            )
        if order["status"] == "COMPLETED":
            return 422, _error(
                "UNPROCESSABLE_ENTITY", "Captured.", "ORDER_ALREADY_CAPTURED"
            )
        if order["status"] != "APPROVED":
            return 422, _error(
                "UNPROCESSABLE_ENTITY", "Not approved.", "ORDER_NOT_APPROVED"
            )
        unit = order["body"]["purchase_units"][0]
        capture_id = self.new_id("CAPTURE")
        order["status"] = "COMPLETED"
        order["capture"] = {
            "id": capture_id,
            "status": "COMPLETED",
            "amount": unit["amount"],
            "final_capture": True,
            "custom_id": unit.get("custom_id"),
            "create_time": _now(),
            "update_time": _now(),
            "links": [
                {
                    "href": f"{self.url}/v2/payments/captures/{capture_id}",
                    "rel": "self",
                    "method": "GET",
                },
                {
                    "href": f"{self.url}/v2/checkout/orders/{order_id}",
                    "rel": "up",
                    "method": "GET",
                },
            ],
        }
        answer = {
            "id": order_id,
            "status": "COMPLETED",
            "payment_source": {"paypal": {"email_address": PAYER["email_address"]}},
            "payer": PAYER,
            "purchase_units": [
                {
                    "reference_id": unit.get("reference_id", "default"),
                    "payments": {"captures": [order["capture"]]},
                }
            ],
            "links": [
                {
                    "href": f"{self.url}/v2/checkout/orders/{order_id}",
                    "rel": "self",
                    "method": "GET",
                }
            ],
        }
        if request_id:
            self.captured[request_id] = answer
        return 201, answer

    def _create(self, store, prefix, body, **extra):
        if not isinstance(body, dict):
            return 400, _error("INVALID_REQUEST", "A JSON body is required.")
        resource = {**body, **extra, "id": self.new_id(prefix), "create_time": _now()}
        store[resource["id"]] = resource
        return 201, resource

    def _create_subscription(self, body):
        if not isinstance(body, dict) or body.get("plan_id") not in self.plans:
            return 422, _error("UNPROCESSABLE_ENTITY", "No such plan.", "INVALID_PLAN")
        subscription_id = self.new_id("I-")
        context = body.get("application_context") or {}
        self.subscriptions[subscription_id] = {
            "id": subscription_id,
            "status": "APPROVAL_PENDING",
            "plan_id": body["plan_id"],
            "custom_id": body.get("custom_id"),
            "ba_token": self.new_id("BA-"),
            "return_url": context.get("return_url", ""),
            "cancel_url": context.get("cancel_url", ""),
            "start_time": _now(),
            "create_time": _now(),
            "body": body,
        }
        return 201, self._subscription_view(self.subscriptions[subscription_id])

    def _subscription_view(self, subscription):
        hidden = {"ba_token", "return_url", "cancel_url", "body", "sales"}
        view = {k: v for k, v in subscription.items() if k not in hidden}
        view["links"] = [
            {
                "href": f"{self.url}/webapps/billing/subscriptions"
                f"?ba_token={subscription['ba_token']}",
                "rel": "approve",
                "method": "GET",
            },
            {
                "href": f"{self.url}/v1/billing/subscriptions/{subscription['id']}",
                "rel": "self",
                "method": "GET",
            },
        ]
        return view

    @staticmethod
    def _found(store, key, view):
        if key not in store:
            return 404, _error("RESOURCE_NOT_FOUND", "The resource does not exist.")
        return 200, view(store[key])

    def _approval_page(self, query):
        token = (query.get("token") or query.get("ba_token") or [""])[0]
        checkout_id = token
        if token not in self.orders:
            checkout_id = next(
                (
                    s["id"]
                    for s in self.subscriptions.values()
                    if s["ba_token"] == token
                ),
                "",
            )
        if not checkout_id:
            return 404, "<!doctype html><title>PayPal (fake)</title><p>Unknown token."
        amount = self._checkout_amount(checkout_id)
        page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PayPal (fake) checkout</title>
<style>body{{font:16px sans-serif;max-width:30rem;margin:3rem auto}}
a.pay{{display:inline-block;background:#ffc439;color:#111;padding:.8rem 1.4rem;
border-radius:2rem;text-decoration:none;font-weight:bold}}</style></head>
<body><h1>PayPal (fake)</h1>
<p>Pay <strong data-amount>{html.escape(amount)}</strong>
as {PAYER["email_address"]}.</p>
<p><a class="pay" href="/fake/approve?id={html.escape(checkout_id)}">Pay with PayPal
(fake)</a></p></body></html>"""
        return 200, page

    def _checkout_amount(self, checkout_id: str) -> str:
        if checkout_id in self.orders:
            amount = self.orders[checkout_id]["body"]["purchase_units"][0]["amount"]
        else:
            plan = self.plans[self.subscriptions[checkout_id]["plan_id"]]
            amount = plan["billing_cycles"][0]["pricing_scheme"]["fixed_price"]
        return f"{amount['value']} {amount['currency_code']}"


def _error(name: str, message: str, issue: str = "") -> dict:
    body = {"name": name, "message": message, "debug_id": "fakedebug123", "links": []}
    if issue:
        body["details"] = [{"issue": issue, "description": message}]
    return body


def _handler(fake: FakePayPal):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self._serve("GET")

        def do_POST(self):
            self._serve("POST")

        def _serve(self, method):
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode(errors="replace")
            fake.requests.append(
                {
                    "method": method,
                    "path": parts.path,
                    "query": parse_qs(parts.query),
                    "headers": dict(self.headers),
                    "body": body,
                    "raw": raw,
                }
            )
            status, answer = fake.answer(
                method, parts.path, parse_qs(parts.query), self.headers, body
            )
            if status == 302:
                self.send_response(302)
                self.send_header("Location", answer)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if isinstance(answer, str):
                data, kind = answer.encode(), "text/html; charset=utf-8"
            else:
                data, kind = json.dumps(answer).encode(), "application/json"
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format, *args):
            pass  # quiet; `requests` records everything

    return Handler
