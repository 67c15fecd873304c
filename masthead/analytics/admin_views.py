"""The editors' audience dashboard in the Wagtail admin, and its homepage panel.

Only people with `analytics.view_audience` (Editors, superusers) see either:
counts are not secret, but writers comparing their stories is not the point.
"""

from django.urls import path, reverse
from django.views.generic import TemplateView
from wagtail.admin.auth import permission_required
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from . import dashboard
from .charts import daily_chart
from .models import VIEW_AUDIENCE

CHART_DAYS = 30
# (tab id, heading, days): the top-stories tables, shortest window first.
WINDOWS = [("today", "Today", 1), ("week", "7 days", 7), ("month", "30 days", 30)]


def can_see_audience(user) -> bool:
    return user.has_perm(VIEW_AUDIENCE)


class AudienceView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "analytics/admin/audience.html"
    page_title = "Audience"
    header_icon = "view"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["headline"] = dashboard.headline_numbers()
        context["chart"] = daily_chart(dashboard.views_per_day(CHART_DAYS))
        context["windows"] = [
            (tab_id, heading, dashboard.top_stories(days, request=self.request))
            for tab_id, heading, days in WINDOWS
        ]
        context["referrers"] = dashboard.top_referrers(CHART_DAYS)
        return context


audience_view = permission_required(VIEW_AUDIENCE)(AudienceView.as_view())

urlpatterns = [path("audience/", audience_view, name="analytics_audience")]


class AudienceMenuItem(MenuItem):
    def is_shown(self, request):
        return can_see_audience(request.user)


def audience_menu_item() -> AudienceMenuItem:
    return AudienceMenuItem(
        "Audience",
        reverse("analytics_audience"),
        name="audience",
        icon_name="view",
        order=260,
    )


class AudienceHomePanel(Component):
    """Views today and this week on the admin's home page, linking to Audience."""

    name = "audience"
    template_name = "analytics/admin/home_panel.html"
    order = 90

    def get_context_data(self, parent_context=None):
        return {
            "headline": dashboard.headline_numbers(),
            "audience_url": reverse("analytics_audience"),
        }
