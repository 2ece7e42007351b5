"""Check every signed row and sealed PDF against what the audit chain recorded when it was written.

Each signature row against the digest in its signing's audit event; each consent record's, withdrawal
record's and clinician's part's stored file against the SHA-256 in its row and in its audit event; each
such event against the row it names. Names the first mismatch (by document ID and request id, never a patient) and
exits 1, or, with `--all`, lists every one. Run it with `verify_audit_chain`, which shows that the
events themselves are unchanged.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from consent.integrity import DIGESTS_SINCE
from records.integrity import RecordCheck

CLINICIAN_PART = "clinician's part"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


class Command(BaseCommand):
    help = (
        "Check every signature row against the digest its signing's audit event recorded, and every consent "
        "and withdrawal record's stored PDF against the SHA-256 in its row and in its audit event. Names the "
        "first mismatch and exits 1 (--all: lists every one). Signatures made before Proceed recorded digests "
        f"(its version of {DIGESTS_SINCE}) have none: they are reported as 'no digest recorded', which is "
        "not a failure unless --strict; their decision, signer and request are still checked against the event."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="List every mismatch, not only the first.")
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Count a signature with no digest recorded (signed before digests were kept) as a failure.",
        )

    def handle(self, *args, **options):
        check = RecordCheck()
        failures, legacy = [], []
        for finding in check.findings():
            if finding.legacy and not options["strict"]:
                legacy.append(finding)
                if options["all"]:
                    self.stdout.write(str(finding))
                continue
            if not options["all"]:
                raise CommandError(f"Record does not match what was recorded: {finding}")
            failures.append(finding)
            self.stdout.write(str(finding))
        if failures:
            verb = "does" if len(failures) == 1 else "do"
            raise CommandError(f"{_plural(len(failures), 'record')} {verb} not match what was recorded (listed above).")
        self.stdout.write(
            f"Records intact: {_plural(check.signatures, 'signature')}, "
            f"{_plural(check.consent_records, 'consent record')}, "
            f"{_plural(check.withdrawal_records, 'withdrawal record')} and "
            f"{_plural(check.clinician_records, CLINICIAN_PART)} match their audit events "
            f"({_plural(check.events, 'event')}), and every stored PDF matches its SHA-256."
        )
        if check.staff_records or check.staff_record_documents:
            self.stdout.write(
                f"{_plural(check.staff_records, 'decision')} recorded by staff (and their scans) and "
                f"{_plural(check.staff_record_documents, 'record')} of them match their audit events."
            )
        if legacy:
            listed = "listed above" if options["all"] else f"the first: {legacy[0].what}; --all lists them"
            self.stdout.write(
                f"{_plural(len(legacy), 'signature')} signed before Proceed recorded digests "
                f"({check.digests_since}) have no digest recorded ({listed}). Not a failure (--strict makes it one)."
            )
