from django import template
from django.core.cache.backends.base import InvalidCacheBackendError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from masthead.caching.fragments import cached_html
from masthead.comments import conf, rendering, services
from masthead.comments.choices import CommentSort
from masthead.comments.fragments import (
    comment_count_marker,
    comment_list_html,
    fill_comment_counts,
    list_cache_key,
    parse_sort,
)
from masthead.comments.models import CommentSettings, Thread

register = template.Library()


@register.simple_tag(takes_context=True)
def comment_section(context, page):
    """Everything under an article: count, subscribe, form, sorted thread.

    Rendered once per state of the thread (its `changed_at` moves on every
    approval, edit, removal or vote), open or closed, sort and reply target:
    the same HTML for every reader, so it is kept in the page cache.
    """
    from masthead.news.models import SiteOnceMixin
    from masthead.news.serving import site_settings

    request = context.get("request")
    query = request.GET if request is not None else {}
    thread = next(iter(Thread.objects.filter(page_id=page.pk)[:1]), None)
    site = page.get_site() if isinstance(page, SiteOnceMixin) else None
    if site is not None:
        settings = site_settings(CommentSettings, site)
    else:
        settings = services.settings_for(page)
    sort = parse_sort(query.get("sort"))
    reply_to = query.get("replyto", "")
    data = {
        "page": page,
        "count": thread.visible_count if thread else 0,
        "is_open": services.comments_are_open(page, settings, thread),
        "sort": sort,
        "sorts": CommentSort.choices,
        "parent": reply_to if reply_to.isdigit() and len(reply_to) < 12 else "",
        "data": {},
        "errors": {},
        "token": "",  # nosec B105 # the form's token, fetched later: no password
        "token_url": reverse("comments:token", args=[page.pk]),
        "list_url": reverse("comments:list", args=[page.pk]),
    }

    def render() -> str:
        html = comment_list_html(page, sort, thread, settings)
        return render_to_string("comments/section.html", {**data, "list_html": html})

    if request is None or getattr(request, "is_preview", False):
        return render()
    key = ":".join(
        str(part)
        for part in (
            list_cache_key(page.pk, sort, thread, settings.erased_comments),
            data["count"],
            data["is_open"],
            data["parent"],
        )
    )
    try:
        html = cached_html(f"comments:section:{key}", render)
    except InvalidCacheBackendError:  # no "pages" cache configured
        html = render()
    # The HTML was rendered by a template, so already escaped.
    # nosemgrep: mark-safe-on-unescaped-value -- rendered (and cached) by a template
    return mark_safe(html)  # noqa: S308  # nosec B308, B703


@register.simple_tag
def comment_count_slot(story):
    """Where a teaser's comment count goes; `live_comment_counts` fills it."""
    return comment_count_marker(story.pk)


@register.tag
def live_comment_counts(parser, token):
    """`{% live_comment_counts %}...{% endlive_comment_counts %}`: the comment
    counts of the teasers inside, read when the page is served (one query), so
    the teasers themselves can come from a cache."""
    nodelist = parser.parse(("endlive_comment_counts",))
    parser.delete_first_token()
    return LiveCommentCountsNode(nodelist)


class LiveCommentCountsNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        return fill_comment_counts(self.nodelist.render(context))


@register.simple_tag
def comment_avatar(comment, gravatar=False, size=40):
    """An inline SVG avatar drawn from the comment's keyed seed (no request out)."""
    seed = comment.avatar_seed
    if gravatar and comment.author_email:
        return format_html(
            '<img class="avatar" src="{}" width="{}" height="{}" alt=""'
            ' loading="lazy">',
            rendering.gravatar_url(comment.author_email, size * 2),
            size,
            size,
        )
    if not seed:
        return format_html(
            '<svg class="avatar avatar--empty" viewBox="0 0 5 5" width="{}" height="{}"'
            ' aria-hidden="true"><rect width="5" height="5" fill="#9e9e9e"/></svg>',
            size,
            size,
        )
    colour = f"hsl({rendering.avatar_hue(seed)} 55% 45%)"
    cells = format_html_join(
        "",
        '<rect x="{}" y="{}" width="1" height="1"/>',
        rendering.identicon_cells(seed),
    )
    return format_html(
        '<svg class="avatar" viewBox="-0.5 -0.5 6 6" width="{}" height="{}" '
        'aria-hidden="true"><rect x="-0.5" y="-0.5" width="6" height="6" '
        'fill="#f1efe9"/><g fill="{}">{}</g></svg>',
        size,
        size,
        colour,
        cells,
    )


@register.simple_tag
def comment_max_length():
    return conf.get("MASTHEAD_COMMENTS_MAX_LENGTH")


@register.filter
def error_for(errors, field):
    return (errors or {}).get(field, "")
