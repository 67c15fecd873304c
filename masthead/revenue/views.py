"""The reader's side of donating: the page, checkout, thanks, and provider callbacks.

The donate form needs no CSRF token (the reader site is cacheable and cookie
free): starting a checkout only creates a pending donation and sends the reader
to the provider, and it is rate limited. Webhooks prove themselves by signature.
"""

import logging
from uuid import UUID

from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from masthead.core import ratelimit
from masthead.core.links import absolute_url

from . import conf, providers, services, tokens, widgets
from .choices import GiftStatus, Interval
from .models import Donation, MonthlyGift
from .providers.base import CheckoutRequest, ProviderError, WebhookRejected
from .providers.test_mode import TestModeProvider

logger = logging.getLogger("masthead.revenue")


def donate(request):
    return render(request, "revenue/donate_page.html", widgets.donate_page_context())


@csrf_exempt
@require_POST
@never_cache
def start(request):
    """Validate the ask, store it pending, and send the reader to pay."""
    wants_json = "application/json" in request.headers.get("Accept", "")
    limit, window = conf.get("MASTHEAD_DONATION_RATE_PER_IP")
    if not ratelimit.hit("donate", ratelimit.client_ip(request), limit, window):
        return _refused(
            request, wants_json, {"form": "Too many attempts; wait a minute."}, 429
        )
    ask = widgets.ask_from(request.POST)
    try:
        donation = services.create_pending(ask)
    except services.DonationInvalid as invalid:
        return _refused(request, wants_json, invalid.errors, 400, ask)
    provider = providers.get(donation.provider)
    try:
        checkout = provider.start_checkout(_checkout_request(donation))
    except ProviderError as error:
        logger.warning("checkout with %s failed: %s", provider.name, error)
        services.abandon_attempt(donation)
        return _refused(
            request,
            wants_json,
            {
                "form": f"{provider.label} is not answering; nothing was charged. "
                "Please try again in a moment."
            },
            502,
            ask,
        )
    if donation.checkout_ref != checkout.checkout_ref:
        donation.checkout_ref = checkout.checkout_ref
        donation.save(update_fields=["checkout_ref"])
    if wants_json:
        return JsonResponse({"redirect": checkout.redirect_url})
    return HttpResponseRedirect(checkout.redirect_url, status=303)


def _checkout_request(donation: Donation) -> CheckoutRequest:
    reference = str(donation.public_id)
    return CheckoutRequest(
        reference=reference,
        amount_minor=donation.amount_minor,
        currency=donation.currency,
        monthly=donation.interval == Interval.MONTHLY,
        email=donation.email,
        name=donation.name,
        description=widgets.description(donation),
        success_url=absolute_url(reverse("revenue:thanks", args=[reference])),
        cancel_url=absolute_url(reverse("revenue:donate")) + "?cancelled=1",
    )


def _refused(request, wants_json, errors, status, ask=None):
    if wants_json:
        return JsonResponse({"errors": errors}, status=status)
    context = widgets.donate_page_context(ask=ask, errors=errors)
    return render(request, "revenue/donate_page.html", context, status=status)


@never_cache
def thanks(request, reference: UUID):
    donation = get_object_or_404(Donation, public_id=reference)
    provider = providers.configured().get(donation.provider)
    if provider is not None and request.GET:
        # PayPal sends the reader back here to have the payment captured.
        try:
            for event in provider.complete_return(donation, request.GET):
                services.apply_event(provider.name, event)
        except (ProviderError, services.EventMismatch) as error:
            logger.warning("completing %s failed: %s", reference, error)
            return render(
                request,
                "revenue/thanks.html",
                {"donation": donation, "error": str(error)},
                status=502,
            )
        donation.refresh_from_db()
    return render(request, "revenue/thanks.html", {"donation": donation})


@csrf_exempt
@require_POST
def webhook(request, provider_name: str):
    try:
        provider = providers.get(provider_name)
    except ProviderError:
        raise Http404("No such provider") from None
    try:
        events = provider.parse_webhook(request.body, request.headers)
    except WebhookRejected as rejected:
        logger.warning("%s webhook rejected: %s", provider_name, rejected)
        return HttpResponse(
            f"rejected: {rejected}", status=400, content_type="text/plain"
        )
    outcomes = []
    for event in events:
        try:
            outcomes.append(services.apply_event(provider_name, event))
        except services.EventMismatch as mismatch:
            logger.warning("%s webhook does not match: %s", provider_name, mismatch)
            return HttpResponse(
                f"rejected: {mismatch}", status=400, content_type="text/plain"
            )
    return HttpResponse("; ".join(outcomes) or "ok", content_type="text/plain")


@never_cache
def manage(request, token: str):
    """A monthly donor's link from their receipt: on to the provider's page."""
    gift = _gift_or_404(token)
    provider = providers.get(gift.provider)
    try:
        url = provider.manage_url(gift, absolute_url(reverse("revenue:donate")))
    except ProviderError as error:
        return render(
            request,
            "revenue/manage.html",
            {"gift": gift, "error": str(error)},
            status=502,
        )
    return HttpResponseRedirect(url)


def _gift_or_404(token: str) -> MonthlyGift:
    gift_id = tokens.gift_id_from(token)
    if gift_id is None:
        raise Http404("This link is not valid.")
    return get_object_or_404(MonthlyGift.objects.select_related("donor"), pk=gift_id)


# --- the test-mode provider's checkout, on our own site ------------------------------


def _test_mode_or_404(name: str) -> TestModeProvider:
    provider = providers.configured().get(name)
    if not isinstance(provider, TestModeProvider):
        raise Http404("Test mode is not on.")
    return provider


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def test_checkout(request, reference: UUID):
    donation = get_object_or_404(Donation, public_id=reference)
    provider = _test_mode_or_404(donation.provider)
    outcomes = {"pay": provider.paid, "decline": provider.declined}
    event_for = outcomes.get(request.POST.get("outcome", ""))
    if request.method == "POST" and event_for is not None:
        services.apply_event(provider.name, event_for(donation))
        return HttpResponseRedirect(
            reverse("revenue:thanks", args=[reference]), status=303
        )
    return render(request, "revenue/test_checkout.html", {"donation": donation})


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def test_manage(request, token: str):
    gift = _gift_or_404(token)
    provider = _test_mode_or_404(gift.provider)
    if request.method == "POST" and gift.status == GiftStatus.ACTIVE:
        services.apply_event(provider.name, provider.cancelled(gift))
        gift.refresh_from_db()
    return render(request, "revenue/manage.html", {"gift": gift})
