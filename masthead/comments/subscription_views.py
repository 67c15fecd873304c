"""Reader pages for following a discussion by email and for erasing one's data.

Every response carries links with tokens or an address, so none is cached
(`never_cache` sends `Cache-Control: private, no-store`). The pages are
script-free: the site's CSP allows no inline code.
"""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from masthead.core import ratelimit

from . import conf, subscriptions, tokens
from .choices import SubscriptionKind, SubscriptionStatus
from .exceptions import FormTokenError, LinkExpired, LinkNotValid
from .views import article_or_404, reader_id, too_many, wants_json

TEMPLATES = "comments/subscriptions"
RATE_MESSAGE = "Too many requests from your connection. Please try again in an hour."
SUBSCRIBE_SENT = (
    "Check your inbox: we have sent you a link to confirm your subscription."
)


def _email_error(email: str) -> str | None:
    if not email:
        return "Please give your email address."
    if len(email) > 254:
        # The column's length: PostgreSQL refuses a longer value with a 500.
        return "Please use an email address of at most 254 characters."
    try:
        validate_email(email)
    except ValidationError:
        return "Please check your email address, e.g. name@example.org."
    return None


def _refusing_window(request, scope: str, email: str) -> int:
    """0 within the limits, else the length of the window that refuses.

    Per connection, and per address so that no one can mail-bomb a stranger.
    """
    limit, window = conf.get("MASTHEAD_COMMENTS_SUBSCRIBE_RATE_PER_IP")
    by_ip = ratelimit.hit(scope, ratelimit.client_ip(request), limit, window)
    by_email = ratelimit.hit(f"{scope}-email", email.lower(), limit, window)
    return 0 if by_ip and by_email else window


def _read_subscribe_form(request, page) -> tuple[dict, dict]:
    """The reader's input, and a message per field that needs another look."""
    data = {
        "email": request.POST.get("email", "").strip(),
        "kinds": request.POST.getlist("kind"),
        "homepage": request.POST.get("homepage", ""),
    }
    errors = {}
    if data["homepage"]:
        errors["homepage"] = "Please leave this field empty."
    try:
        tokens.read_form_token(
            request.POST.get("token", ""), page.pk, reader_id(request)
        )
    except FormTokenError as exc:
        errors["token"] = exc.message
    if message := _email_error(data["email"]):
        errors["email"] = message
    if not data["kinds"]:
        errors["kind"] = "Please choose which new comments you want to hear about."
    elif not set(data["kinds"]) <= set(SubscriptionKind.values):
        errors["kind"] = "Please choose from the options shown."
    return data, errors


@csrf_exempt  # the form sits on cached article pages; the signed token stands in
@never_cache
@require_http_methods(["GET", "POST"])
def subscribe(request, page_id: int):
    """The subscribe form (GET) and its submission (POST, HTML or JSON)."""
    page = article_or_404(page_id)
    data, errors, status = {"kinds": [SubscriptionKind.ALL_COMMENTS]}, {}, 200
    window = 0
    if request.method == "POST":
        data, errors = _read_subscribe_form(request, page)
        status = 400 if errors else 200
        if not errors:
            window = _refusing_window(request, "comments-subscribe", data["email"])
        if window:
            errors, status = {"__all__": RATE_MESSAGE}, 429
        if not errors:
            subscriptions.subscribe(page, data["email"], data["kinds"])
            if wants_json(request):
                return JsonResponse({"ok": True, "message": SUBSCRIBE_SENT})
            context = {"article": page, "sent": SUBSCRIBE_SENT}
            return render(request, f"{TEMPLATES}/subscribe.html", context)
    token = tokens.issue_form_token(page.pk, reader_id(request))
    if errors and wants_json(request):
        response = JsonResponse(
            {"ok": False, "errors": errors, "token": token}, status=status
        )
    else:
        context = {
            "article": page,
            "data": data,
            "errors": errors,
            "form_error": errors.get("__all__"),
            "token": token,
            "kinds": SubscriptionKind.choices,
        }
        response = render(
            request, f"{TEMPLATES}/subscribe.html", context, status=status
        )
    return too_many(response, window) if window else response


def _link_invalid(request, title: str, message: str, status: int = 404):
    context = {"title": title, "message": message}
    return render(request, f"{TEMPLATES}/link_invalid.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    """Ask for a click first (GET), confirm on POST: mail scanners open links."""
    try:
        if request.method == "POST":
            rows = subscriptions.confirm(token)
        else:
            rows = subscriptions.rows_to_confirm(token)
    except LinkExpired:
        return _link_invalid(
            request,
            "This confirmation link has expired",
            "Links to confirm a subscription work for a few days. "
            "Subscribe again from the article to get a new one.",
            status=410,
        )
    except LinkNotValid:
        return _link_invalid(
            request,
            "This confirmation link is not valid",
            "It may be mistyped, already used, replaced by a newer mail, or the "
            "subscription was ended since. If you confirmed already, there is "
            "nothing more to do; otherwise subscribe again from the article.",
        )
    context = {
        "article": rows[0].page,
        "kinds": [SubscriptionKind(row.kind).label for row in rows],
        "done": request.method == "POST",
    }
    return render(request, f"{TEMPLATES}/confirm.html", context)


@csrf_exempt  # RFC 8058 one-click: the mail provider POSTs without our cookie
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """A button (GET); POST, also sent by mail clients' one-click, unsubscribes."""
    row = subscriptions.find(token)
    if row is None:
        return _link_invalid(
            request,
            "Nothing to unsubscribe",
            "We found no subscription for this link, so there is nothing to do: "
            "you will get no mails from it.",
        )
    if request.method == "POST":
        row = subscriptions.unsubscribe(token)
    context = {
        "article": row.page,
        "done": row.status == SubscriptionStatus.UNSUBSCRIBED,
    }
    return render(request, f"{TEMPLATES}/unsubscribe.html", context)


# "Erase my comments" became the site-wide "my data" flow (masthead.privacy); the
# old addresses stay so that links already mailed and bookmarked keep working.


@require_http_methods(["GET", "POST"])
def erase_request(request):
    """The old request form: on to /my-data/, which covers every kind of data."""
    return redirect("privacy:request", permanent=request.method == "GET")


@never_cache
@require_http_methods(["GET", "POST"])
def erase_confirm(request, token: str):
    """An erasure link mailed before /my-data/: it proves the address just as well."""
    from masthead.privacy import tokens as privacy_tokens

    email = tokens.read_erase_token(token)
    if email is None:
        return redirect("privacy:request")
    return redirect("privacy:my_data", privacy_tokens.issue(email))
