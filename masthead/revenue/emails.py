"""The donor's receipt: one mail per completed payment, with the manage link."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from masthead.core.links import absolute_url
from masthead.core.queries import site_name

from . import providers, tokens


def receipt(donation) -> EmailMultiAlternatives:
    context = {
        "site_name": site_name(),
        "donation": donation,
        "manage_url": (
            absolute_url(
                reverse("revenue:manage", args=[tokens.manage_token(donation.gift)])
            )
            if donation.gift_id
            else ""
        ),
        "donate_url": absolute_url(reverse("revenue:donate")),
        "provider_label": providers.label_of(donation.provider),
    }
    message = EmailMultiAlternatives(
        subject=f"Thank you for supporting {context['site_name']}",
        body=render_to_string("revenue/email/receipt.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[donation.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(
        render_to_string("revenue/email/receipt.html", context), "text/html"
    )
    return message
