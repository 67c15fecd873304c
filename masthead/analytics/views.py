"""The view beacon: a POST from the article page, and an image for readers without JS.

Both answer at once whatever happens (204, or a 1x1 GIF) and are never cached,
so the page around them can be served from any cache.
"""

import base64
import logging

from django.core.exceptions import DisallowedHost
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from masthead.core.ratelimit import client_ip

from . import bots, metrics
from .services import Outcome, count_view

logger = logging.getLogger("masthead.analytics")

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


@csrf_exempt  # no cookie and no session: a forged beacon can only add one view
def beacon(request, page_id: int):
    if request.method == "POST":
        _count(request, page_id, sent_by_browser=bots.sent_by_beacon)
    return HttpResponse(status=204, headers=NO_STORE)


def pixel(request, page_id: int):
    _count(request, page_id, sent_by_browser=bots.sent_by_image)
    return HttpResponse(PIXEL, content_type="image/gif", headers=NO_STORE)


def _count(request, page_id: int, sent_by_browser) -> Outcome:
    try:
        host = request.get_host()
        if not sent_by_browser(request.headers, host):
            return Outcome.NOT_A_BEACON
        if bots.is_speculative(request.headers):
            return Outcome.SPECULATIVE
        data = request.POST if request.method == "POST" else request.GET
        if data.get("a") == "1":  # the page saw navigator.webdriver: automation
            return Outcome.BOT
        return count_view(
            page_id=page_id,
            ip=client_ip(request),
            user_agent=request.headers.get("User-Agent", "")[:512],
            referrer=data.get("r", ""),
            own_host=host,
        )
    except DisallowedHost:
        return Outcome.NOT_A_BEACON
    except Exception:
        # A reader never sees an error from counting; the log and metrics do.
        logger.exception("view beacon failed")
        metrics.incr("beacon_errors")
        return Outcome.NOT_A_BEACON
