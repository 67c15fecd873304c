"""Changes to editors' accounts and the record of what they export."""

import base64
import logging

import qrcode
from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from qrcode.image.svg import SvgPathImage
from wagtail.log_actions import log

from . import conf
from .choices import ExportKind
from .models import DataExport

logger = logging.getLogger("masthead.accounts")

EXPORT_ACTION = "masthead.export_personal_data"
RECOVERY_DEVICE_NAME = "Recovery codes"


def record_export(
    user, kind: ExportKind, *, file_format: str, filters: dict, row_count: int
) -> DataExport:
    """Record that `user` is downloading `row_count` rows of readers' data.

    Called before the file is sent: an export that fails halfway was still seen
    in part, and a denied one never gets here.
    """
    export = DataExport.objects.create(
        kind=kind,
        user=user,
        username=user.get_username(),
        file_format=file_format,
        filters=filters,
        row_count=row_count,
    )
    log(
        instance=export,
        action=EXPORT_ACTION,
        user=user,
        data={
            "kind": kind.value if isinstance(kind, ExportKind) else kind,
            "format": file_format,
            "filters": filters,
            "rows": row_count,
        },
    )
    logger.info(
        "export: %s took %s rows of %s as %s",
        export.username,
        row_count,
        kind,
        file_format,
    )
    return export


@transaction.atomic
def issue_recovery_codes(user) -> list[str]:
    """Replace `user`'s one-time recovery codes with a fresh set, and return it.

    The codes are shown once; each signs in once in place of the app's code.
    """
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [
        StaticToken.random_token() for _ in range(conf.get("MASTHEAD_RECOVERY_CODES"))
    ]
    StaticToken.objects.bulk_create(
        [StaticToken(device=device, token=code) for code in codes]
    )
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(
        device__user=user, device__name=RECOVERY_DEVICE_NAME
    ).count()


# --- The authenticator app (TOTP) ------------------------------------------------

AUTHENTICATOR_NAME = "Authenticator app"


def start_authenticator_setup(user) -> TOTPDevice:
    """A new, unconfirmed authenticator for `user`, replacing any earlier attempt."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(
        user=user, name=AUTHENTICATOR_NAME, confirmed=False
    )


def pending_authenticator(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


@transaction.atomic
def confirm_authenticator(device: TOTPDevice, code: str) -> bool:
    """Confirm the app that produced `code`; it replaces the person's earlier one."""
    if not code.isdigit() or not device.verify_token(code):
        return False
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


def device_for_code(user, code: str):
    """The confirmed device that `code` belongs to, or None.

    Six digits go to the authenticator, anything else to the recovery codes:
    only one device is tried, since a failure counts against each device tried
    and would throttle recovery codes that were never used (django-otp's
    warning).
    """
    model = TOTPDevice if code.isdigit() else StaticDevice
    device = model.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return None
    allowed, _ = device.verify_is_allowed()
    return device if allowed and device.verify_token(code) else None


def authenticator_secret(device: TOTPDevice) -> str:
    """The key to type in when the QR code cannot be scanned, in groups of four."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def authenticator_qr_svg(device: TOTPDevice) -> str:
    image = qrcode.make(device.config_url, image_factory=SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


def reset_second_factor(user) -> int:
    """Forget `user`'s authenticator and recovery codes (a lost phone).

    They set up a new app at their next sign-in.
    """
    deleted = 0
    for device in devices_for_user(user, confirmed=None):
        device.delete()
        deleted += 1
    return deleted
