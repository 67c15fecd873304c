"""Subscription, confirmation, unsubscribe and erasure routes (see subscription_views).

Included by urls.py without a namespace of its own, so the names live in
"comments" (`comments:subscribe`, `comments:erase_confirm`, ...).
"""

from django.urls import path

from . import subscription_views as views

urlpatterns = [
    path("<int:page_id>/subscribe/", views.subscribe, name="subscribe"),
    path(
        "subscriptions/<str:token>/confirm/",
        views.confirm,
        name="subscription_confirm",
    ),
    path(
        "subscriptions/<str:token>/unsubscribe/",
        views.unsubscribe,
        name="unsubscribe",
    ),
    path("erase/", views.erase_request, name="erase_request"),
    path("erase/<str:token>/", views.erase_confirm, name="erase_confirm"),
]
