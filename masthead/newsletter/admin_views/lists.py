"""Newsletter lists in the admin: confirmed counts; a list with issues stays."""

from django.db import transaction
from django.db.models import ProtectedError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from wagtail.admin import messages
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from .. import queries
from ..models import NewsletterList
from .common import (
    ADD_ISSUE,
)


class NewsletterListIndexView(generic.IndexView):
    def get_base_queryset(self):
        return queries.with_confirmed_counts(super().get_base_queryset())

    @cached_property
    def columns(self):
        return [
            self._get_title_column("name"),
            Column(
                "confirmed",
                label="Confirmed subscribers",
                sort_key="confirmed",
                classname="newsletter-number",
            ),
            Column("schedule", label="Sends", accessor="get_schedule_display"),
            BooleanColumn("active", label="Shown to readers"),
        ]

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if self.request.user.has_perm(ADD_ISSUE):
            buttons.append(
                MenuItem(
                    "New issue",
                    url=f"{reverse('newsletter_issues:add')}?list={instance.pk}",
                    icon_name="mail",
                    priority=5,
                )
            )
        return buttons


class NewsletterListDeleteView(generic.DeleteView):
    """Deletes a list with no issues; a list that was ever mailed is kept."""

    template_name = "newsletter/admin/list_confirm_delete.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["issue_count"] = self.object.issues.count()
        return context

    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except ProtectedError:
            messages.error(
                self.request,
                f"“{self.object}” has issues, so it cannot be deleted. "
                "Untick “Shown to readers” to retire it instead.",
            )
            return redirect("newsletter_lists:edit", self.object.pk)


class NewsletterListViewSet(ModelViewSet):
    model = NewsletterList
    name = "newsletter_lists"
    url_prefix = "newsletter/lists"
    icon = "list-ul"
    menu_label = "Lists"
    menu_order = 20
    add_to_admin_menu = False
    add_to_reference_index = False
    copy_view_enabled = False
    index_view_class = NewsletterListIndexView
    delete_view_class = NewsletterListDeleteView
    search_fields = ["name", "slug"]
