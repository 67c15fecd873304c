"""The comment queue, its bulk actions and the sidebar badge, hooked into Wagtail."""

from django.template.loader import render_to_string
from wagtail import hooks

from .admin_views import BULK_ACTIONS, comment_viewset


@hooks.register("register_admin_viewset")
def register_comment_queue():
    return comment_viewset


for bulk_action in BULK_ACTIONS:
    hooks.register("register_bulk_action", bulk_action)


@hooks.register("insert_global_admin_css")
def comment_badge_css():
    return render_to_string("comments/admin/menu_badge.html")
