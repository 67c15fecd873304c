import base64
import hashlib
import json
import re

from django import template
from django.core.cache.backends.base import InvalidCacheBackendError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from wagtail.models import Site

from masthead.caching.fragments import cached_html
from masthead.core import queries
from masthead.core.choices import SocialNetwork

register = template.Library()


def _site(context) -> Site | None:
    request = context.get("request")
    if request is None:
        return None
    return Site.find_for_request(request)


@register.tag
def fragment(parser, token):
    """`{% fragment "name" value... [minutely] %}...{% endfragment %}`: rendered
    once per content version, site and values, then read from the page cache.

    The values name everything the HTML depends on besides content and site.
    `minutely` is for HTML that changes without a publish (counts, rankings):
    it is rendered again every minute. A preview is always rendered: its content
    is a draft, not the version the cache holds.
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("fragment needs a name")
    minutely = bits[-1] == "minutely"
    if minutely:
        bits = bits[:-1]
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    values = [parser.compile_filter(bit) for bit in bits[1:]]
    return FragmentNode(nodelist, values, minutely)


class FragmentNode(template.Node):
    def __init__(self, nodelist, values, minutely: bool):
        self.nodelist = nodelist
        self.values = values
        self.minutely = minutely

    def render(self, context):
        request = context.get("request")
        if request is None or getattr(request, "is_preview", False):
            return self.nodelist.render(context)
        site = Site.find_for_request(request)
        parts = [str(value.resolve(context)) for value in self.values]
        if self.minutely:
            parts.append(str(int(timezone.now().timestamp() // 60)))
        digest = hashlib.sha256("\x1f".join(parts[1:]).encode()).hexdigest()[:32]
        name = f"{parts[0]}:{site.pk if site else 0}:{digest}"
        try:
            return cached_html(
                name,
                lambda: self.nodelist.render(context),
                seconds=90 if self.minutely else FRAGMENT_SECONDS,
            )
        except InvalidCacheBackendError:  # no "pages" cache configured
            return self.nodelist.render(context)


FRAGMENT_SECONDS = 3600


@register.simple_tag(takes_context=True)
def site_name(context) -> str:
    return queries.site_name(_site(context))


@register.simple_tag(takes_context=True)
def section_pages(context):
    from masthead.news.models import SectionPage

    site = _site(context)
    if site is None:
        return SectionPage.objects.none()
    from masthead.news.queries import public

    return (
        public(SectionPage.objects.live())
        .in_menu()
        .descendant_of(site.root_page)
        .order_by("path")
    )


@register.filter
def current_section_id(page) -> str:
    """The page's id if the section menu marks it as current, else nothing."""
    from masthead.news.models import SectionPage

    return str(page.pk) if isinstance(page, SectionPage) else ""


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
        # nosemgrep: mark-safe-on-unescaped-value -- JSON with <, > and & escaped above
        mark_safe(payload),  # noqa: S308  # nosec B308, B703
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
