"""The sign-in's second step, its first-time setup and recovery codes.

The middleware sends a signed-in member of staff here until their session has
passed a second factor: to `setup_view` when they have no authenticator yet
(a QR code, then one code from the app), else to `verify_view`.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render, resolve_url
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django.views.generic import TemplateView
from django_otp import login as otp_login
from django_otp import user_has_device
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from . import services


class CodeForm(forms.Form):
    otp_token = forms.CharField(
        label="Code",
        max_length=64,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "one-time-code"}
        ),
    )

    def clean_otp_token(self):
        return "".join(self.cleaned_data["otp_token"].split()).lower()


def _next_url(request) -> str:
    wanted = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(
        REDIRECT_FIELD_NAME, ""
    )
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return resolve_url("wagtailadmin_home")


def _to_login(request):
    return redirect_to_login(request.get_full_path(), resolve_url("wagtailadmin_login"))


@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def verify_view(request):
    """Ask for a code from the app, or a recovery code; pass the session on."""
    if not request.user.is_authenticated:
        return _to_login(request)
    if not user_has_device(request.user, confirmed=True):
        return redirect_to_login(_next_url(request), resolve_url("accounts_2fa_setup"))
    form = CodeForm(request.POST or None)
    if form.is_valid():
        device = services.device_for_code(request.user, form.cleaned_data["otp_token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error(
            "otp_token",
            "That code is not right, or was used already. The app's code changes "
            "every 30 seconds: enter the one it shows now.",
        )
    return render(
        request, "accounts/verify.html", {"form": form, "next": _next_url(request)}
    )


@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def setup_view(request):
    """Show a new authenticator's QR code; the app's first code confirms it."""
    if not request.user.is_authenticated:
        return _to_login(request)
    if user_has_device(request.user, confirmed=True) and not request.user.is_verified():
        # Replacing the app needs the old one (or a recovery code) first.
        return redirect_to_login(_next_url(request), resolve_url("accounts_2fa_verify"))
    form = CodeForm(request.POST or None)
    if request.method == "GET":
        device = services.start_authenticator_setup(request.user)
    else:
        device = services.pending_authenticator(request.user)
        if device is None:
            messages.error(request, "That setup expired: scan this new code instead.")
            return redirect(
                f"{request.path}?{REDIRECT_FIELD_NAME}={_next_url(request)}"
            )
        if form.is_valid():
            if services.confirm_authenticator(device, form.cleaned_data["otp_token"]):
                otp_login(request, device)
                codes = services.issue_recovery_codes(request.user)
                view = RecoveryCodesView(codes=codes, next_url=_next_url(request))
                view.setup(request)
                return view.render_to_response(view.get_context_data())
            form.add_error(
                "otp_token",
                "That code does not match: check the app shows this site's "
                "account, and enter the code it shows now.",
            )
    return render(
        request,
        "accounts/setup.html",
        {
            "form": form,
            "next": _next_url(request),
            "qr_svg": services.authenticator_qr_svg(device),
            "secret": services.authenticator_secret(device),
        },
    )


class RecoveryCodesView(WagtailAdminTemplateMixin, TemplateView):
    """How many recovery codes are left; a POST replaces them with a new set."""

    template_name = "accounts/recovery_codes.html"
    page_title = "Recovery codes"
    header_icon = "key"
    codes = None  # a new set, shown this once
    next_url = ""

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            codes=self.codes,
            next_url=self.next_url,
            left=services.recovery_codes_left(self.request.user),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        self.codes = services.issue_recovery_codes(request.user)
        return self.get(request, *args, **kwargs)


recovery_codes_view = never_cache(RecoveryCodesView.as_view())

urlpatterns = [
    path("2fa/verify/", verify_view, name="accounts_2fa_verify"),
    path("2fa/setup/", setup_view, name="accounts_2fa_setup"),
    path("2fa/recovery-codes/", recovery_codes_view, name="accounts_recovery_codes"),
]
