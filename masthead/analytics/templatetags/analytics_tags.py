from django import template
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from wagtail.models import Page, Site

from masthead.analytics import queries

register = template.Library()


@register.filter
def compact_count(number) -> str:
    """4,370 below a million; 1.2M, 15M, 2.1B above."""
    number = int(number or 0)
    for size, suffix in ((10**9, "B"), (10**6, "M")):
        if number >= size:
            shown = f"{number / size:.1f}".removesuffix(".0")
            if float(shown) >= 100 or number >= 10 * size:
                shown = f"{number // size}"
            return f"{shown}{suffix}"
    return f"{number:,}"


@register.filter
def views_label(number) -> str:
    return f"{compact_count(number)} View{'' if int(number or 0) == 1 else 's'}"


@register.simple_tag(takes_context=True)
def trending_stories(context) -> str:
    """The Trending list for the request's site, rendered at most once a minute."""
    site = _site(context)
    root_path = site.root_page.path if site else ""
    return _minutely_fragment(
        f"trending:{root_path}",
        lambda: {
            "heading": "Trending",
            "stories": queries.trending(root_path),
            "css_id": "trending",
        },
    )


@register.simple_tag(takes_context=True)
def most_read_stories(context, page=None) -> str:
    """Most read in the page's section (on a section or its story), else on the site."""
    section = _section_of(page)
    if section is not None:
        path, heading = section[0], f"Most read in {section[1]}"
    else:
        site = _site(context)
        path, heading = (site.root_page.path if site else ""), "Most read"
    return _minutely_fragment(
        f"most-read:{path}",
        lambda: {
            "heading": heading,
            "stories": queries.most_read(path),
            "css_id": "most-read",
        },
    )


def _minutely_fragment(key: str, build) -> str:
    # The minute is in the key: every process shows the same list for a minute,
    # and a new one after it, with no purge needed.
    minute = int(timezone.now().timestamp() // 60)
    cache_key = f"analytics:fragment:{key}:{minute}"
    html = cache.get(cache_key)
    if html is None:
        html = render_to_string("analytics/story_list.html", build())
        cache.set(cache_key, html, 90)
    return html


def _site(context):
    request = context.get("request")
    return Site.find_for_request(request) if request is not None else None


def _section_of(page) -> tuple[str, str] | None:
    """(tree path, title) of the section a section page or a story belongs to."""
    from masthead.news.models import ArticlePage, SectionPage

    if isinstance(page, SectionPage):
        return page.path, page.title
    if not isinstance(page, ArticlePage):
        return None
    # A story's section is its parent; remembered so a cached page costs no query.
    cache_key = f"analytics:section-of:{page.path}"
    found = cache.get(cache_key)
    if found is None:
        parent = SectionPage.objects.filter(path=page.path[: -Page.steplen])
        found = parent.values_list("path", "title").first() or ("", "")
        cache.set(cache_key, found, 3600)
    return tuple(found) if found[0] else None
