"""The Newsletter menu (issues, lists, subscribers, CSV), hooked into Wagtail."""

from django.template.loader import render_to_string
from wagtail import hooks

from . import csv_admin
from .admin_views import NewsletterMenu


@hooks.register("register_admin_viewset")
def register_newsletter_menu():
    return NewsletterMenu()


@hooks.register("register_admin_urls")
def register_csv_urls():
    return csv_admin.urlpatterns


@hooks.register("insert_global_admin_css")
def newsletter_css():
    return render_to_string("newsletter/admin/css.html")
