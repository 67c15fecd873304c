"""A local stand-in for the parts of Stripe's API that Masthead calls.

The real SDK talks to it over HTTP (StripeClient's base_addresses), so the
tests exercise the same encoding, headers and error handling as production.
Responses follow the shapes in Stripe's API reference, trimmed to the fields
we read. Every request is recorded with its form body flattened
(`line_items[0][price_data][unit_amount]` -> "1250").
"""

import hashlib
import hmac
import json
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

ERRORS = {
    402: {
        "type": "card_error",
        "code": "card_declined",
        "message": "Your card was declined.",
    },
    404: {
        "type": "invalid_request_error",
        "code": "resource_missing",
        "message": "No such subscription.",
    },
    500: {"type": "api_error", "message": "Something went wrong on Stripe's end."},
}


@dataclass
class Recorded:
    method: str
    path: str
    form: dict
    headers: dict


@dataclass
class FakeStripe:
    """The server's state: what it was asked, and whether it should fail."""

    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    fail_status: int | None = None
    delay: float = 0.0  # seconds before answering, to test our timeout
    subscriptions: dict[str, dict] = field(default_factory=dict)
    # PaymentIntent id -> the invoice it paid (a monthly payment).
    invoice_payments: dict[str, str] = field(default_factory=dict)
    # Idempotency-Key -> the first answer, replayed as Stripe does for a day.
    idempotent: dict[str, dict] = field(default_factory=dict)

    def fail(self, status: int = 500) -> None:
        """Answer every following request with Stripe's error shape."""
        self.fail_status = status

    def calls(self, method: str, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path == path]


def _id(prefix: str) -> str:
    return f"{prefix}_test_{uuid.uuid4().hex[:24]}"


def _handler(state: FakeStripe, lock: threading.Lock):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):
            pass  # keep pytest's output clean

        def do_GET(self):
            self._serve("GET")

        def do_POST(self):
            self._serve("POST")

        def do_DELETE(self):
            self._serve("DELETE")

        def _serve(self, method: str):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode() if length else ""
            url = urlsplit(self.path)
            path = url.path
            # The SDK sends a GET's parameters in the query string.
            form = dict(parse_qsl(raw or url.query, keep_blank_values=True))
            with lock:
                state.requests.append(
                    Recorded(method, path, form, dict(self.headers.items()))
                )
                failing, delay = state.fail_status, state.delay
            if delay:
                time.sleep(delay)
            if failing:
                return self._send(failing, {"error": ERRORS.get(failing, ERRORS[500])})
            if method == "POST" and path == "/v1/checkout/sessions":
                key = self.headers.get("Idempotency-Key")
                with lock:
                    session = state.idempotent.get(key) or _checkout_session(form)
                    if key:
                        state.idempotent[key] = session
                return self._send(200, session)
            if method == "POST" and path == "/v1/billing_portal/sessions":
                return self._send(200, _portal_session(form))
            if method == "GET" and path == "/v1/invoice_payments":
                payment_intent = form.get("payment[payment_intent]", "")
                with lock:
                    invoice = state.invoice_payments.get(payment_intent)
                return self._send(200, _invoice_payments(invoice, payment_intent))
            if method == "DELETE" and path.startswith("/v1/subscriptions/"):
                subscription_id = path.rsplit("/", 1)[1]
                with lock:
                    found = state.subscriptions.setdefault(
                        subscription_id,
                        {"id": subscription_id, "object": "subscription"},
                    )
                    found["status"] = "canceled"
                return self._send(200, found)
            if method == "GET" and path.startswith("/v1/subscriptions/"):
                subscription_id = path.rsplit("/", 1)[1]
                with lock:
                    found = state.subscriptions.get(subscription_id)
                if found is None:
                    found = {
                        "id": subscription_id,
                        "object": "subscription",
                        "customer": f"cus_for_{subscription_id}",
                        "status": "active",
                        "metadata": {},
                    }
                return self._send(200, found)
            return self._send(
                404,
                {
                    "error": {
                        "type": "invalid_request_error",
                        "message": f"Unrecognized request URL ({method}: {path}).",
                    }
                },
            )

        def _send(self, status: int, payload: dict):
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Request-Id", _id("req"))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def _checkout_session(form: dict) -> dict:
    session_id = _id("cs")
    amount = int(form.get("line_items[0][price_data][unit_amount]", "0"))
    return {
        "id": session_id,
        "object": "checkout.session",
        "mode": form.get("mode"),
        "status": "open",
        "payment_status": "unpaid",
        "amount_total": amount,
        "currency": form.get("line_items[0][price_data][currency]"),
        "client_reference_id": form.get("client_reference_id"),
        "customer_email": form.get("customer_email"),
        "metadata": {"reference": form.get("metadata[reference]", "")},
        "success_url": form.get("success_url"),
        "cancel_url": form.get("cancel_url"),
        "payment_intent": None,
        "subscription": None,
        "url": f"https://checkout.stripe.com/c/pay/{session_id}",
    }


def _invoice_payments(invoice: str | None, payment_intent: str) -> dict:
    data = [
        {
            "id": _id("inpay"),
            "object": "invoice_payment",
            "invoice": invoice,
            "is_default": True,
            "status": "paid",
            "payment": {"type": "payment_intent", "payment_intent": payment_intent},
        }
    ]
    return {
        "object": "list",
        "url": "/v1/invoice_payments",
        "has_more": False,
        "data": data if invoice else [],
    }


def _portal_session(form: dict) -> dict:
    session_id = _id("bps")
    return {
        "id": session_id,
        "object": "billing_portal.session",
        "customer": form.get("customer"),
        "return_url": form.get("return_url"),
        "livemode": False,
        "url": f"https://billing.stripe.com/p/session/{session_id}",
    }


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that timed out (the slow-Stripe test) has hung up; say nothing.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FakeStripeServer:
    """Runs FakeStripe on 127.0.0.1 and a free port, in a daemon thread."""

    def __init__(self):
        self.state = FakeStripe()
        self._server = _QuietServer(
            ("127.0.0.1", 0), _handler(self.state, threading.Lock())
        )
        host, port = self._server.server_address[:2]
        self.state.url = f"http://{host}:{port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeStripe:
        self._thread.start()
        return self.state

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def signed_event(
    payload: dict | str | bytes, secret: str, timestamp: int | None = None
) -> tuple[bytes, str]:
    """The body and Stripe-Signature header Stripe would send for `payload`."""
    if isinstance(payload, dict):
        body = json.dumps(payload).encode()
    elif isinstance(payload, str):
        body = payload.encode()
    else:
        body = payload
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + body
    signature = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return body, f"t={timestamp},v1={signature}"
