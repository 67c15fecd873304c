"""Staff sign in with a password and then a second factor, before anything else.

django-otp's middleware tells whether this session passed the second step
(`request.user.is_verified()`). Until it has, someone who may reach the admin
gets only the sign-in pages there, and is a stranger on the reader site: a
stolen password alone can neither edit nor comment as them.
"""

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils.functional import cached_property
from django_otp import user_has_device
from django_otp.middleware import OTPMiddleware

from . import conf

# Admin pages open to a signed-in person who has not passed the second step.
OPEN_TO_UNVERIFIED = {
    "wagtailadmin_login",
    "wagtailadmin_logout",
    "wagtailadmin_javascript_catalog",
    "wagtailadmin_sprite",
    "accounts_2fa_verify",
    "accounts_2fa_setup",
}


def needs_second_factor(user) -> bool:
    return (
        conf.get("MASTHEAD_REQUIRE_2FA")
        and user.is_authenticated
        and not user.is_verified()
        and user.has_perm("wagtailadmin.access_admin")
    )


class SecondFactorMiddleware(OTPMiddleware):
    @cached_property
    def admin_prefix(self) -> str:
        return reverse("wagtailadmin_home")

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not needs_second_factor(request.user):
            return None
        if not request.path_info.startswith(self.admin_prefix):
            request.user = AnonymousUser()
            return None
        match = request.resolver_match
        if match is not None and match.url_name in OPEN_TO_UNVERIFIED:
            return None
        step = (
            "accounts_2fa_verify"
            if user_has_device(request.user, confirmed=True)
            else "accounts_2fa_setup"
        )
        return redirect_to_login(request.get_full_path(), reverse(step))
