from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("<int:page_id>/", views.beacon, name="beacon"),
    path("<int:page_id>/seen.gif", views.pixel, name="pixel"),
]
