import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from wagtail.models import Site

from masthead.core import queries
from masthead.core.choices import SocialNetwork

register = template.Library()


def _site(context) -> Site | None:
    request = context.get("request")
    if request is None:
        return None
    return Site.find_for_request(request)


@register.simple_tag(takes_context=True)
def site_name(context) -> str:
    return queries.site_name(_site(context))


@register.simple_tag(takes_context=True)
def section_pages(context):
    from masthead.news.models import SectionPage

    site = _site(context)
    if site is None:
        return SectionPage.objects.none()
    return (
        SectionPage.objects.live()
        .public()
        .in_menu()
        .descendant_of(site.root_page)
        .order_by("path")
    )


def _home(context):
    """The site's HomePage, looked up once per request (its routes are ours)."""
    from masthead.news.models import HomePage

    request = context.get("request")
    if request is None:
        return None
    if not hasattr(request, "_masthead_home"):
        site = Site.find_for_request(request)
        home = site.root_page.specific if site else None
        request._masthead_home = home if isinstance(home, HomePage) else None
    return request._masthead_home


def _route(context, name: str, **kwargs) -> str:
    home = _home(context)
    if home is None:
        return ""
    return home.url + home.reverse_subpage(name, kwargs=kwargs or None)


@register.simple_tag(takes_context=True)
def latest_url(context) -> str:
    return _route(context, "latest")


@register.simple_tag(takes_context=True)
def author_url(context, author) -> str:
    return _route(context, "author", slug=author.slug)


@register.simple_tag(takes_context=True)
def tag_url(context, tag) -> str:
    return _route(context, "tag", slug=tag.slug)


@register.simple_tag
def social_label(value) -> str:
    if value.get("label"):
        return value["label"]
    try:
        return SocialNetwork(value.get("network")).label
    except ValueError:
        return value.get("url", "")


# The characters that could end a <script> element or start markup inside it.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def json_ld(context, data) -> str:
    """A schema.org block, escaped so no value can close the script element."""
    request = context.get("request")
    nonce = str(getattr(request, "csp_nonce", "")) if request else ""
    payload = json.dumps(data, cls=DjangoJSONEncoder).translate(_SCRIPT_ESCAPES)
    return format_html(
        '<script type="application/ld+json" nonce="{}">{}</script>',
        nonce,
        mark_safe(payload),  # noqa: S308 - JSON with <, > and & escaped above
    )


@register.simple_tag(takes_context=True)
def csp_nonce(context) -> str:
    request = context.get("request")
    return str(getattr(request, "csp_nonce", "")) if request else ""
