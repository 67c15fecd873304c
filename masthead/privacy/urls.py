from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.request_link, name="request"),
    path("check-your-inbox/", views.check_inbox, name="check_inbox"),
    path("<str:token>/", views.my_data, name="my_data"),
    path("<str:token>/export.json", views.export, name="export"),
    path("<str:token>/erase/", views.erase, name="erase"),
]
