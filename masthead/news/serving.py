"""Serving a published page found by its URL in two queries.

Wagtail finds a page by asking each level of the tree for the next slug, then
reads the view restrictions of every ancestor: a query per level plus three, on
every uncached page. A live page's `url_path` already says where it is, so one
query finds it, and the few facts that could change the answer (private
subtrees, aliases, routable pages above it, the sites) are read once per content
version. Whatever this route is not sure about goes to Wagtail's own serve: a
method other than GET or HEAD, a sub-route of a routable page, a private
subtree, an alias, a translated site, a page that is not live or not found.
"""

import hashlib
import logging

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_delete, post_save
from django.db.transaction import on_commit
from django.http import HttpResponse
from django.urls import Resolver404
from wagtail import hooks
from wagtail import views as wagtail_views
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.models import Page, PageViewRestriction, Site, get_page_models
from wagtail.url_routing import RouteResult
from wagtail.wagtail_hooks import check_view_restrictions

from masthead.caching.fragments import (
    bump_content_version,
    content_version,
    remembered,
)
from masthead.core.models import MastheadSettings

logger = logging.getLogger("masthead.news")


def serve(request, path: str):
    """A page by its URL: the fast route when it is sure, else Wagtail's."""
    route = _fast_route(request, path)
    if route is None:
        return wagtail_views.serve(request, path)
    page, args, kwargs = route
    request._wagtail_route_for_request = route
    settings_for_request(MastheadSettings, request)
    serve_chain = wagtail_views.serve_chain
    for wrap in reversed(hooks.get_hooks("on_serve_page")):
        # The page and its ancestors have no view restriction (checked above),
        # and reading them is the queries this route saves.
        if wrap is not check_view_restrictions:
            serve_chain = wrap(serve_chain)
    for before in hooks.get_hooks("before_serve_page"):
        result = before(page, request, args, kwargs)
        if isinstance(result, HttpResponse):
            return result
    return serve_chain(page, request, args, kwargs)


def _fast_route(request, path: str) -> RouteResult | None:
    if request.method not in ("GET", "HEAD") or getattr(
        settings, "WAGTAIL_I18N_ENABLED", False
    ):
        return None
    site = site_for_request(request)
    if site is None:
        return None
    facts = routing_facts()
    url_path = site.root_page.url_path + path
    found = _live_page_at(url_path)
    if found is None:
        return _home_route(request, site, path, facts)
    pk, content_type_id, tree_path, alias_of_id = found
    if alias_of_id is not None or _needs_wagtail(tree_path, url_path, facts):
        return None
    page = _live_page(request, site, pk, content_type_id)
    return None if page is None else page.route(request, [])


def _home_route(request, site, path: str, facts: dict) -> RouteResult | None:
    """A route of the site's routable root page (/latest/, /authors/<slug>/...)."""
    root = site.root_page
    routable = {tree: type_id for tree, _url, type_id in facts["routable_pages"]}
    content_type_id = routable.get(root.path)
    if content_type_id is None or _private_or_alias(root.path, facts):
        return None
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    if model is None or not _has_route(model, path):
        return None
    page = _live_page(request, site, root.pk, content_type_id)
    if page is None:
        return None
    return page.route(request, [part for part in path.split("/") if part])


def _live_page(request, site, pk: int, content_type_id: int):
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    if model is None:
        return None
    # Nothing joined: what a page shows of its relations sits in fragments, read
    # only when they are drawn (a join costs more to compile than to run).
    page = model.objects.filter(pk=pk, live=True).first()
    if page is None:  # gone since the route was remembered
        return None
    # The page's own site, as Wagtail would find it, is most often this one:
    # remembered so that nothing rendering the page reads it again.
    url_parts = page.get_url_parts(request)
    if url_parts is not None and url_parts[0] == site.pk:
        page._masthead_site = site
    return page


def _live_page_at(url_path: str) -> tuple[int, int, str, int | None] | None:
    """(id, content type id, tree path, alias of) of the live page at `url_path`.

    Remembered per content version (a publish, unpublish, move or delete moves
    it); a miss is not remembered, so unknown URLs cannot fill the cache.
    """
    digest = hashlib.sha256(url_path.encode()).hexdigest()[:32]
    return remembered(
        f"serving:url:{content_version()}:{digest}",
        lambda: (
            Page.objects.filter(url_path=url_path, live=True)
            .values_list("pk", "content_type_id", "path", "alias_of_id")
            .first()
        ),
    )


def _needs_wagtail(tree_path: str, url_path: str, facts: dict) -> bool:
    """Whether the page is private, an alias or under one, or maybe a sub-route."""
    if _private_or_alias(tree_path, facts):
        return True
    for routable_path, routable_url_path, content_type_id in facts["routable_pages"]:
        if tree_path != routable_path and tree_path.startswith(routable_path):
            # Wagtail asks a routable ancestor first: a route of its own wins.
            model = ContentType.objects.get_for_id(content_type_id).model_class()
            if model is None or _has_route(model, url_path[len(routable_url_path) :]):
                return True
    return False


def _private_or_alias(tree_path: str, facts: dict) -> bool:
    paths = (*facts["restricted_paths"], *facts["alias_paths"])
    return any(tree_path.startswith(path) for path in paths)


def _has_route(model, subpath: str) -> bool:
    try:
        model.get_resolver().resolve("/" + subpath)
    except Resolver404:
        return False
    return True


def routing_facts() -> dict:
    """Private subtrees, aliases and routable pages, read once per content version.

    A publish, an unpublish, a view restriction's change or a site's change
    moves the content version (see `content_changed`), so these are never stale.
    """
    return remembered(f"serving:facts:{content_version()}", _read_routing_facts)


def _read_routing_facts() -> dict:
    routable_types = [
        ContentType.objects.get_for_model(model).pk
        for model in get_page_models()
        if issubclass(model, RoutablePageMixin)
    ]
    return {
        "restricted_paths": sorted(
            set(PageViewRestriction.objects.values_list("page__path", flat=True))
        ),
        "alias_paths": sorted(
            Page.objects.filter(alias_of__isnull=False).values_list("path", flat=True)
        ),
        "routable_pages": list(
            Page.objects.filter(content_type_id__in=routable_types).values_list(
                "path", "url_path", "content_type_id"
            )
        ),
    }


def site_for_request(request) -> Site | None:
    """The request's site as Wagtail finds it, remembered per host and version."""
    if hasattr(request, "_wagtail_site"):
        return request._wagtail_site
    host = request._get_raw_host()
    digest = hashlib.sha256(f"{host}:{request.get_port()}".encode()).hexdigest()
    site = remembered(
        f"serving:site:{content_version()}:{digest[:32]}",
        lambda: _site_with_root(request),
    )
    request._wagtail_site = site
    return site


def _site_with_root(request) -> Site | None:
    site = Site._find_for_request(request)
    if site is not None:
        site.root_page  # noqa: B018 - loaded now so the cached copy carries it
    return site


def site_settings(model, site: Site):
    """A site setting (Wagtail's `for_site`), read once per content version.

    Saving a site setting moves the content version (masthead.caching.receivers).
    """
    return remembered(
        f"serving:settings:{content_version()}:{model._meta.label_lower}:{site.pk}",
        lambda: model.for_site(site),
    )


def settings_for_request(model, request):
    """`model.for_request(request)` from the page cache: what the `settings`
    context processor and the tags then read without a query."""
    attr = model.get_cache_attr_name()
    if not hasattr(request, attr):
        site = site_for_request(request)
        if site is None:
            return model.for_request(request)
        instance = site_settings(model, site)
        instance._request = request
        setattr(request, attr, instance)
    return getattr(request, attr)


def content_changed(sender, **kwargs):
    """A page was deleted or a view restriction changed: routes and fragments
    must be read again.

    masthead.caching moves the content version for everything else pages show
    (publishing, moves, sites, settings, authors). A restriction is checked here
    too because a stale answer would show a private page to anyone.
    """
    on_commit(bump_content_version)


def connect_signals() -> None:
    for signal in (post_save, post_delete):
        signal.connect(
            content_changed,
            sender=PageViewRestriction,
            dispatch_uid=f"serving-restriction-{signal is post_save}",
        )
    post_delete.connect(content_changed, sender=Page, dispatch_uid="serving-deleted")
