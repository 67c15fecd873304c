from django.urls import include, path

from . import views

app_name = "newsletter"

urlpatterns = [
    path("", views.signup_page, name="signup"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("check-your-inbox/", views.check_inbox, name="check_inbox"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("preferences/<str:key>/", views.preferences, name="preferences"),
    path("preferences/<str:key>/erase/", views.erase, name="erase"),
    path(
        "unsubscribe/<str:key>/<slug:list_slug>/",
        views.unsubscribe,
        name="unsubscribe",
    ),
    # Bounce and complaint webhooks: /newsletter/anymail/<esp>/tracking/
    path("anymail/", include("anymail.urls")),
]
