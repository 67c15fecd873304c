"""Reads of published stories, with the joins every list of teasers needs."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Length, Substr
from wagtail.images import get_image_model
from wagtail.models import Page

# The sizes a teaser shows: in a river, and as the lead story of the home page.
TEASER_RENDITIONS = ("fill-640x360", "fill-1200x675")


def _section_title() -> Subquery:
    # A story's section is its parent page: the page whose tree path is the story's
    # path without its last step. One subquery instead of a query per teaser.
    parent_path = Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Page.steplen)
    return Subquery(Page.objects.filter(path=parent_path).values("title")[:1])


def public(queryset: QuerySet) -> QuerySet:
    """Wagtail's `.public()` without its query on every list.

    The private subtrees come from the routing facts, read once per content
    version (a view restriction's change moves it, see `serving`).
    """
    from .serving import routing_facts

    for private_path in routing_facts()["restricted_paths"]:
        queryset = queryset.exclude(path__startswith=private_path)
    return queryset


def teasers(queryset: QuerySet) -> QuerySet:
    """Live, public stories with what a teaser shows joined in, newest first."""
    from masthead.analytics.queries import with_view_counts

    from .models import ArticleAuthor

    # Comment counts are not joined: they change with every approval, so the
    # cached lists carry a marker the comments app fills when the page is served.
    return (
        public(with_view_counts(queryset.live()))
        .annotate(section_title=_section_title())
        .prefetch_related(
            Prefetch(
                "article_authors",
                queryset=ArticleAuthor.objects.select_related("author"),
            ),
            # The image and its teaser renditions: two queries for the whole list.
            Prefetch(
                "featured_image",
                queryset=get_image_model().objects.prefetch_renditions(
                    *TEASER_RENDITIONS
                ),
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


def page_number_key(request) -> str:
    """Which page of a list `paginate` will show, without counting the list.

    For cache keys: every ?page= that shows the same stories gives the same key
    (junk is page 1, a number below 1 the last page), and a number too large
    for any list is "last" too, so a URL cannot make up keys without end.
    """
    try:
        number = int(request.GET.get("page", 1))
    except (TypeError, ValueError):
        return "1"
    if number < 1 or number > 10**7:
        return "last"
    return str(number)


def next_in_section(article):
    """The story published just before this one in its section, for "Next"."""
    from .models import ArticlePage

    if article.first_published_at is None:
        return None
    return (
        public(ArticlePage.objects.live())
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

    tag_ids = [tag.pk for tag in article.tag_list if tag.pk is not None]
    if not tag_ids:
        return []
    # Titles, sections and dates are all the list shows: no teaser joins.
    related = public(
        ArticlePage.objects.live().filter(tags__in=tag_ids).exclude(pk=article.pk)
    )
    return list(
        related.annotate(section_title=_section_title(), shared_tags=Count("tags"))
        .only("title", "url_path", "path", "depth", "first_published_at", "go_live_at")
        .order_by("-shared_tags", "-first_published_at")[:limit]
    )
