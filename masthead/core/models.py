from django.core.validators import RegexValidator
from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField

from .blocks import SocialLinkBlock


@register_setting(icon="site")
class MastheadSettings(BaseSiteSetting):
    """What makes a site its own: identity, social profiles and the supporter appeal.

    The site's name is Wagtail's Site.site_name; everything else a reader sees in the
    page frame comes from here so that an editor can change it without a deploy.
    """

    tagline = models.CharField(max_length=160, blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accent_colour = models.CharField(
        max_length=7,
        default="#b3261e",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour like #b3261e.")],
        help_text="Links, buttons and section labels, as #rrggbb.",
    )
    social_links = StreamField(
        [("link", SocialLinkBlock())],
        blank=True,
        verbose_name="Connect with us",
        help_text="The site's profiles, shown as 'Connect with us'.",
    )
    channel_promo_title = models.CharField(
        max_length=80, blank=True, help_text="e.g. Join our YouTube channel"
    )
    channel_promo_text = models.CharField(max_length=240, blank=True)
    channel_promo_url = models.URLField(blank=True)
    supporter_cta_text = models.CharField(
        max_length=240,
        blank=True,
        default="Liked it? Take a second to support us.",
        verbose_name="Supporter call to action",
        help_text="Shown after every article.",
    )
    donate_url = models.CharField(
        max_length=240,
        blank=True,
        help_text="Our donate page (a path such as /donate/ or a full URL).",
    )
    patreon_url = models.URLField(blank=True, verbose_name="Patreon URL")

    panels = [
        MultiFieldPanel(
            [FieldPanel("tagline"), FieldPanel("logo"), FieldPanel("accent_colour")],
            heading="Identity",
        ),
        FieldPanel("social_links"),
        MultiFieldPanel(
            [
                FieldPanel("channel_promo_title"),
                FieldPanel("channel_promo_text"),
                FieldPanel("channel_promo_url"),
            ],
            heading="Channel promo",
        ),
        MultiFieldPanel(
            [
                FieldPanel("supporter_cta_text"),
                FieldPanel("donate_url"),
                FieldPanel("patreon_url"),
            ],
            heading="Supporters",
        ),
    ]

    class Meta:
        verbose_name = "Masthead settings"
