"""Subscribers in the admin: read, filter, suppress, erase; CSV lives in csv_admin."""

import django_filters
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton

from masthead.core.admin_viewsets import ReadOnlyViewSet

from .. import services
from ..choices import DeliveryStatus, SubscriberStatus, SuppressionReason
from ..models import NewsletterList, Subscriber
from .common import (
    CHANGE_SUBSCRIBER,
    DELETE_SUBSCRIBER,
    EXPORT_SUBSCRIBER,
    IMPORT_SUBSCRIBER,
    _require,
    _reverse_or_none,
    _when,
)


class SubscriberFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label="Status", choices=SubscriberStatus.choices, empty_label="Any status"
    )
    newsletter_list = django_filters.ModelChoiceFilter(
        label="List",
        field_name="memberships__newsletter_list",
        queryset=NewsletterList.objects.all(),
        empty_label="Any list",
    )

    class Meta:
        model = Subscriber
        fields = ["status", "newsletter_list"]


class SubscriberIndexView(generic.IndexView):
    default_ordering = "-created_at"

    def get_base_queryset(self):
        return super().get_base_queryset().prefetch_related("lists")

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "email",
                label="Email",
                sort_key="email",
                get_url=self.get_inspect_url,
            ),
            Column("name", label="Name", sort_key="name"),
            StatusTagColumn(
                "status",
                label="Status",
                accessor="get_status_display",
                primary=lambda s: s.status == SubscriberStatus.CONFIRMED,
            ),
            Column(
                "lists",
                label="Lists",
                accessor=lambda s: ", ".join(li.name for li in s.lists.all()),
            ),
            Column(
                "created_at",
                label="Created",
                accessor=lambda s: _when(s.created_at),
                sort_key="created_at",
                classname="newsletter-nowrap",
            ),
        ]

    def get_list_buttons(self, instance):
        # "Inspect" would be the row menu's only item: the email links there.
        return []

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        user = self.request.user
        import_url = _reverse_or_none("newsletter_import")
        export_url = _reverse_or_none("newsletter_export")
        if import_url and user.has_perm(IMPORT_SUBSCRIBER):
            buttons.append(
                HeaderButton(
                    "Import CSV", url=import_url, icon_name="upload", priority=10
                )
            )
        if export_url and user.has_perm(EXPORT_SUBSCRIBER):
            buttons.append(
                HeaderButton(
                    "Export CSV", url=export_url, icon_name="download", priority=20
                )
            )
        return buttons


class SubscriberInspectView(generic.InspectView):
    template_name = "newsletter/admin/subscriber_inspect.html"

    def get_lists_display_value(self):
        return ", ".join(li.name for li in self.object.lists.all()) or "-"

    def get_name_display_value(self):
        return self.object.name or "-"

    def get_created_at_display_value(self):
        return _when(self.object.created_at)

    def get_confirmed_at_display_value(self):
        return _when(self.object.confirmed_at) or "-"

    def get_unsubscribed_at_display_value(self):
        return _when(self.object.unsubscribed_at) or "-"

    def get_consent_text_display_value(self):
        return self.object.consent_text or "-"

    def get_suppressed_reason_display_value(self):
        return self.object.get_suppressed_reason_display() or "-"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_suppress"] = user.has_perm(CHANGE_SUBSCRIBER) and (
            self.object.status != SubscriberStatus.SUPPRESSED
        )
        context["can_erase"] = user.has_perm(DELETE_SUBSCRIBER)
        context["suppress_url"] = reverse(
            "newsletter_subscribers:suppress", args=[self.object.pk]
        )
        context["erase_url"] = reverse(
            "newsletter_subscribers:erase", args=[self.object.pk]
        )
        context["delivery_count"] = self.object.deliveries.filter(
            status=DeliveryStatus.SENT
        ).count()
        return context


class SubscriberActionMixin(WagtailAdminTemplateMixin):
    permission = ""
    header_icon = "user"

    def dispatch(self, request, *args, **kwargs):
        _require(request, self.permission)
        self.subscriber = get_object_or_404(Subscriber, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.subscriber.email

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("newsletter_subscribers:index"), "label": "Subscribers"},
            {
                "url": self.inspect_url,
                "label": self.subscriber.email,
            },
            {"url": "", "label": self.get_page_title()},
        ]

    @property
    def inspect_url(self) -> str:
        return reverse("newsletter_subscribers:inspect", args=[self.subscriber.pk])


class SubscriberSuppressView(SubscriberActionMixin, View):
    """Never mail this address again (an editor's decision, e.g. on a complaint)."""

    permission = CHANGE_SUBSCRIBER
    http_method_names = ["post"]

    def post(self, request, pk):
        if self.subscriber.status == SubscriberStatus.SUPPRESSED:
            messages.warning(request, f"{self.subscriber.email} is already suppressed.")
        else:
            services.suppress(
                self.subscriber.email,
                SuppressionReason.MANUAL,
                detail=f"Suppressed in the admin by {request.user.get_username()}",
            )
            messages.success(
                request, f"{self.subscriber.email} will not be mailed again."
            )
        return redirect(self.inspect_url)


class SubscriberEraseView(SubscriberActionMixin, TemplateView):
    """Erase on request: everything we hold on the subscriber, after a confirmation."""

    permission = DELETE_SUBSCRIBER
    page_title = "Erase subscriber"
    template_name = "newsletter/admin/subscriber_erase.html"

    def post(self, request, pk):
        email = self.subscriber.email
        services.erase(self.subscriber)
        messages.success(request, f"Everything held on {email} was erased.")
        return redirect("newsletter_subscribers:index")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["subscriber"] = self.subscriber
        context["inspect_url"] = self.inspect_url
        context["suppressed"] = services.is_suppressed(self.subscriber.email)
        return context


class SubscriberViewSet(ReadOnlyViewSet):
    """Read-mostly: a listing, a detail page, and the two actions on a person."""

    model = Subscriber
    name = "newsletter_subscribers"
    url_prefix = "newsletter/subscribers"
    icon = "group"
    menu_label = "Subscribers"
    menu_order = 30
    index_view_class = SubscriberIndexView
    inspect_view_class = SubscriberInspectView
    filterset_class = SubscriberFilterSet
    search_fields = ["email", "name"]
    inspect_view_fields = [
        "email",
        "name",
        "status",
        "lists",
        "source",
        "created_at",
        "confirmed_at",
        "unsubscribed_at",
        "suppressed_reason",
        "consent_text",
    ]

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(
                "suppress/<int:pk>/",
                SubscriberSuppressView.as_view(),
                name="suppress",
            ),
            path("erase/<int:pk>/", SubscriberEraseView.as_view(), name="erase"),
        ]
