"""Reads of published stories, with the joins every list of teasers needs."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Length, Substr
from wagtail.models import Page


def _section_title() -> Subquery:
    # A story's section is its parent page: the page whose tree path is the story's
    # path without its last step. One subquery instead of a query per teaser.
    parent_path = Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Page.steplen)
    return Subquery(Page.objects.filter(path=parent_path).values("title")[:1])


def teasers(queryset: QuerySet) -> QuerySet:
    """Live, public stories with what a teaser shows joined in, newest first."""
    from masthead.analytics.queries import with_view_counts
    from masthead.comments.queries import with_comment_counts

    from .models import ArticleAuthor

    return (
        with_view_counts(with_comment_counts(queryset.live()))
        .public()
        .annotate(section_title=_section_title())
        .select_related("featured_image")
        .prefetch_related(
            Prefetch(
                "article_authors",
                queryset=ArticleAuthor.objects.select_related("author"),
            ),
        )
        .order_by("-first_published_at", "-pk")
    )


def latest_articles(section=None) -> QuerySet:
    from .models import ArticlePage

    articles = ArticlePage.objects.all()
    if section is not None:
        articles = articles.child_of(section)
    return teasers(articles)


def articles_by_author(author) -> QuerySet:
    from .models import ArticlePage

    return teasers(ArticlePage.objects.filter(article_authors__author=author))


def articles_by_tag(tag) -> QuerySet:
    from .models import ArticlePage

    return teasers(ArticlePage.objects.filter(tags=tag))


def series_episodes(series) -> QuerySet:
    from .models import ArticlePage

    return teasers(ArticlePage.objects.filter(series=series)).order_by(
        "-episode_number"
    )


def paginate(queryset, request, per_page: int):
    """Page ?page=N of `queryset`; junk gives page 1, past the end the last page."""
    paginator = Paginator(queryset, per_page)
    try:
        return paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        return paginator.page(paginator.num_pages)


def next_in_section(article):
    """The story published just before this one in its section, for "Next"."""
    from .models import ArticlePage

    if article.first_published_at is None:
        return None
    return (
        ArticlePage.objects.live()
        .public()
        .sibling_of(article, inclusive=False)
        .filter(first_published_at__lt=article.first_published_at)
        .order_by("-first_published_at")
        .only("title", "url_path", "path", "depth", "first_published_at")
        .first()
    )


def related_articles(article, limit: int = 3) -> list:
    """Recent stories sharing the most tags with this one (none if it has no tags)."""
    from django.db.models import Count

    from .models import ArticlePage

    # Read through the manager's objects: in a preview the tags live in memory only.
    tag_ids = [tag.pk for tag in article.tags.all() if tag.pk is not None]
    if not tag_ids:
        return []
    return list(
        teasers(ArticlePage.objects.filter(tags__in=tag_ids).exclude(pk=article.pk))
        .annotate(shared_tags=Count("tags"))
        .order_by("-shared_tags", "-first_published_at")[:limit]
    )
