"""The bounce and complaint webhook: the configured ESP's only, and only verified.

anymail has a tracking view for every ESP, and one with no secret configured
merely warns and then believes any caller: a forged "hard bounce" would stop the
newsletter reaching a real reader for good. So one URL,
/newsletter/anymail/<esp>/tracking/, answers for the ESP the site sends through
(ANYMAIL_ESP) and 404s for every other, and for none at all when mail goes out
by SMTP or to the outbox. It refuses every request (403) until the shared basic
auth secret, and the ESP's own signing key where anymail verifies one, are set;
`checks.py` makes the same omission an error of `check --deploy`. The ESP is
looked up per request, so a settings change needs no URL reload.

anymail checks the secret (and the ESP's signature) first, then parses the
body. Some of its parsers let a body that is not the ESP's JSON escape as
ValueError, TypeError or KeyError: a 500 that the ESP retries for days. Only a
caller holding the secret gets that far, yet a bad body is the sender's fault,
and it is refused like any other.
"""

import errno
import logging
from functools import wraps

from anymail import urls as anymail_urls
from anymail.utils import get_anymail_setting
from django.conf import settings
from django.http import Http404, HttpResponseBadRequest, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt

logger = logging.getLogger("masthead.newsletter")

MALFORMED = (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError)
ANYMAIL_BACKENDS = "anymail.backends."

# ESP -> (setting, whether anymail also reads it without the ANYMAIL prefix) for
# the ESPs whose tracking view verifies a signature with a key of its own. Other
# ESPs' signatures are optional in anymail; the basic auth secret guards them.
SIGNING_KEYS = {
    "mailgun": ("WEBHOOK_SIGNING_KEY", False),
    "mandrill": ("WEBHOOK_KEY", True),
    "postal": ("WEBHOOK_KEY", True),
    "mailersend": ("SIGNING_SECRET", False),
    "unisender_go": ("API_KEY", True),
}


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


TRACKING_VIEWS = {
    pattern.name.removesuffix("_tracking_webhook"): refuse_malformed(pattern.callback)
    for pattern in anymail_urls.urlpatterns
    if pattern.name.endswith("_tracking_webhook")
}


def configured_esp() -> str:
    """The ESP the site sends through; "" for SMTP or the outbox."""
    esp = getattr(settings, "ANYMAIL_ESP", "")
    if esp:
        return esp
    backend = settings.EMAIL_BACKEND
    if backend.startswith(ANYMAIL_BACKENDS):
        return backend.removeprefix(ANYMAIL_BACKENDS).split(".")[0]
    return ""


def _is_basic_auth_secret(value) -> bool:
    return isinstance(value, str) and ":" in value


def missing_webhook_secrets(esp: str) -> list[str]:
    """The settings `esp`'s webhook needs before it can tell the ESP from anyone."""
    missing = []
    secret = get_anymail_setting("webhook_secret", default=None)
    secrets = secret if isinstance(secret, list | tuple) else [secret]
    if not secrets or not all(_is_basic_auth_secret(value) for value in secrets):
        missing.append("ANYMAIL_WEBHOOK_SECRET")
    if esp in SIGNING_KEYS:
        name, allow_bare = SIGNING_KEYS[esp]
        key = get_anymail_setting(
            name.lower(), esp_name=esp, default=None, allow_bare=allow_bare
        )
        if not isinstance(key, str) or not key:
            missing.append(f"ANYMAIL_{esp.upper()}_{name}")
    return missing


@csrf_exempt
def tracking_webhook(request, esp: str):
    view = TRACKING_VIEWS.get(esp)
    if view is None or esp != configured_esp():
        raise Http404("The site does not take bounces from this mail provider.")
    missing = missing_webhook_secrets(esp)
    if missing:
        logger.error("%s bounce webhook refused: %s not set", esp, ", ".join(missing))
        return HttpResponseForbidden(
            "This webhook cannot verify its caller yet, so it accepts nothing.",
            content_type="text/plain",
        )
    return view(request)
