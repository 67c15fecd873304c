"""The Donations menu (lists and the revenue report), hooked into Wagtail."""

from django.template.loader import render_to_string
from wagtail import hooks

from .admin_views import (
    SUBMENU_HOOK,
    DonationsMenu,
    revenue_menu_item,
    urlpatterns,
)


@hooks.register("register_admin_viewset")
def register_donations_menu():
    return DonationsMenu()


@hooks.register("register_admin_urls")
def register_revenue_report_url():
    return urlpatterns


@hooks.register(SUBMENU_HOOK)
def register_revenue_report_menu_item():
    return revenue_menu_item()


@hooks.register("insert_global_admin_css")
def revenue_css():
    return render_to_string("revenue/admin/css.html")
