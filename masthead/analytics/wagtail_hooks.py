"""The Audience dashboard, its menu item and homepage panel, hooked into Wagtail."""

from django.template.loader import render_to_string
from wagtail import hooks

from .admin_views import (
    AudienceHomePanel,
    audience_menu_item,
    can_see_audience,
    urlpatterns,
)


@hooks.register("register_admin_urls")
def register_audience_urls():
    return urlpatterns


@hooks.register("register_admin_menu_item")
def register_audience_menu_item():
    return audience_menu_item()


@hooks.register("construct_homepage_panels")
def add_audience_home_panel(request, panels):
    if can_see_audience(request.user):
        panels.append(AudienceHomePanel())


@hooks.register("insert_global_admin_css")
def audience_chart_css():
    # The dashboard and every article's Audience tab draw the same chart.
    return render_to_string("analytics/admin/chart_css.html")
