"""The finance side of donations in the Wagtail admin: lists, CSV and a report.

Everything here reads. Donations, donors and monthly gifts change only through
the providers' events (`services`), so the viewsets have no add, edit or delete
views: a row opens a read-only "inspect" page. Finance and Editors see the
lists (`view_*`); only Finance (`export_donation`) may download them, since an
export is every donor's email address in one file.
"""

import dataclasses
from datetime import UTC, datetime

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.functional import cached_property
from django.views.generic import TemplateView
from wagtail.admin.auth import permission_required
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSetGroup

from masthead.accounts.choices import ExportKind
from masthead.accounts.services import record_export
from masthead.analytics.charts import BarChart, bar_chart
from masthead.core.admin_viewsets import ReadOnlyViewSet
from masthead.core.spreadsheets import defuse_formula

from . import conf, reports
from .choices import (
    COUNTED_DISPUTES,
    DisputeStatus,
    DonationStatus,
    GiftStatus,
    Interval,
)
from .models import Donation, Donor, MonthlyGift
from .money import format_amount, to_major

VIEW_DONATION = "revenue.view_donation"
EXPORT_DONATION = "revenue.export_donation"
SUBMENU_HOOK = "register_donations_menu_item"
REPORT_DAYS = 30
REPORT_MONTHS = 12
DATE_FORMAT = "j M Y H:i"


def can_see_revenue(user) -> bool:
    return user.has_perm(VIEW_DONATION)


def can_export(user) -> bool:
    return user.has_perm(EXPORT_DONATION)


def _when(value) -> str:
    return format_date(timezone.localtime(value), DATE_FORMAT) if value else ""


def _date_column(name: str, label: str) -> Column:
    """A sortable date column that never wraps."""
    return Column(
        name,
        label=label,
        accessor=lambda row: _when(getattr(row, name)),
        sort_key=name,
        classname="revenue-nowrap",
    )


def _distinct(model, field: str) -> list[tuple[str, str]]:
    values = model.objects.order_by(field).values_list(field, flat=True).distinct()
    return [(value, value) for value in values]


def _currency_choices() -> list[tuple[str, str]]:
    configured = conf.get("MASTHEAD_DONATION_CURRENCIES")
    seen = {value for value, _ in _distinct(Donation, "currency")}
    return [(code, code) for code in sorted(seen | set(configured))]


class DonationFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label="Status", choices=DonationStatus.choices, empty_label="Any status"
    )
    dispute = django_filters.ChoiceFilter(
        label="Dispute",
        choices=[c for c in DisputeStatus.choices if c[0]],
        empty_label="Disputed or not",
    )
    interval = django_filters.ChoiceFilter(
        label="Kind", choices=Interval.choices, empty_label="One-time and monthly"
    )
    provider = django_filters.ChoiceFilter(
        label="Provider",
        choices=lambda: _distinct(Donation, "provider"),
        empty_label="Any provider",
    )
    currency = django_filters.ChoiceFilter(
        label="Currency", choices=_currency_choices, empty_label="Any currency"
    )
    created_at = django_filters.DateFromToRangeFilter(
        label="Started", widget=DateRangePickerWidget
    )
    completed_at = django_filters.DateFromToRangeFilter(
        label="Completed", widget=DateRangePickerWidget
    )

    class Meta:
        model = Donation
        fields = [
            "status",
            "dispute",
            "interval",
            "provider",
            "currency",
            "created_at",
            "completed_at",
        ]


class MonthlyGiftFilterSet(WagtailFilterSet):
    """Active gifts unless asked otherwise: the list is of current supporters."""

    status = django_filters.ChoiceFilter(
        label="Status",
        choices=GiftStatus.choices,
        empty_label=None,
        initial=GiftStatus.ACTIVE,
        widget=forms.RadioSelect,
    )
    provider = django_filters.ChoiceFilter(
        label="Provider",
        choices=lambda: _distinct(MonthlyGift, "provider"),
        empty_label="Any provider",
    )

    class Meta:
        model = MonthlyGift
        fields = ["status", "provider"]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if data is not None and not data.get("status"):
            data = data.copy()
            data["status"] = GiftStatus.ACTIVE
        super().__init__(data, queryset, request=request, prefix=prefix)


class StoryColumn(Column):
    """The story a donation came from, linked to where readers see it."""

    cell_template_name = "revenue/admin/story_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        page = instance.source_page
        request = parent_context.get("request")
        context["page"] = page
        context["page_url"] = page.get_url(request) if page and page.live else None
        return context


class ReadOnlyIndexView(generic.IndexView):
    """A listing whose title column opens the inspect page (there is no edit)."""

    def get_list_buttons(self, instance):
        # "Inspect" would be the only item of the row's menu: the title links there.
        return []

    def _title_column(self, name: str, label: str, accessor, sort_key=None):
        column_class = self._get_title_column_class(TitleColumn)
        return column_class(
            name,
            label=label,
            accessor=accessor,
            sort_key=sort_key,
            get_url=self.get_inspect_url,
        )


class DonationIndexView(ReadOnlyIndexView):
    default_ordering = "-created_at"
    # (heading, value) per CSV/XLSX column; amounts in major units for spreadsheets.
    EXPORT = {
        "public_id": ("Donation", lambda d: str(d.public_id)),
        "created_at": ("Started (UTC)", lambda d: d.created_at),
        "completed_at": ("Completed (UTC)", lambda d: d.completed_at),
        "refunded_at": ("Refunded (UTC)", lambda d: d.refunded_at),
        "status": ("Status", lambda d: d.status),
        "dispute": ("Dispute", lambda d: d.dispute),
        "disputed_at": ("Disputed (UTC)", lambda d: d.disputed_at),
        "interval": ("Kind", lambda d: d.interval),
        "amount": ("Amount", lambda d: to_major(d.amount_minor, d.currency)),
        "fee": ("Fee covered", lambda d: to_major(d.fee_minor, d.currency)),
        "currency": ("Currency", lambda d: d.currency),
        "provider": ("Provider", lambda d: d.provider),
        "payment_ref": ("Payment reference", lambda d: d.payment_ref),
        "checkout_ref": ("Checkout reference", lambda d: d.checkout_ref),
        "email": ("Email", lambda d: d.donor.email if d.donor else d.email),
        "name": ("Name", lambda d: (d.donor.name if d.donor else "") or d.name),
        "story": ("Story", lambda d: d.source_page.title if d.source_page else ""),
    }
    list_export = list(EXPORT)
    export_headings = {key: heading for key, (heading, _) in EXPORT.items()}
    custom_value_preprocess = {
        **generic.IndexView.custom_value_preprocess,
        datetime: {
            **generic.IndexView.custom_value_preprocess[datetime],
            "csv": lambda value: value.astimezone(UTC).isoformat(),
        },
        str: {"csv": defuse_formula},
    }

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("donor", "source_page")

    @cached_property
    def columns(self):
        return [
            self._title_column(
                "amount",
                "Amount",
                lambda d: format_amount(d.amount_minor, d.currency),
                sort_key="amount_minor",
            ),
            Column("currency", label="Currency"),
            StatusTagColumn(
                "status",
                label="Status",
                accessor="status_label",
                primary=lambda d: (
                    d.status == DonationStatus.COMPLETED
                    and d.dispute in COUNTED_DISPUTES
                ),
            ),
            Column(
                "interval",
                label="Kind",
                accessor="get_interval_display",
                classname="revenue-nowrap",
            ),
            Column("provider", label="Provider"),
            Column(
                "donor",
                label="Donor",
                accessor=lambda d: d.donor.email if d.donor else d.email,
            ),
            StoryColumn("story", label="Story"),
            _date_column("created_at", "Started"),
            _date_column("completed_at", "Completed"),
        ]

    @cached_property
    def show_export_buttons(self):
        return bool(self.list_export) and can_export(self.request.user)

    def dispatch(self, request, *args, **kwargs):
        # Wagtail offers the download to anyone who sees the list; we do not.
        if self.is_export and not can_export(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def to_row_dict(self, item):
        return {key: value(item) for key, (_, value) in self.EXPORT.items()}

    def as_spreadsheet(self, queryset, spreadsheet_format):
        # Every donor's address may be in the file: who took it is kept.
        record_export(
            self.request.user,
            ExportKind.DONATIONS,
            file_format=spreadsheet_format,
            filters={
                name: ", ".join(values)
                for name, values in self.request.GET.lists()
                if name != "export" and any(values)
            },
            row_count=queryset.count(),
        )
        return super().as_spreadsheet(queryset, spreadsheet_format)


class DonationInspectView(generic.InspectView):
    def get_amount_minor_display_value(self):
        return format_amount(self.object.amount_minor, self.object.currency)

    def get_fee_minor_display_value(self):
        return format_amount(self.object.fee_minor, self.object.currency)

    def get_source_page_display_value(self):
        page = self.object.source_page
        return page.title if page else "-"

    def get_gift_display_value(self):
        return str(self.object.gift) if self.object.gift else "-"


class DonorIndexView(ReadOnlyIndexView):
    default_ordering = "-created_at"

    def get_base_queryset(self):
        return reports.with_lifetime_totals(super().get_base_queryset())

    @cached_property
    def columns(self):
        return [
            self._title_column("email", "Email", "email", sort_key="email"),
            Column("name", label="Name"),
            Column(
                "lifetime",
                label="Given (net of refunds)",
                accessor=_lifetime_display,
                classname="revenue-number",
            ),
            Column(
                "gift_count",
                label="Gifts",
                sort_key="gift_count",
                classname="revenue-number",
            ),
            _date_column("first_gift_at", "First gift"),
            _date_column("last_gift_at", "Last gift"),
        ]


def _lifetime_display(donor) -> str:
    totals = reports.lifetime_totals(donor)
    return ", ".join(format_amount(total, cur) for cur, total in totals.items())


class DonorInspectView(generic.InspectView):
    def get_object(self, queryset=None):
        donor = super().get_object(queryset)
        return reports.with_lifetime_totals(Donor.objects.filter(pk=donor.pk)).get()

    def get_fields_context(self):
        return [
            *super().get_fields_context(),
            {
                "label": "Given (net of refunds)",
                "value": _lifetime_display(self.object) or "-",
                "component": None,
            },
            {
                "label": "Completed gifts",
                "value": self.object.gift_count,
                "component": None,
            },
            {
                "label": "First gift",
                "value": _when(self.object.first_gift_at) or "-",
                "component": None,
            },
            {
                "label": "Last gift",
                "value": _when(self.object.last_gift_at) or "-",
                "component": None,
            },
        ]


class MonthlyGiftIndexView(ReadOnlyIndexView):
    page_title = "Monthly supporters"
    default_ordering = "-started_at"

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("donor")

    @cached_property
    def columns(self):
        return [
            self._title_column(
                "donor",
                "Donor",
                lambda g: g.donor.email if g.donor else "(unknown)",
            ),
            Column(
                "amount",
                label="A month",
                accessor=lambda g: format_amount(g.amount_minor, g.currency),
                sort_key="amount_minor",
                classname="revenue-number",
            ),
            Column("provider", label="Provider"),
            StatusTagColumn(
                "status",
                label="Status",
                accessor="get_status_display",
                primary=lambda g: g.status == GiftStatus.ACTIVE,
            ),
            _date_column("started_at", "Started"),
            _date_column("cancelled_at", "Cancelled"),
        ]


class MonthlyGiftInspectView(generic.InspectView):
    def get_amount_minor_display_value(self):
        return format_amount(self.object.amount_minor, self.object.currency)


class DonationViewSet(ReadOnlyViewSet):
    model = Donation
    name = "donations"
    icon = "pick"
    menu_label = "Donations"
    index_view_class = DonationIndexView
    inspect_view_class = DonationInspectView
    filterset_class = DonationFilterSet
    search_fields = [
        "email",
        "name",
        "donor__email",
        "donor__name",
        "payment_ref",
        "checkout_ref",
    ]
    ordering = "-created_at"
    # The columns are DonationIndexView.EXPORT; the download is gated there.
    export_filename = "donations"
    inspect_view_fields = [
        "public_id",
        "status",
        "dispute",
        "disputed_at",
        "amount_minor",
        "fee_minor",
        "currency",
        "interval",
        "provider",
        "checkout_ref",
        "payment_ref",
        "donor",
        "gift",
        "name",
        "email",
        "source_page",
        "created_at",
        "completed_at",
        "refunded_at",
        "receipt_sent_at",
    ]


class DonorViewSet(ReadOnlyViewSet):
    model = Donor
    name = "donors"
    icon = "group"
    menu_label = "Donors"
    index_view_class = DonorIndexView
    inspect_view_class = DonorInspectView
    search_fields = ["email", "name"]
    inspect_view_fields = ["email", "name", "created_at"]


class MonthlyGiftViewSet(ReadOnlyViewSet):
    model = MonthlyGift
    name = "monthly_supporters"
    url_prefix = "monthly-supporters"
    icon = "calendar-check"
    menu_label = "Monthly supporters"
    index_view_class = MonthlyGiftIndexView
    inspect_view_class = MonthlyGiftInspectView
    filterset_class = MonthlyGiftFilterSet
    search_fields = ["donor__email", "subscription_ref"]
    inspect_view_fields = [
        "donor",
        "amount_minor",
        "currency",
        "provider",
        "subscription_ref",
        "status",
        "started_at",
        "cancelled_at",
    ]


class DonationsMenu(ViewSetGroup):
    menu_label = "Donations"
    menu_name = "donations-group"
    menu_icon = "pick"
    menu_order = 270
    submenu_hook = SUBMENU_HOOK
    items = (DonationViewSet, DonorViewSet, MonthlyGiftViewSet)


# --- The revenue report ------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class TotalsRow:
    """One line of a report table, its amounts already written out."""

    label: str
    gifts: int
    donors: int
    received: str
    refunded: str
    net: str
    negative: bool


@dataclasses.dataclass(frozen=True, slots=True)
class CurrencyReport:
    currency: str
    chart: BarChart | None  # None when nothing moved in the last 30 days
    days: list[TotalsRow]  # newest first
    months: list[TotalsRow]  # newest first
    last_30_days_net: str


def totals_rows(
    periods: list[reports.PeriodTotals], currency: str, label_format: str
) -> list[TotalsRow]:
    return [
        TotalsRow(
            label=format_date(p.period, label_format),
            gifts=p.totals.gifts,
            donors=p.totals.donors,
            received=format_amount(p.totals.received_minor, currency),
            refunded=format_amount(p.totals.refunded_minor, currency)
            if p.totals.refunded_minor
            else "",
            net=signed_amount(p.totals.net_minor, currency),
            negative=p.totals.net_minor < 0,
        )
        for p in reversed(periods)
    ]


def money_chart(currency: str, days: list[reports.PeriodTotals]) -> BarChart:
    """Net per day in whole units; a day that refunded more than it took draws 0."""
    series = [
        (
            f"{d.period.day} {d.period:%b}",
            max(0, round(to_major(d.totals.net_minor, currency))),
        )
        for d in days
    ]
    title = f"Net donations per day in {currency}"
    chart = bar_chart(series, title=title)
    if not series:
        return chart
    total = signed_amount(sum(d.totals.net_minor for d in days), currency)
    span = f"{series[0][0]} to {series[-1][0]}"
    # analytics' own description speaks of views; this one speaks of money.
    return dataclasses.replace(chart, description=f"{title}, {span}: {total} in total.")


def signed_amount(amount_minor: int, currency: str) -> str:
    if amount_minor < 0:
        return "−" + format_amount(-amount_minor, currency)
    return format_amount(amount_minor, currency)


class RevenueReportView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "revenue/admin/report.html"
    page_title = "Revenue"
    header_icon = "pick"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        per_day = reports.totals_per_day(REPORT_DAYS)
        per_month = reports.totals_per_month(REPORT_MONTHS)
        last_30 = reports.totals_per_currency(since=reports.window_start(REPORT_DAYS))
        context["currencies"] = [
            CurrencyReport(
                currency=currency,
                chart=money_chart(currency, per_day[currency])
                if currency in per_day
                else None,
                days=totals_rows(per_day.get(currency, []), currency, "D j M Y"),
                months=totals_rows(per_month.get(currency, []), currency, "F Y"),
                last_30_days_net=signed_amount(
                    last_30[currency].net_minor if currency in last_30 else 0,
                    currency,
                ),
            )
            for currency in sorted(set(per_day) | set(per_month))
        ]
        context["supporters"] = reports.supporters()
        context["can_export"] = can_export(self.request.user)
        context["donations_url"] = reverse("donations:index")
        return context


revenue_report_view = permission_required(VIEW_DONATION)(RevenueReportView.as_view())

urlpatterns = [path("revenue/", revenue_report_view, name="revenue_report")]


class RevenueMenuItem(MenuItem):
    def is_shown(self, request):
        return can_see_revenue(request.user)


def revenue_menu_item() -> RevenueMenuItem:
    return RevenueMenuItem(
        "Revenue report",
        reverse("revenue_report"),
        name="revenue-report",
        icon_name="table",
        order=10,
    )
