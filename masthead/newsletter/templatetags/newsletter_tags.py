from django import template
from django.core.cache import cache

from masthead.newsletter.emails import rich_text_to_plain
from masthead.newsletter.queries import signup_lists

register = template.Library()
# The lists change when an editor edits them; a minute's delay is fine and saves
# a query on every page.
LISTS_CACHE_KEY = "newsletter:signup-lists"
LISTS_CACHE_SECONDS = 60


@register.inclusion_tag("newsletter/signup_form.html", takes_context=True)
def newsletter_signup(context, place: str = "sidebar"):
    """The signup form; `place` (sidebar, article, page) keeps element ids unique."""
    lists = cache.get(LISTS_CACHE_KEY)
    if lists is None:
        lists = [
            {
                "pk": li.pk,
                "name": li.name,
                "description": li.description,
                "checked": li.checked_at_signup,
            }
            for li in signup_lists()
        ]
        cache.set(LISTS_CACHE_KEY, lists, LISTS_CACHE_SECONDS)
    return {"lists": lists, "place": place, "site_title": context.get("site_title")}


@register.filter
def richtext_as_text(value) -> str:
    """An editor's rich text for the plain-text part: paragraphs, links as URLs."""
    return rich_text_to_plain(str(value or ""))
