"""The consent request's status flow, in one place.

Every status a request can be in, the named groups of statuses, and one table of what may happen
from each: the services guard with it (and move a request only through it), the models answer the
pages' questions from it ("may this link be reissued?"), and the seeders build their rows with it.

    created ─invite→ invited ─open→ opened ─start→ in progress ─sign→ signed ─confirm→ confirmed
       └───────────────┴───────────┴───────────┴──→ needs discussion     │ └─withdraw→ withdrawn
    any open ─decline→ declined    any open ─lock→ locked ─reissue/unlock→ invited
    any open ─expire→ expired ─reissue→ invited      open, locked or expired ─cancel→ cancelled
    open, locked or expired ─record by staff→ signed or declined (consent or refusal taken outside the link)

A *guarded* transition is something someone asks for (a nurse cancels, a patient signs): from a
status the table doesn't allow, the service refuses with a plain message. An *automatic* one
happens by itself when its status allows (a first identity check opens the request) and, from any
other status, simply changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    CREATED = "created", _("Created")
    INVITED = "invited", _("Invited")
    OPENED = "opened", _("Opened")
    IN_PROGRESS = "in_progress", _("In progress")
    SIGNED = "signed", _("Consented")
    DECLINED = "declined", _("Declined")
    NEEDS_DISCUSSION = "needs_discussion", _("Needs discussion")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CONFIRMED = "confirmed", _("Confirmed on the day")
    EXPIRED = "expired", _("Link expired")
    CANCELLED = "cancelled", _("Cancelled")
    LOCKED = "locked", _("Link locked")


# The patient may still work through the journey in these.
OPEN = frozenset({Status.CREATED, Status.INVITED, Status.OPENED, Status.IN_PROGRESS, Status.NEEDS_DISCUSSION})
# The link no longer works at all in these.
DEAD_LINK = frozenset({Status.EXPIRED, Status.CANCELLED, Status.LOCKED})
# The patient's decision is recorded: nothing done with the link (a wrong date of birth, a reissue)
# may change these; only the decision's own next steps (withdraw, confirm) do.
FINISHED = frozenset({Status.SIGNED, Status.DECLINED, Status.WITHDRAWN, Status.CONFIRMED})
# The patient has answered the decide page: signed a decision, or chose to talk first (their done page).
DECIDED = FINISHED | {Status.NEEDS_DISCUSSION}
# The patient has consented (and not withdrawn).
CONSENTED = frozenset({Status.SIGNED, Status.CONFIRMED})
# Not signed and not cancelled: a request a nurse may cancel, or publishing may move to a new version.
UNSIGNED = OPEN | {Status.LOCKED, Status.EXPIRED}
# The checklist takes no more marks in these (nothing will happen on the day).
CHECKLIST_CLOSED = frozenset({Status.CANCELLED, Status.EXPIRED, Status.DECLINED, Status.WITHDRAWN})


class Transition(models.TextChoices):
    INVITE = "invite", "Link given to the patient"
    OPEN = "open", "Identity checked for the first time"
    START = "start", "First page of the journey done"
    ASK_TO_TALK = "ask_to_talk", "Patient asked to talk before deciding"
    SIGN = "sign", "Patient signed their consent"
    DECLINE = "decline", "Patient signed a decision not to go ahead"
    WITHDRAW = "withdraw", "Patient withdrew their consent"
    CONFIRM = "confirm", "Nurse confirmed consent on the day"
    LOCK = "lock", "Link locked after too many wrong dates of birth"
    EXPIRE = "expire", "Link expired"
    UNLOCK = "unlock", "Date of birth corrected: the link works again"
    REISSUE = "reissue", "New link issued"
    CANCEL = "cancel", "Request cancelled"
    MOVE_TO_VERSION = "move_to_version", "Moved to a newly published version"
    RECORD_CONSENT_BY_STAFF = "record_consent_by_staff", "Staff recorded a consent taken outside the link"
    RECORD_REFUSAL_BY_STAFF = "record_refusal_by_staff", "Staff recorded a refusal taken outside the link"


@dataclass(frozen=True)
class Rule:
    allowed: frozenset[Status]  # where the transition may happen
    to: Status | None = None  # where it leads (None: the status stays)
    moves: frozenset[Status] | None = None  # which allowed statuses it changes (default: all of them)
    automatic: bool = False  # happens by itself where allowed; elsewhere changes nothing, refuses nothing
    again_ok: bool = False  # asking again once done (in `to`) is not refused: it changes nothing

    def moves_from(self, status: str) -> bool:
        return self.to is not None and status in (self.moves if self.moves is not None else self.allowed)


TABLE: dict[Transition, Rule] = {
    Transition.INVITE: Rule(frozenset({Status.CREATED}), Status.INVITED, automatic=True),
    Transition.OPEN: Rule(frozenset({Status.CREATED, Status.INVITED}), Status.OPENED, automatic=True),
    Transition.START: Rule(frozenset({Status.OPENED}), Status.IN_PROGRESS, automatic=True),
    Transition.ASK_TO_TALK: Rule(OPEN, Status.NEEDS_DISCUSSION),
    Transition.SIGN: Rule(OPEN, Status.SIGNED),
    Transition.DECLINE: Rule(OPEN, Status.DECLINED),
    Transition.WITHDRAW: Rule(frozenset({Status.SIGNED}), Status.WITHDRAWN, again_ok=True),
    Transition.CONFIRM: Rule(frozenset({Status.SIGNED}), Status.CONFIRMED, again_ok=True),
    Transition.LOCK: Rule(OPEN, Status.LOCKED, automatic=True),
    Transition.EXPIRE: Rule(OPEN, Status.EXPIRED, automatic=True),
    Transition.UNLOCK: Rule(frozenset({Status.LOCKED}), Status.INVITED, automatic=True),
    # Any case but a cancelled one gets a new link; a finished case keeps its status (the new link
    # leads to its record, never back into the journey), a dead link works again.
    Transition.REISSUE: Rule(
        frozenset(Status) - {Status.CANCELLED}, Status.INVITED, moves=DEAD_LINK - {Status.CANCELLED}
    ),
    Transition.CANCEL: Rule(UNSIGNED, Status.CANCELLED),
    Transition.MOVE_TO_VERSION: Rule(UNSIGNED, automatic=True),
    # Consent (or a refusal) taken on paper, in person or by telephone, recorded by a nurse: also
    # from a locked or expired link, since a patient whose link stopped working can still sign a form.
    Transition.RECORD_CONSENT_BY_STAFF: Rule(UNSIGNED, Status.SIGNED),
    Transition.RECORD_REFUSAL_BY_STAFF: Rule(UNSIGNED, Status.DECLINED),
}


def allows(transition: Transition, status: str) -> bool:
    """Whether `transition` may happen from `status`."""
    return status in TABLE[transition].allowed


def where(transition: Transition) -> frozenset[Status]:
    """The statuses `transition` may happen from (for a query: `status__in=where(...)`)."""
    return TABLE[transition].allowed


def already_done(transition: Transition, status: str) -> bool:
    """Asked again once done (a second withdrawal, a second confirmation): nothing to do, nothing refused."""
    rule = TABLE[transition]
    return rule.again_ok and status == rule.to


def next_status(transition: Transition, status: str) -> str:
    """The status after `transition` from `status` (the same one where it changes nothing)."""
    rule = TABLE[transition]
    return rule.to if allows(transition, status) and rule.moves_from(status) else status


def may_withdraw(status: str, appointment_at) -> bool:
    """The patient may withdraw a signed consent until the appointment."""
    return allows(Transition.WITHDRAW, status) and timezone.now() < appointment_at


def move(consent_request, transition: Transition) -> bool:
    """Set `consent_request.status` as the transition leads (the caller saves it and audits); True if it changed.
    The caller has checked `allows` for a guarded transition; an automatic one changes what it may."""
    after = next_status(transition, consent_request.status)
    changed = after != consent_request.status
    consent_request.status = after
    return changed


def edges() -> list[tuple[Status, Transition, Status]]:
    """Every (from, transition, to) the table allows that changes the status: the diagram, as data."""
    return [
        (status, transition, rule.to)
        for transition, rule in TABLE.items()
        for status in Status
        if allows(transition, status) and rule.moves_from(status)
    ]
