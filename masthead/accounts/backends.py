"""The sign-in throttle as an authentication backend."""

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend


class ThrottledSignIn(AxesStandaloneBackend):
    """axes' check, for sign-ins that come with a request.

    Every sign-in form passes its request. Code that authenticates without one
    (Django's test client, a management command) has no client to throttle, and
    axes would raise: it is left to the next backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(
            request, username=username, password=password, **kwargs
        )

    def get_user(self, user_id):
        # Sessions name the first backend when none authenticated (force_login).
        return ModelBackend().get_user(user_id)
