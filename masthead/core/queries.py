"""Reads about the site itself, for code that has no request to go by."""

from django.conf import settings
from wagtail.models import Site


def default_site() -> Site | None:
    return Site.objects.filter(is_default_site=True).first()


def site_name(site: Site | None = None) -> str:
    """The name readers know the site by: the Wagtail site's, else SITE_NAME.

    Without a site, the default one: mails and tasks have no request.
    """
    site = site or default_site()
    return site.site_name if site and site.site_name else settings.WAGTAIL_SITE_NAME
