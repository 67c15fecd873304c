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


class MailToAddress(models.Model):
    """One mail a stranger's request made us send to an address.

    Confirmation links, "already subscribed" notices and my-data links are sent to
    whatever address a form was given, so each is counted here against one limit
    per address (`masthead.core.mail_quota`). The address itself is never stored:
    only a digest keyed with the site's secret, forgotten after a day.
    """

    address_digest = models.CharField(max_length=32)
    kind = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["address_digest", "created_at"])]
        verbose_name = "mail to an address"
        verbose_name_plural = "mails to addresses"

    def __str__(self):
        return f"{self.kind} at {self.created_at:%Y-%m-%d %H:%M}"


class SchedulerLease(models.Model):
    """Which scheduler process may enqueue the periodic jobs, and until when.

    Every app server may start a scheduler; the one whose name is in `holder`
    enqueues and renews the lease each tick, the others wait for it to expire.
    `last_tick_at` is the heartbeat /healthz reports.
    """

    name = models.CharField(max_length=40, primary_key=True)
    holder = models.CharField(max_length=200, blank=True)
    expires_at = models.DateTimeField()
    last_tick_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.name} held by {self.holder or 'nobody'}"


class PeriodicJobRun(models.Model):
    """When a periodic job is next due, and the task result it last enqueued.

    Kept in the database rather than in a scheduler's memory so that a scheduler
    taking over, or a run-once from cron, neither runs a job early nor twice.
    """

    task_path = models.CharField(max_length=200, primary_key=True)
    due_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True, blank=True)
    last_result_id = models.CharField(max_length=64, blank=True)

    def __str__(self):
        return f"{self.task_path} due {self.due_at:%Y-%m-%d %H:%M:%S}"
