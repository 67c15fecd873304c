"""Issues in the admin: compose, preview, test, send or schedule, watch the progress."""

from django import forms
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.views import View
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import AdminDateTimeInput
from wagtail.admin.widgets.button import Button

from .. import emails, issues, queries
from ..choices import IssueStatus
from ..exceptions import NotSendable
from ..models import Issue, NewsletterList
from .common import (
    ADD_ISSUE,
    CHANGE_ISSUE,
    LOCKED,
    PREVIEW_CSP,
    PREVIEW_KEY,
    PROGRESS_REFRESH_SECONDS,
    SEND_ISSUE,
    VIEW_ISSUE,
    _issue_url,
    _require,
    _when,
)


def _issue_title_url(issue: Issue, user) -> str:
    if issue.status in LOCKED:
        return _issue_url("progress", issue)
    if user.has_perm(CHANGE_ISSUE):
        return _issue_url("edit", issue)
    return _issue_url("preview", issue)


def _sent_display(issue: Issue) -> str:
    if issue.status not in LOCKED:
        return ""
    return f"{issue.sent_count} / {issue.total}"


class IssueIndexView(generic.IndexView):
    default_ordering = "-created_at"

    def get_base_queryset(self):
        return queries.with_sent_counts(
            super().get_base_queryset().select_related("newsletter_list")
        )

    @cached_property
    def columns(self):
        user = self.request.user
        return [
            TitleColumn(
                "subject",
                label="Subject",
                sort_key="subject",
                get_url=lambda issue: _issue_title_url(issue, user),
            ),
            Column("newsletter_list", label="List"),
            StatusTagColumn(
                "status",
                label="Status",
                accessor="get_status_display",
                primary=lambda issue: issue.status == IssueStatus.SENT,
            ),
            Column(
                "when",
                label="Scheduled / started",
                accessor=lambda issue: _when(issue.started_at or issue.scheduled_for),
                classname="newsletter-nowrap",
            ),
            Column(
                "sent",
                label="Sent",
                accessor=_sent_display,
                classname="newsletter-number",
            ),
        ]

    def get_edit_url(self, instance):
        if instance.status in LOCKED:
            return None
        return super().get_edit_url(instance)

    def get_delete_url(self, instance):
        if instance.status in LOCKED:
            return None
        return super().get_delete_url(instance)

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        buttons.append(
            MenuItem(
                "Preview",
                url=_issue_url("preview", instance),
                icon_name="view",
                priority=15,
            )
        )
        if instance.status in LOCKED:
            buttons.append(
                MenuItem(
                    "Progress",
                    url=_issue_url("progress", instance),
                    icon_name="time",
                    priority=16,
                )
            )
        return buttons


class ChooseListForm(forms.Form):
    newsletter_list = forms.ModelChoiceField(
        label="List",
        queryset=NewsletterList.objects.all(),
        empty_label=None,
        help_text="The draft starts with the stories published since this list's "
        "previous issue.",
    )


class IssueCreateView(WagtailAdminTemplateMixin, TemplateView):
    """Asks for the list, then makes the prefilled draft and opens its form."""

    page_title = "New issue"
    header_icon = "mail"
    template_name = "newsletter/admin/issue_create.html"

    def dispatch(self, request, *args, **kwargs):
        _require(request, ADD_ISSUE)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("newsletter_issues:index"), "label": "Issues"},
            {"url": "", "label": self.page_title},
        ]

    def get(self, request, *args, **kwargs):
        initial = {}
        chosen = request.GET.get("list", "")
        if chosen.isdigit():
            initial["newsletter_list"] = chosen
        return self.render_to_response(
            self.get_context_data(form=ChooseListForm(initial=initial))
        )

    def post(self, request, *args, **kwargs):
        form = ChooseListForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        issue = issues.create_edition(
            form.cleaned_data["newsletter_list"], request.user
        )
        count = issue.stories.count()
        messages.success(
            request,
            f"Draft made with {count} stor{'y' if count == 1 else 'ies'}.",
        )
        return redirect(_issue_url("edit", issue))


class IssueEditView(generic.EditView):
    template_name = "newsletter/admin/issue_edit.html"

    def get(self, request, *args, **kwargs):
        return self._locked() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self._locked() or super().post(request, *args, **kwargs)

    def _locked(self):
        issue = get_object_or_404(Issue, pk=self.kwargs["pk"])
        if issue.status not in LOCKED:
            return None
        messages.warning(self.request, "This issue has gone out and cannot be edited.")
        return redirect(_issue_url("progress", issue))

    def form_valid(self, form):
        # The dispatcher may start a scheduled issue while its form is open; it
        # locks the row in `start_sending`, so the same lock here makes a save
        # land either wholly before sending starts or not at all.
        with transaction.atomic():
            locked = (
                Issue.objects.select_for_update()
                .filter(pk=self.object.pk, status__in=LOCKED)
                .exists()
            )
            if not locked:
                return super().form_valid(form)
        return self._locked()

    def get_success_url(self):
        if self.request.POST.get("then") == "preview":
            return _issue_url("preview", self.object)
        return _issue_url("edit", self.object)

    @cached_property
    def header_more_buttons(self):
        return [
            Button(
                "Preview and send",
                url=_issue_url("preview", self.object),
                icon_name="view",
                priority=5,
            ),
            *super().header_more_buttons,
        ]


class IssueDeleteView(generic.DeleteView):
    def get(self, request, *args, **kwargs):
        return self._locked() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self._locked() or super().post(request, *args, **kwargs)

    def _locked(self):
        if self.object.status not in LOCKED:
            return None
        messages.error(
            self.request, "An issue that has gone out is kept as the record of it."
        )
        return redirect(_issue_url("progress", self.object))


class IssueMixin(WagtailAdminTemplateMixin):
    """A page about one issue, behind one permission."""

    permission = VIEW_ISSUE
    header_icon = "mail"

    def dispatch(self, request, *args, **kwargs):
        _require(request, self.permission)
        self.issue = get_object_or_404(
            Issue.objects.select_related("newsletter_list"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.issue.subject

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("newsletter_issues:index"), "label": "Issues"},
            {
                "url": _issue_title_url(self.issue, self.request.user),
                "label": self.issue.subject,
            },
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        issue = self.issue
        context.update(
            issue=issue,
            editable=issue.status not in LOCKED,
            can_edit=issue.status not in LOCKED and user.has_perm(CHANGE_ISSUE),
            can_send=issue.status not in LOCKED and user.has_perm(SEND_ISSUE),
            can_test=user.has_perm(CHANGE_ISSUE),
            scheduled_for=_when(issue.scheduled_for),
            urls={
                name: _issue_url(name, issue)
                for name in (
                    "edit",
                    "preview",
                    "preview_html",
                    "test",
                    "send",
                    "schedule",
                    "unschedule",
                    "progress",
                )
            },
        )
        return context

    def back_with_error(self, error: Exception):
        messages.error(self.request, str(error))
        target = "progress" if self.issue.status in LOCKED else "preview"
        return redirect(_issue_url(target, self.issue))


class IssuePreviewView(IssueMixin, TemplateView):
    page_title = "Preview"
    template_name = "newsletter/admin/issue_preview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rendered = emails.render_issue(self.issue)
        context["text"] = rendered.text.replace(emails.KEY_SLOT, PREVIEW_KEY)
        context["recipients"] = queries.recipients(self.issue.newsletter_list).count()
        context["story_count"] = self.issue.stories.count()
        return context


@method_decorator(xframe_options_sameorigin, name="dispatch")
class IssuePreviewHTMLView(IssueMixin, View):
    """The mail's HTML on its own, for the preview page's frame."""

    def get(self, request, pk):
        rendered = emails.render_issue(self.issue)
        response = HttpResponse(rendered.html.replace(emails.KEY_SLOT, PREVIEW_KEY))
        response["Content-Security-Policy"] = PREVIEW_CSP
        return response


class IssueTestView(IssueMixin, View):
    permission = CHANGE_ISSUE
    http_method_names = ["post"]

    def post(self, request, pk):
        to = request.user.email
        if not to:
            messages.error(
                request,
                "Your account has no email address: add one in your account "
                "settings to receive a test.",
            )
        else:
            emails.test_email(self.issue, to).send()
            messages.success(request, f"A test copy was sent to {to}.")
        return redirect(_issue_url("preview", self.issue))


class IssueSendView(IssueMixin, TemplateView):
    """Send now, after a confirmation page that says to how many people."""

    permission = SEND_ISSUE
    page_title = "Send now"
    template_name = "newsletter/admin/issue_send.html"

    def get(self, request, *args, **kwargs):
        if self.issue.status in LOCKED:
            return self.back_with_error(NotSendable("This issue has already gone out."))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["recipients"] = queries.recipients(self.issue.newsletter_list).count()
        return context

    def post(self, request, pk):
        try:
            total = issues.send_now(self.issue)
        except NotSendable as exc:
            self.issue.refresh_from_db()
            return self.back_with_error(exc)
        messages.success(
            request, f"Sending to {total} subscriber{'' if total == 1 else 's'}."
        )
        return redirect(_issue_url("progress", self.issue))


class ScheduleForm(forms.Form):
    when = forms.DateTimeField(
        label="Send at",
        widget=AdminDateTimeInput,
        help_text=f"Site time ({timezone.get_default_timezone_name()}).",
    )


class IssueScheduleView(IssueMixin, TemplateView):
    permission = SEND_ISSUE
    page_title = "Schedule"
    template_name = "newsletter/admin/issue_schedule.html"

    def get(self, request, *args, **kwargs):
        if self.issue.status in LOCKED:
            return self.back_with_error(NotSendable("This issue has already gone out."))
        initial = {"when": self.issue.scheduled_for} if self.issue.scheduled_for else {}
        return self.render_to_response(
            self.get_context_data(form=ScheduleForm(initial=initial))
        )

    def post(self, request, pk):
        form = ScheduleForm(request.POST)
        if form.is_valid():
            try:
                issues.schedule(self.issue, form.cleaned_data["when"])
            except NotSendable as exc:
                form.add_error("when", str(exc))
            else:
                messages.success(
                    request,
                    f"“{self.issue.subject}” will go out on "
                    f"{_when(self.issue.scheduled_for)}.",
                )
                return redirect("newsletter_issues:index")
        return TemplateResponse(
            request,
            self.template_name,
            self.get_context_data(form=form),
            status=400,
        )


class IssueUnscheduleView(IssueMixin, View):
    permission = SEND_ISSUE
    http_method_names = ["post"]

    def post(self, request, pk):
        if self.issue.status == IssueStatus.SCHEDULED:
            issues.unschedule(self.issue)
            messages.success(request, "The issue is a draft again and will not go out.")
        else:
            messages.warning(request, "This issue was not scheduled.")
        return redirect(_issue_url("preview", self.issue))


class IssueProgressView(IssueMixin, TemplateView):
    page_title = "Progress"
    template_name = "newsletter/admin/issue_progress.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        progress = queries.progress(self.issue)
        context["progress"] = progress
        context["sending"] = self.issue.status == IssueStatus.SENDING
        context["refresh_seconds"] = PROGRESS_REFRESH_SECONDS
        context["started_at"] = _when(self.issue.started_at)
        context["finished_at"] = _when(self.issue.finished_at)
        context["next_retry_at"] = _when(progress.next_retry_at)
        context["per_second"] = f"{progress.per_second:.1f}"
        context["time_left"] = _duration(progress.seconds_left)
        return context


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "not known yet"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


class IssueViewSet(ModelViewSet):
    model = Issue
    name = "newsletter_issues"
    url_prefix = "newsletter/issues"
    icon = "mail"
    menu_label = "Issues"
    menu_order = 10
    add_to_admin_menu = False
    add_to_reference_index = False
    copy_view_enabled = False
    index_view_class = IssueIndexView
    edit_view_class = IssueEditView
    delete_view_class = IssueDeleteView
    search_fields = ["subject"]
    list_filter = ["status", "newsletter_list"]

    def get_urlpatterns(self):
        pages = [
            ("preview", IssuePreviewView),
            ("preview_html", IssuePreviewHTMLView),
            ("test", IssueTestView),
            ("send", IssueSendView),
            ("schedule", IssueScheduleView),
            ("unschedule", IssueUnscheduleView),
            ("progress", IssueProgressView),
        ]
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("new/", IssueCreateView.as_view(), name="add"),
            path("edit/<int:pk>/", self.edit_view, name="edit"),
            path("delete/<int:pk>/", self.delete_view, name="delete"),
            path("history/<int:pk>/", self.history_view, name="history"),
            path(
                "history-results/<int:pk>/",
                self.history_results_view,
                name="history_results",
            ),
            path("usage/<int:pk>/", self.usage_view, name="usage"),
            *[
                path(f"{name.replace('_', '-')}/<int:pk>/", view.as_view(), name=name)
                for name, view in pages
            ],
        ]
