from django.http import HttpResponse
from django.urls import path


def nothing(request):
    return HttpResponse("Hello, world.")


urlpatterns = [
    path("", nothing),
    path("healthz", nothing),  # what the bench's AppServers waits for
]
