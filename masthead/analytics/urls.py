from django.urls import path

from masthead.core import converters  # noqa: F401  (registers <id:...>)

from . import views

app_name = "analytics"

urlpatterns = [
    path("<id:page_id>/", views.beacon, name="beacon"),
    path("<id:page_id>/seen.gif", views.pixel, name="pixel"),
]
