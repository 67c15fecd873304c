"""schema.org data for search engines: NewsArticle, BreadcrumbList, Organization."""

from urllib.parse import urljoin

from wagtail.models import Site

from masthead.core.models import MastheadSettings

SHARE_IMAGE = "fill-1200x675"


def absolute(site: Site, url: str) -> str:
    return urljoin(site.root_url + "/", url)


def share_image_url(image, site: Site) -> str:
    if image is None:
        return ""
    return absolute(site, image.get_rendition(SHARE_IMAGE).url)


def organization(site: Site, request=None) -> dict:
    if request is not None and Site.find_for_request(request) == site:
        identity = MastheadSettings.for_request(request)  # read once per request
    else:
        identity = MastheadSettings.for_site(site)
    data = {
        "@context": "https://schema.org",
        "@type": "NewsMediaOrganization",
        "name": site.site_name or "Masthead",
        "url": site.root_url + "/",
    }
    if identity.logo:
        data["logo"] = {
            "@type": "ImageObject",
            "url": absolute(site, identity.logo.get_rendition("height-60").url),
        }
    profiles = [link.value["url"] for link in identity.social_links]
    if profiles:
        data["sameAs"] = profiles
    return data


def news_article(page, request) -> dict:
    site = page.get_site()
    publisher = organization(site, request)
    publisher.pop("@context")
    publisher.pop("sameAs", None)
    authors = [
        {"@type": "Person", "name": author.name, "url": absolute(site, author_path)}
        for author, author_path in page.author_paths()
    ]
    if page.original_author:
        authors = [{"@type": "Person", "name": page.original_author}]
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": page.title[:110],
        "description": page.standfirst,
        "url": page.get_full_url(request),
        "mainEntityOfPage": page.canonical_url or page.get_full_url(request),
        "datePublished": _iso(page.published_on),
        "dateModified": _iso(
            page.updated_at or page.last_published_at or page.published_on
        ),
        "author": authors,
        "publisher": publisher,
        "articleSection": page.section.title,
    }
    image = page.share_image_url(site)
    if image:
        data["image"] = [image]
    keywords = [tag.name for tag in page.tag_list]
    if keywords:
        data["keywords"] = keywords
    if page.original_url:
        data["isBasedOn"] = page.original_url
    return data


def breadcrumbs(page, request) -> dict:
    # Titles and URLs only: the base pages do, without a query per page type.
    trail = [*page.get_ancestors().filter(depth__gt=1), page]
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": "Home" if crumb.depth == 2 else crumb.title,
                "item": crumb.get_full_url(request),
            }
            for position, crumb in enumerate(trail, start=1)
        ],
    }


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None
