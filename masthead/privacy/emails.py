"""The one mail of the flow: the "my data" link, the same text for every address.

Links are absolute and built on SITE_URL, never on the request's Host header,
which whoever sends the request controls.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from masthead.core.links import absolute_url
from masthead.core.queries import site_name

from . import conf


def my_data_email(email: str, token: str) -> EmailMultiAlternatives:
    context = {
        "site_name": site_name(),
        "my_data_url": absolute_url(reverse("privacy:my_data", args=[token])),
        "request_url": absolute_url(reverse("privacy:request")),
        "hours": conf.get("MASTHEAD_PRIVACY_LINK_MAX_AGE") // 3600,
    }
    message = EmailMultiAlternatives(
        subject=f"Your data at {context['site_name']}",
        body=render_to_string("privacy/email/my_data.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(
        render_to_string("privacy/email/my_data.html", context), "text/html"
    )
    return message
