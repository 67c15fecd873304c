"""Subscriber CSV import and export in the Wagtail admin.

An import is a dry run, then a confirmation: the upload shows what the file
would do (nothing is written), and a second request imports it. The file waits
between the two in the private storage (never served; STORAGES["private"])
under a random name that only the
uploader's session knows, and is deleted once imported or cancelled; uploads
left behind are swept after a day. Importing needs `import_subscriber`,
exporting `export_subscriber`: an export is every reader's address in one file.
"""

import secrets
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView
from wagtail.admin.auth import permission_required
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from masthead.accounts.choices import ExportKind
from masthead.accounts.services import record_export

from . import exports, imports
from .choices import SubscriberStatus
from .models import NewsletterList

IMPORT_SUBSCRIBER = "newsletter.import_subscriber"
EXPORT_SUBSCRIBER = "newsletter.export_subscriber"
UPLOADS = "newsletter-imports"
SESSION_KEY = "newsletter_import"
STALE_AFTER = timedelta(days=1)
SHOWN_PROBLEMS = 50


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=(
            "Up to 10 MB and 200,000 rows. Exports from Mailchimp and Substack work "
            "as they are; any other file needs an “email” column, and may have "
            "“name” and “created” columns."
        ),
    )
    newsletter_list = forms.ModelChoiceField(
        queryset=NewsletterList.objects.all(),
        label="Add them to",
        # No list chosen in advance: importing into the wrong one is easy to miss.
        empty_label="Choose a list",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > imports.MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; the most is "
                f"{imports.MAX_BYTES // 1024 // 1024} MB. Split it and import "
                "the parts."
            )
        return upload


class ExportForm(forms.Form):
    newsletter_list = forms.ModelChoiceField(
        queryset=NewsletterList.objects.all(),
        label="List",
        required=False,
        empty_label="All subscribers",
    )
    status = forms.ChoiceField(
        label="Status",
        choices=[("", "Any status"), *SubscriberStatus.choices],
        required=False,
        initial=SubscriberStatus.CONFIRMED,
    )


def _breadcrumbs(view) -> list[dict]:
    items = list(view.breadcrumbs_items)
    try:
        # The subscriber listing lives in admin_views and links here.
        items.append(
            {"url": reverse("newsletter_subscribers:index"), "label": "Subscribers"}
        )
    except NoReverseMatch:
        pass
    return [*items, {"url": "", "label": view.page_title}]


class ImportView(WagtailAdminTemplateMixin, FormView):
    """Upload a file and choose a list; answers with the dry run's report."""

    template_name = "newsletter/admin/import.html"
    form_class = ImportForm
    page_title = "Import subscribers"
    header_icon = "upload"

    def get_breadcrumbs_items(self):
        return _breadcrumbs(self)

    def form_valid(self, form):
        newsletter_list = form.cleaned_data["newsletter_list"]
        data = form.cleaned_data["file"].read()
        try:
            report = imports.read_import(data, newsletter_list)
        except imports.ImportRefused as refused:
            form.add_error("file", str(refused))
            return self.form_invalid(form)
        token = _keep_upload(self.request, data, newsletter_list)
        self.template_name = "newsletter/admin/import_report.html"
        return self.render_to_response(
            self.get_context_data(
                form=form,
                report=report,
                newsletter_list=newsletter_list,
                filename=form.cleaned_data["file"].name,
                token=token,
                problems=report.left_out[:SHOWN_PROBLEMS],
                confirm_url=reverse("newsletter_import_confirm"),
            )
        )


def _uploads():
    return storages["private"]


def _keep_upload(request, data: bytes, newsletter_list: NewsletterList) -> str:
    """Store the file until the editor confirms; a new upload replaces the last."""
    _forget_upload(request)
    _sweep_stale_uploads()
    token = secrets.token_urlsafe(24)
    name = _uploads().save(f"{UPLOADS}/{token}.csv", ContentFile(data))
    request.session[SESSION_KEY] = {
        "token": token,
        "name": name,
        "list": newsletter_list.pk,
    }
    return token


def _forget_upload(request) -> None:
    kept = request.session.pop(SESSION_KEY, None)
    if kept and _uploads().exists(kept["name"]):
        _uploads().delete(kept["name"])


def _sweep_stale_uploads() -> None:
    # An editor who closes the tab after the dry run leaves the file behind.
    try:
        _, names = _uploads().listdir(UPLOADS)
    except FileNotFoundError:  # no upload has been kept yet
        return
    cutoff = timezone.now() - STALE_AFTER
    for name in names:
        path_name = f"{UPLOADS}/{name}"
        if _uploads().get_modified_time(path_name) < cutoff:
            _uploads().delete(path_name)


@require_POST
def import_confirm_view(request):
    """Import the kept file (action=import) or drop it (action=cancel)."""
    kept = request.session.get(SESSION_KEY)
    if not kept or request.POST.get("token") != kept["token"]:
        messages.error(
            request, "This import is no longer waiting: please upload the file again."
        )
        return redirect("newsletter_import")
    if request.POST.get("action") != "import":
        _forget_upload(request)
        messages.info(request, "Import cancelled; nothing was changed.")
        return redirect("newsletter_import")
    newsletter_list = NewsletterList.objects.filter(pk=kept["list"]).first()
    if newsletter_list is None or not _uploads().exists(kept["name"]):
        _forget_upload(request)
        messages.error(request, "The list or the upload is gone: nothing was changed.")
        return redirect("newsletter_import")
    with _uploads().open(kept["name"], "rb") as upload:
        data = upload.read()
    try:
        report = imports.read_import(data, newsletter_list)
    except imports.ImportRefused as refused:
        _forget_upload(request)
        messages.error(request, str(refused))
        return redirect("newsletter_import")
    result = imports.apply_import(report, newsletter_list)
    _forget_upload(request)
    messages.success(request, _result_message(result, newsletter_list))
    return redirect("newsletter_import")


def _result_message(result: imports.ImportResult, newsletter_list) -> str:
    message = (
        f"Imported into {newsletter_list.name}: {result.added} subscriber"
        f"{'s' if result.added != 1 else ''} added to the list, "
        f"{result.created} of them new."
    )
    if result.skipped:
        message += (
            f" {result.skipped} left out: they unsubscribed or bounced since the "
            "dry run."
        )
    return message


class ExportView(WagtailAdminTemplateMixin, TemplateView):
    """Choose a list and a status; `?export=csv` downloads them."""

    template_name = "newsletter/admin/csv_export.html"
    page_title = "Export subscribers"
    header_icon = "download"

    def get_breadcrumbs_items(self):
        return _breadcrumbs(self)

    def get(self, request, *args, **kwargs):
        form = ExportForm(request.GET if "export" in request.GET else None)
        if form.is_bound and form.is_valid():
            return _export_response(
                request.user,
                form.cleaned_data["newsletter_list"],
                form.cleaned_data["status"],
            )
        return self.render_to_response(self.get_context_data(form=form))


def _export_response(user, newsletter_list, status: str) -> StreamingHttpResponse:
    subscribers = exports.subscribers_to_export(newsletter_list, status)
    record_export(
        user,
        ExportKind.SUBSCRIBERS,
        file_format="csv",
        filters={
            "list": newsletter_list.slug if newsletter_list else "all",
            "status": status or "any",
        },
        row_count=subscribers.count(),
    )
    response = StreamingHttpResponse(
        exports.csv_lines(exports.export_rows(subscribers)),
        content_type="text/csv; charset=utf-8",
    )
    parts = [
        "subscribers",
        newsletter_list.slug if newsletter_list else "all",
        status,
        timezone.localdate().isoformat(),
    ]
    filename = "-".join(part for part in parts if part)
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


import_view = permission_required(IMPORT_SUBSCRIBER)(ImportView.as_view())
confirm_view = permission_required(IMPORT_SUBSCRIBER)(import_confirm_view)
export_view = permission_required(EXPORT_SUBSCRIBER)(ExportView.as_view())

urlpatterns = [
    path("newsletter/import/", import_view, name="newsletter_import"),
    path(
        "newsletter/import/confirm/",
        confirm_view,
        name="newsletter_import_confirm",
    ),
    path("newsletter/export/", export_view, name="newsletter_export"),
]
