from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from masthead.comments import conf, rendering, services
from masthead.comments.choices import CommentSort
from masthead.comments.fragments import comment_list_html, parse_sort
from masthead.comments.models import Thread

register = template.Library()


@register.inclusion_tag("comments/section.html", takes_context=True)
def comment_section(context, page):
    """Everything under an article: count, subscribe, form, sorted thread."""
    request = context.get("request")
    query = request.GET if request is not None else {}
    thread = Thread.objects.filter(page_id=page.pk).first()
    settings = services.settings_for(page)
    sort = parse_sort(query.get("sort"))
    reply_to = query.get("replyto", "")
    return {
        "page": page,
        "count": thread.visible_count if thread else 0,
        "is_open": services.comments_are_open(page, settings, thread),
        "sort": sort,
        "sorts": CommentSort.choices,
        "list_html": comment_list_html(page, sort, thread, settings),
        "parent": reply_to if reply_to.isdigit() else "",
        "data": {},
        "errors": {},
        "token": "",
        "token_url": reverse("comments:token", args=[page.pk]),
        "list_url": reverse("comments:list", args=[page.pk]),
    }


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
