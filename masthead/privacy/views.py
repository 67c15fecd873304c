"""/my-data/: ask for a link by email, then see, download or erase what we hold.

No page here sets a cookie: the request form is guarded by a trap field and rate
limits, and the other pages by the signed token in their address, which only
the mailbox's owner has. A link erases once; after that it opens nothing.
Nothing is cached, and the token pages send no Referer, so the token does not
travel on.
"""

import json

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from masthead.core import ratelimit

from . import conf, queries, services, tokens
from .exceptions import ErasureRefused, InvalidLink
from .forms import AddressForm

RATE_MESSAGE = "Too many requests from your connection. Please try again in an hour."


def _within_ip_limit(request) -> bool:
    limit, window = conf.get("MASTHEAD_PRIVACY_RATE_PER_IP")
    return ratelimit.hit("my-data-ip", ratelimit.client_ip(request), limit, window)


def _form_context(form, **extra) -> dict:
    hours = conf.get("MASTHEAD_PRIVACY_LINK_MAX_AGE") // 3600
    return {"form": form, "hours": hours, **extra}


@csrf_exempt  # readers get no cookie; the trap field and rate limits stand in
@never_cache
@require_http_methods(["GET", "POST"])
def request_link(request):
    """The address form; a valid POST always ends on the same "check your inbox"."""
    form = AddressForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not _within_ip_limit(request):
            context = _form_context(form, form_error=RATE_MESSAGE)
            return render(request, "privacy/request.html", context, status=429)
        if form.is_valid():
            # Past the address's share of mail the answer is the same; no mail goes.
            services.request_link(form.cleaned_data["email"])
            return redirect("privacy:check_inbox")
    status = 400 if form.errors else 200
    return render(request, "privacy/request.html", _form_context(form), status=status)


@require_GET
def check_inbox(request):
    hours = conf.get("MASTHEAD_PRIVACY_LINK_MAX_AGE") // 3600
    return render(request, "privacy/check_inbox.html", {"hours": hours})


def _private(response):
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


def _invalid(request, error: InvalidLink):
    context = {"message": error.message}
    response = render(
        request, "privacy/link_invalid.html", context, status=error.status
    )
    return _private(response)


def _page(request, token: str, email: str, status: int = 200, **extra):
    counts = queries.holdings(email)
    context = {
        "token": token,
        "email": email,
        "counts": counts,
        "holds_anything": queries.holds_anything(counts),
        **extra,
    }
    return _private(render(request, "privacy/my_data.html", context, status=status))


@never_cache
@require_GET
def my_data(request, token: str):
    """What we hold for the link's address, with Download and Erase."""
    try:
        link = tokens.read(token)
    except InvalidLink as error:
        return _invalid(request, error)
    return _page(request, token, link.email)


@never_cache
@require_GET
def export(request, token: str):
    """Everything we hold for the address, as one JSON file to keep."""
    try:
        link = tokens.read(token)
    except InvalidLink as error:
        return _invalid(request, error)
    document = queries.export(link.email)
    response = HttpResponse(
        json.dumps(document, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    name = f"my-data-{timezone.now():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return _private(response)


@csrf_exempt  # the signed token in the address is the proof; readers get no cookie
@never_cache
@require_POST
def erase(request, token: str):
    """Erase after an explicit confirmation; says what it did or why it could not."""
    try:
        link = tokens.read(token)
    except InvalidLink as error:
        return _invalid(request, error)
    remove_text = request.POST.get("comment_text") == "remove"
    if request.POST.get("confirm") != "yes":
        return _page(
            request,
            token,
            link.email,
            status=400,
            confirm_error="Tick the box to confirm that you want your data erased.",
            remove_text=remove_text,
        )
    try:
        erasure = services.erase_with_link(link, remove_comment_text=remove_text)
    except InvalidLink as error:
        return _invalid(request, error)
    except ErasureRefused as refused:
        return _page(
            request, token, link.email, status=503, erase_error=refused.message
        )
    context = {"erasure": erasure, "remove_text": remove_text}
    return _private(render(request, "privacy/erased.html", context))
