"""The Audience tab of an article in the page editor: its views, drawn per day."""

from wagtail.admin.panels import Panel

from . import dashboard
from .charts import daily_chart
from .models import VIEW_AUDIENCE
from .queries import view_count

CHART_DAYS = 30


class PageViewsPanel(Panel):
    """Lifetime views and a views-per-day chart of the page being edited.

    Read-only: it adds no form fields. Hidden from people without
    `analytics.view_audience`, which also hides a tab holding only this panel.
    """

    def __init__(self, days: int = CHART_DAYS, **kwargs):
        kwargs.setdefault("heading", "Views")
        super().__init__(**kwargs)
        self.days = days

    def clone_kwargs(self):
        return {**super().clone_kwargs(), "days": self.days}

    class BoundPanel(Panel.BoundPanel):
        template_name = "analytics/admin/page_views_panel.html"

        def is_shown(self):
            user = getattr(self.request, "user", None)
            return user is not None and user.has_perm(VIEW_AUDIENCE)

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            page_id = getattr(self.instance, "pk", None)
            context["saved"] = page_id is not None
            context["days"] = self.panel.days
            if page_id is not None:
                context["total"] = view_count(page_id)
                context["chart"] = daily_chart(
                    dashboard.views_per_day(self.panel.days, page_id=page_id)
                )
            return context
