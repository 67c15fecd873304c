"""Subscription, confirmation, unsubscribe and erasure routes (see subscription_views).

Included by urls.py without a namespace of its own, so the names live in
"comments" (`comments:subscribe`, `comments:erase_confirm`, ...).
"""

from django.urls import path

from masthead.core import converters  # noqa: F401  (registers <id:...>)

from . import subscription_views as views

# Subscription tokens are token_urlsafe(), so <slug:...>: anything else (a NUL
# byte, which PostgreSQL refuses in a lookup) is a 404 before any query.
urlpatterns = [
    path("<id:page_id>/subscribe/", views.subscribe, name="subscribe"),
    path(
        "subscriptions/<slug:token>/confirm/",
        views.confirm,
        name="subscription_confirm",
    ),
    path(
        "subscriptions/<slug:token>/unsubscribe/",
        views.unsubscribe,
        name="unsubscribe",
    ),
    path("erase/", views.erase_request, name="erase_request"),
    path("erase/<str:token>/", views.erase_confirm, name="erase_confirm"),
]
