from django import template

from masthead.revenue import widgets

register = template.Library()


@register.inclusion_tag("revenue/widget.html", takes_context=True)
def donation_widget(context, place: str):
    """The donation form: `place` is sidebar, article or page (ids stay unique)."""
    from masthead.news.models import ArticlePage

    request = context.get("request")
    page = context.get("page")
    site = getattr(request, "_wagtail_site", None) if request else None
    source_page = page if isinstance(page, ArticlePage) else None
    # The sidebar and the end of a story show the same settings and progress:
    # read once per request.
    memo = getattr(request, "_masthead_donation_widget", None) if request else None
    if memo is not None and memo[0] == (site, source_page):
        data = memo[1]
    else:
        data = widgets.widget_context(site=site, source_page=source_page)
        if request is not None:
            request._masthead_donation_widget = ((site, source_page), data)
    goal = data["goal"]
    show_goal = bool(goal) and {
        "sidebar": goal["in_sidebar"],
        "article": goal["below_articles"],
        "page": goal["on_donate_page"],
    }.get(place, False)
    shown = place != "article" or data["below_articles"]
    return {**data, "place": place, "show_goal": show_goal, "shown": shown}
