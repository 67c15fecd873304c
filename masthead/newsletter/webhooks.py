"""anymail's webhook views, answering a malformed body with a 400.

anymail checks the shared secret (and the ESP's signature) first, then parses
the body. Some of its parsers let a body that is not the ESP's JSON escape as
ValueError, TypeError or KeyError: a 500 that the ESP retries for days. Only a
caller holding the secret gets that far, yet a bad body is the sender's fault,
and it is refused like any other.
"""

import errno
import logging
from functools import wraps

from anymail import urls as anymail_urls
from django.http import HttpResponseBadRequest
from django.urls import URLPattern

logger = logging.getLogger("masthead.newsletter")

MALFORMED = (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError)


def refuse_malformed(view):
    @wraps(view)
    def refusing(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except MALFORMED:
            return _refused(request)
        except OSError as error:
            # A timestamp past the platform's time_t (Mailgun's, read by anymail).
            if error.errno != errno.EOVERFLOW:
                raise
            return _refused(request)

    return refusing


def _refused(request):
    logger.warning("malformed %s webhook refused", request.path, exc_info=True)
    return HttpResponseBadRequest("malformed webhook body", content_type="text/plain")


urlpatterns = [
    URLPattern(p.pattern, refuse_malformed(p.callback), p.default_args, p.name)
    for p in anymail_urls.urlpatterns
]
