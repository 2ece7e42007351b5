"""Make a self-signed key and certificate for sealing consent records in development.

`make run` and `make test` run it once, into var/signing/ (git-ignored), where
the settings look by default. A real clinic sets PROCEED_SIGNING_KEY and
PROCEED_SIGNING_CERT to its own pair instead.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from records.seal import DEV_CERT_DAYS, write_signing_pair


class Command(BaseCommand):
    help = (
        "Generate a self-signed key and certificate, valid for two years, for sealing consent "
        "PDFs in development. Refuses to overwrite an existing pair without --force."
    )
    # The signing-key check would only warn about the very files this command makes.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--out",
            default=str(settings.BASE_DIR / "var" / "signing"),
            help="Folder to write seal-key.pem and seal-cert.pem into (default: var/signing).",
        )
        parser.add_argument("--force", action="store_true", help="Replace an existing key and certificate.")

    def handle(self, *args, out: str, force: bool, **options):
        directory = Path(out).resolve()
        try:
            pair = write_signing_pair(
                directory,
                common_name=f"{settings.CLINIC_NAME} (development)",
                organization=settings.CLINIC_NAME,
                days=DEV_CERT_DAYS,
                overwrite=force,
            )
        except FileExistsError as error:
            raise CommandError(
                f"A signing key or certificate is already there ({error}). Records sealed with it verify only "
                "against it: keep it, or run again with --force to replace it."
            ) from None
        except OSError as error:
            raise CommandError(f"Could not write to {directory}: {error.strerror or error}.") from None

        certificate = pair.certificate
        self.stdout.write(f"Wrote the private key {pair.key_path} (mode 0600)")
        self.stdout.write(f"Wrote the certificate {pair.cert_path}")
        self.stdout.write(f"  Subject:     {certificate.subject.rfc4514_string()}")
        self.stdout.write(
            f"  Valid:       {certificate.not_valid_before_utc:%Y-%m-%d} to {certificate.not_valid_after_utc:%Y-%m-%d}"
        )
        self.stdout.write(f"  SHA-256:     {pair.fingerprint}")
        self.stdout.write("For development only: a clinic seals its records with its own key and certificate.")
        if (Path(settings.PROCEED_SIGNING_KEY), Path(settings.PROCEED_SIGNING_CERT)) != (pair.key_path, pair.cert_path):
            self.stdout.write(
                self.style.WARNING(
                    f"The settings point elsewhere (PROCEED_SIGNING_KEY={settings.PROCEED_SIGNING_KEY}, "
                    f"PROCEED_SIGNING_CERT={settings.PROCEED_SIGNING_CERT}): set them to these files to use this pair."
                )
            )
