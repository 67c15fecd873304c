"""The moderation queue's filters: article, status, email and date.

The queue opens on pending comments. "Any status" is an explicit choice rather
than an empty value, so that a missing `status` parameter always means "pending"
and the bulk actions' "select all" sees the same rows as the listing did.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django_filters.fields import ModelChoiceField
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet

from .choices import CommentStatus
from .models import Comment

ANY_STATUS = "any"
STATUS_CHOICES = [
    *[(value, label) for value, label in CommentStatus.choices],
    (ANY_STATUS, "Any status"),
]


def _articles_with_comments(request):
    from masthead.news.models import ArticlePage

    # EXISTS per story, not a join of every comment made DISTINCT: seconds saved
    # with hundreds of thousands of comments.
    has_comments = Exists(Comment.objects.filter(page_id=OuterRef("pk")))
    return (
        ArticlePage.objects.filter(has_comments).only("id", "title").order_by("title")
    )


class ArticleChoiceField(ModelChoiceField):
    def to_python(self, value):
        try:
            return super().to_python(value)
        except OverflowError:
            # SQLite cannot look an id past 64 bits up through page_ptr.
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


class ArticleFilter(django_filters.ModelChoiceFilter):
    field_class = ArticleChoiceField


class CommentQueueFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label="Status",
        choices=STATUS_CHOICES,
        method="filter_status",
        empty_label=None,
        initial=CommentStatus.PENDING,
        widget=forms.RadioSelect,
    )
    page = ArticleFilter(
        label="Article",
        queryset=_articles_with_comments,
        empty_label="All articles",
    )
    author_email = django_filters.CharFilter(label="Email", lookup_expr="icontains")
    created_at = django_filters.DateFromToRangeFilter(
        label="Posted", widget=DateRangePickerWidget
    )

    class Meta:
        model = Comment
        fields = ["status", "page", "author_email", "created_at"]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if data is not None and not data.get("status"):
            data = data.copy()
            data["status"] = CommentStatus.PENDING
        super().__init__(data, queryset, request=request, prefix=prefix)

    def filter_status(self, queryset, name, value):
        if value == ANY_STATUS:
            return queryset
        return queryset.filter(status=value)


def filter_queue(params, queryset=None, request=None):
    """The comments the queue shows for these query parameters."""
    if queryset is None:
        queryset = Comment.objects.all()
    filterset = CommentQueueFilterSet(params, queryset=queryset, request=request)
    if not filterset.is_valid():
        return queryset.none()
    return filterset.qs
