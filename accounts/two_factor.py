"""Staff two-step sign-in: an authenticator app (TOTP) plus single-use recovery codes.

Built on django-otp. Every staff user has at most one authenticator device and
one set of recovery codes. A device is "confirmed" only once its owner has
typed a correct code from it, so a half-finished set-up never counts.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass

import django_otp
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_CODES_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10
TOTP_DIGITS = 6


@dataclass(frozen=True)
class CheckResult:
    """What came of a code: the device that accepted it, or how long to wait before trying again."""

    device: TOTPDevice | StaticDevice | None = None
    wait_seconds: int = 0

    @property
    def ok(self) -> bool:
        return self.device is not None


def normalise_code(code: str) -> str:
    """Codes as people type them: spaces and dashes dropped, any case."""
    return "".join(code.split()).replace("-", "").lower()


def confirmed_authenticator(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def has_second_factor(user) -> bool:
    return confirmed_authenticator(user) is not None


def authenticator_to_set_up(user) -> TOTPDevice:
    """The user's unconfirmed authenticator, made if needed (the same one on reload, so a scan stays valid)."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def manual_entry_key(device: TOTPDevice) -> str:
    """The secret as authenticator apps want it typed: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _wait_seconds(device) -> int:
    allowed, details = device.verify_is_allowed()
    if allowed or not details or "locked_until" not in details:
        return 0
    return max(1, math.ceil((details["locked_until"] - timezone.now()).total_seconds()))


def confirm_authenticator(*, request: HttpRequest, device: TOTPDevice, code: str) -> CheckResult:
    """Confirm a new authenticator with a code from it; on success the session is verified with it."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(pk=device.pk, user=request.user).first()
        if device is None or device.confirmed:
            return CheckResult()
        wait = _wait_seconds(device)
        if wait:
            return CheckResult(wait_seconds=wait)
        if not device.verify_token(normalise_code(code)):
            return CheckResult(wait_seconds=0)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        # Only one authenticator per person: an older confirmed one (after a reset) stops working.
        TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
    mark_verified(request, device)
    return CheckResult(device=device)


def check_code(*, request: HttpRequest, code: str) -> CheckResult:
    """Check a code from the authenticator app, or one of the recovery codes (used up on success)."""
    code = normalise_code(code)
    user = request.user
    # Six digits can only be from the app; recovery codes are eight letters and digits.
    if len(code) == TOTP_DIGITS and code.isdigit():
        devices = list(TOTPDevice.objects.devices_for_user(user, confirmed=True))
    else:
        # Recovery codes have no 0 or 1: someone who typed one meant the letter o or l.
        code = code.replace("0", "o").replace("1", "l")
        devices = list(StaticDevice.objects.devices_for_user(user, confirmed=True))
    wait = 0
    for device in devices:
        wait = _wait_seconds(device)
        if wait:
            continue
        verified = django_otp.verify_token(user, device.persistent_id, code)
        if verified is not None:
            mark_verified(request, verified)
            return CheckResult(device=verified)
    return CheckResult(wait_seconds=wait)


def mark_verified(request: HttpRequest, device) -> None:
    """The session passed the second step: remember the device, under a new session id."""
    request.session.cycle_key()
    django_otp.login(request, device)


def new_recovery_codes(user) -> list[str]:
    """Ten fresh single-use recovery codes; any earlier ones stop working. Shown once, never again."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_CODES_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
        device.throttle_reset(commit=True)
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
