"""The moderators' side of comments in the Wagtail admin.

A ModelViewSet gives the queue (listing, filters, search, edit); its row buttons,
bulk actions and the close/reopen switch all end in `services`, so that every
change recounts the thread and tells subscribers, as a reader-side change does.
Comments are never created or hard-deleted here: trash is the delete.
"""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.text import Truncator
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.sidebar import LinkMenuItem
from wagtail.admin.ui.tables import (
    BulkActionsCheckboxColumn,
    Column,
    DateColumn,
    StatusTagColumn,
    TitleColumn,
)
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.views import generic
from wagtail.admin.views.bulk_action import BulkAction
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import (
    Button,
    ButtonWithDropdown,
    HeaderButton,
    ListingButton,
)
from wagtail.log_actions import log
from wagtail.permissions import policy_registry

from masthead.core import converters  # noqa: F401  (registers <id:...>)

from . import services
from .choices import CommentStatus
from .exceptions import CommentRejected
from .filters import ANY_STATUS, CommentQueueFilterSet, filter_queue
from .models import Comment, Thread
from .moderation import can_moderate, pending_comments

VIEWSET_NAME = "comment_moderation"
# The statuses a moderator can set from the queue, with the button's words.
ROW_ACTIONS = {
    CommentStatus.APPROVED: "Approve",
    CommentStatus.SPAM: "Spam",
    CommentStatus.TRASH: "Trash",
    CommentStatus.PENDING: "Hold",
}


def queue_url(**params) -> str:
    url = reverse(f"{VIEWSET_NAME}:index")
    return f"{url}?{urlencode(params)}" if params else url


def _posts_to(url: str) -> dict:
    # Wagtail's w-action controller posts a form with the CSRF token and `next`.
    return {
        "data-controller": "w-action",
        "data-action": "w-action#post",
        "data-w-action-url-value": url,
    }


def _post_button(label: str, url: str, **kwargs) -> ListingButton:
    return ListingButton(label, attrs=_posts_to(url), **kwargs)


def _back(request, fallback: str):
    return redirect(get_valid_next_url_from_request(request) or fallback)


@require_POST
def set_status_view(request, pk: int, status: str):
    if not can_moderate(request.user):
        raise PermissionDenied
    if status not in ROW_ACTIONS:
        raise PermissionDenied
    comment = get_object_or_404(Comment, pk=pk)
    if services.set_status([comment], status, by=request.user):
        messages.success(
            request, f"Comment by {comment.author_name}: {CommentStatus(status).label}."
        )
    return _back(request, queue_url())


@require_POST
def close_thread_view(request, page_id: int, closed: bool):
    from masthead.news.models import ArticlePage

    if not can_moderate(request.user):
        raise PermissionDenied
    page = get_object_or_404(ArticlePage, pk=page_id)
    services.close_thread(page, closed)
    state = "closed" if closed else "reopened"
    messages.success(request, f"Comments on “{page.title}” {state}.")
    return _back(request, queue_url(page=page.pk))


class CommentQueueView(generic.IndexView):
    results_template_name = "comments/admin/index_results.html"
    # `?status=` missing means pending: see filters.py.
    default_ordering = "-created_at"

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("page")

    @cached_property
    def columns(self):
        excerpt = self._get_title_column_class(TitleColumn)(
            "body",
            label="Comment",
            accessor=lambda c: Truncator(c.body).chars(140),
            get_url=self.get_edit_url,
            get_title_id=lambda c: f"comment_{c.pk}_title",
        )
        columns = [
            excerpt,
            Column("author_name", label="Name", sort_key="author_name"),
            Column("author_email", label="Email"),
            Column("page", label="Article", accessor="page.title"),
            StatusTagColumn(
                "status",
                label="Status",
                accessor="get_status_display",
                primary=lambda c: c.status == CommentStatus.APPROVED,
            ),
            DateColumn("created_at", label="Posted", sort_key="created_at"),
        ]
        if can_moderate(self.request.user):
            columns.insert(0, BulkActionsCheckboxColumn("bulk", obj_type="comment"))
        return columns

    def get_list_buttons(self, instance):
        buttons = []
        if can_moderate(self.request.user):
            for status, label in ROW_ACTIONS.items():
                if instance.status in (status, CommentStatus.DELETED):
                    continue
                if status == CommentStatus.PENDING:
                    continue  # holding back is rare: the dropdown has it
                url = reverse(f"{VIEWSET_NAME}:set_status", args=[instance.pk, status])
                buttons.append(_post_button(label, url, priority=len(buttons)))
        more = []
        if edit_url := self.get_edit_url(instance):
            more.append(Button("Edit", url=edit_url, icon_name="edit"))
        if can_moderate(self.request.user) and instance.status not in (
            CommentStatus.PENDING,
            CommentStatus.DELETED,
        ):
            url = reverse(
                f"{VIEWSET_NAME}:set_status", args=[instance.pk, CommentStatus.PENDING]
            )
            more.append(
                Button("Hold for moderation", icon_name="clock", attrs=_posts_to(url))
            )
        more.append(
            Button(
                "All comments on this article",
                url=queue_url(page=instance.page_id, status=ANY_STATUS),
                icon_name="list-ul",
            )
        )
        if article_url := instance.page.get_url(self.request):
            more.append(Button("View article", url=article_url, icon_name="doc-empty"))
        buttons.append(
            ButtonWithDropdown(
                buttons=more,
                icon_name="dots-horizontal",
                attrs={
                    "aria-label": f"More options for comment by {instance.author_name}"
                },
            )
        )
        return buttons

    @cached_property
    def filtered_article(self):
        if self.filters is not None and self.filters.is_valid():
            return self.filters.form.cleaned_data.get("page")
        return None

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        article = self.filtered_article
        context["can_moderate"] = can_moderate(self.request.user)
        context["model_opts"] = Comment._meta
        if article is not None:
            context["thread_article"] = article
            thread = Thread.objects.filter(page_id=article.pk).first()
            context["thread_closed"] = bool(thread and thread.is_closed)
            context["thread_open"] = services.comments_are_open(article, thread=thread)
        return context


class CommentEditView(generic.EditView):
    """Only the text: it goes through services.edit_comment like an author's edit."""

    def save_instance(self):
        comment = services.edit_comment(
            self.form.instance, self.form.cleaned_data["body"]
        )
        log(instance=comment, action="wagtail.edit", user=self.request.user)
        return comment

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except CommentRejected as rejected:
            for field, message in rejected.errors.items():
                form.add_error(field if field in form.fields else None, message)
            return self.form_invalid(form)

    def get_delete_url(self):
        return None

    @cached_property
    def header_buttons(self):
        # The digest links here: the moderator decides without going back.
        if not can_moderate(self.request.user):
            return []
        return [
            HeaderButton(
                label,
                icon_name=None,
                attrs=_posts_to(
                    reverse(f"{VIEWSET_NAME}:set_status", args=[self.object.pk, status])
                ),
                priority=priority,
            )
            for priority, (status, label) in enumerate(ROW_ACTIONS.items())
            if self.object.status not in (status, CommentStatus.DELETED)
        ]

    def get_page_subtitle(self):
        comment = self.object
        status = comment.get_status_display()
        return f"{comment.author_name} on “{comment.page.title}” ({status})"


class CommentBulkAction(BulkAction):
    models = [Comment]
    status = None
    template_name = "comments/admin/confirm_bulk_status.html"

    def check_perm(self, obj):
        return can_moderate(self.request.user)

    def get_all_objects_in_listing_query(self, parent_id):
        # "Select all" carries the listing's filters and search in the query string.
        return filter_queue(self.request.GET, request=self.request).values_list(
            "pk", flat=True
        )

    def get_execution_context(self):
        return {"status": self.status, "user": self.request.user}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "action": self}

    @classmethod
    def execute_action(cls, objects, status=None, user=None, **kwargs):
        return services.set_status(objects, status, by=user), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        noun = "comment" if num_parent_objects == 1 else "comments"
        return f"{num_parent_objects} {noun}: {CommentStatus(self.status).label}."


class ApproveBulkAction(CommentBulkAction):
    display_name = "Approve"
    action_type = "approve"
    aria_label = "Approve the selected comments"
    action_priority = 10
    status = CommentStatus.APPROVED


class SpamBulkAction(CommentBulkAction):
    display_name = "Spam"
    action_type = "spam"
    aria_label = "Mark the selected comments as spam"
    action_priority = 20
    status = CommentStatus.SPAM


class TrashBulkAction(CommentBulkAction):
    display_name = "Trash"
    action_type = "trash"
    aria_label = "Move the selected comments to the trash"
    action_priority = 30
    classes = {"serious"}
    status = CommentStatus.TRASH


BULK_ACTIONS = [ApproveBulkAction, SpamBulkAction, TrashBulkAction]


class CommentsMenuItem(MenuItem):
    """The sidebar's "Comments" link, with the number of pending comments."""

    def is_shown(self, request):
        policy = policy_registry.get_by_type(Comment)
        return policy.user_has_any_permission(request.user, ["change", "view"])

    def render_component(self, request):
        attrs = dict(self.attrs)
        count = pending_comments().count()
        if count:
            # The badge is drawn by CSS from this attribute (see wagtail_hooks).
            attrs["data-comments-pending"] = str(count)
            attrs["aria-label"] = f"{self.label}, {count} pending"
        return LinkMenuItem(
            self.name,
            self.label,
            self.url,
            icon_name=self.icon_name,
            classname=self.classname,
            attrs=attrs,
        )


class CommentViewSet(ModelViewSet):
    model = Comment
    name = VIEWSET_NAME
    url_prefix = "comments"
    icon = "comment"
    menu_label = "Comments"
    menu_name = "comments"
    menu_order = 250
    add_to_admin_menu = True
    add_to_reference_index = False
    copy_view_enabled = False
    index_view_class = CommentQueueView
    edit_view_class = CommentEditView
    index_template_name = "comments/admin/index.html"
    filterset_class = CommentQueueFilterSet
    search_fields = ["body", "author_name", "author_email"]
    ordering = "-created_at"
    list_per_page = 50
    form_fields = ["body"]

    @cached_property
    def menu_item_class(self):
        return CommentsMenuItem

    def get_common_view_kwargs(self, **kwargs):
        # No "Add" or "Delete": readers write comments, and trash is the delete.
        return super().get_common_view_kwargs(
            **{"add_url_name": None, "delete_url_name": None, **kwargs}
        )

    def get_urlpatterns(self):
        kept = {"index", "index_results", "edit", "history", "history_results", "usage"}
        return [p for p in super().get_urlpatterns() if p.name in kept] + [
            path(
                "<int:pk>/status/<str:status>/",
                set_status_view,
                name="set_status",
            ),
            path(
                "article/<id:page_id>/close/",
                close_thread_view,
                {"closed": True},
                name="close_thread",
            ),
            path(
                "article/<id:page_id>/reopen/",
                close_thread_view,
                {"closed": False},
                name="reopen_thread",
            ),
        ]


comment_viewset = CommentViewSet()
