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
    data = widgets.widget_context(
        site=site, source_page=page if isinstance(page, ArticlePage) else None
    )
    goal = data["goal"]
    show_goal = bool(goal) and {
        "sidebar": goal["in_sidebar"],
        "article": goal["below_articles"],
        "page": goal["on_donate_page"],
    }.get(place, False)
    shown = place != "article" or data["below_articles"]
    return {**data, "place": place, "show_goal": show_goal, "shown": shown}
