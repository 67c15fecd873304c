from django.urls import path

from . import views, webhooks

app_name = "newsletter"

# Subscriber keys are token_urlsafe(), so <slug:key>: anything else (a NUL byte,
# which PostgreSQL refuses in a lookup) is a 404 before any query.
urlpatterns = [
    path("", views.signup_page, name="signup"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("check-your-inbox/", views.check_inbox, name="check_inbox"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("preferences/<slug:key>/", views.preferences, name="preferences"),
    path("preferences/<slug:key>/erase/", views.erase, name="erase"),
    path(
        "unsubscribe/<slug:key>/<slug:list_slug>/",
        views.unsubscribe,
        name="unsubscribe",
    ),
    path(
        "unsubscribe/<slug:key>/<slug:list_slug>/<int:issue_id>/",
        views.unsubscribe,
        name="unsubscribe_issue",
    ),
    # Bounces and complaints from the configured ESP only; see webhooks.py.
    path(
        "anymail/<slug:esp>/tracking/",
        webhooks.tracking_webhook,
        name="tracking_webhook",
    ),
]
