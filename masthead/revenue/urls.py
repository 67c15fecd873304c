from django.urls import path

from . import views

app_name = "revenue"

urlpatterns = [
    path("", views.donate, name="donate"),
    path("start/", views.start, name="start"),
    path("thanks/<uuid:reference>/", views.thanks, name="thanks"),
    path("webhooks/<slug:provider_name>/", views.webhook, name="webhook"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("test-checkout/<uuid:reference>/", views.test_checkout, name="test_checkout"),
    path("test-manage/<str:token>/", views.test_manage, name="test_manage"),
]
