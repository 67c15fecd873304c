import base64
import hashlib
import json
import re

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


ACCENT = re.compile(r"#[0-9a-fA-F]{6}")
# The characters that could end a <script> element or start markup inside it.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def json_ld(data) -> str:
    """A schema.org block, escaped so no value can close the script element.

    A data block is never executed, so the policy needs no nonce for it, and the
    page stays the same bytes for every reader (cacheable, with a stable ETag).
    """
    payload = json.dumps(data, cls=DjangoJSONEncoder).translate(_SCRIPT_ESCAPES)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(payload),  # noqa: S308 - JSON with <, > and & escaped above
    )


@register.simple_tag(takes_context=True)
def accent_style(context, colour: str) -> str:
    """The site's accent colour as an inline style the policy allows by its hash.

    A hash, not a nonce: the same colour gives the same page and the same
    header for every reader. The middleware adds the hash to style-src.
    """
    if not ACCENT.fullmatch(colour or ""):
        return ""
    css = f":root{{--accent-light: {colour};}}"
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    request = context.get("request")
    if request is not None:
        hashes = getattr(request, "csp_style_hashes", [])
        request.csp_style_hashes = [*hashes, f"'sha256-{digest}'"]
    return format_html("<style>{}</style>", css)
