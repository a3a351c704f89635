"""Every write of the democracy app: bodies, motions, ballots, and casting or changing a vote.

Secrecy (docs/democracy.md): casting a vote marks the voter's roll entry and inserts a box row in one transaction,
and writes nothing that joins them. The box row has a random UUID key, the hash of a fresh receipt code and the
choices: no person, no time. The audit log records "roll entry N voted", never the box row or the receipt hash.

One member one vote: the roll has one row per (ballot, person) (a unique constraint) and a vote is accepted only
if the conditional `UPDATE ... SET voted = true WHERE id = N AND voted = false` changes exactly that one row, in the
same transaction as the box insert; otherwise the transaction rolls back. Under a race the database lets exactly
one such update through: PostgreSQL re-checks `voted` on the locked row; SQLite runs one writer at a time.
Each vote also locks the ballot row (`select_for_update` on PostgreSQL; SQLite's IMMEDIATE transactions), so a
vote and the ballot's closing never interleave.

Services validate; permissions are checked by the caller (democracy.rules).
"""

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from groundgame.core.audit import audit_record, audit_record_many
from groundgame.people.models import LocalGroup, Person

from .models import Ballot, BallotOption, Body, CastBallot, Motion, MotionSupport, RollEntry
from .receipts import receipt_code_new, receipt_hash
from .selectors import eligible_people

YES_NO_ABSTAIN = ("Yes", "No", "Abstain")


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def _lock(row: Model) -> Model:
    """Take the row's lock and reload it under the lock (see the module docstring)."""
    row.refresh_from_db(from_queryset=type(row).objects.select_for_update())
    return row


# --- bodies ------------------------------------------------------------------------------------------------------


@transaction.atomic
def body_create(
    *,
    acting,
    name: str,
    group: LocalGroup | None = None,
    membership_days: int = 0,
    votes_changeable: bool = True,
    contents_by_receipt: bool = True,
    support_threshold: int = 5,
    support_period_days: int = 28,
) -> Body:
    """A body (a group, or the whole movement when `group` is None) with its rules."""
    body = Body(
        name=name.strip(),
        group=group,
        membership_days=membership_days,
        votes_changeable=votes_changeable,
        contents_by_receipt=contents_by_receipt,
        support_threshold=support_threshold,
        support_period_days=support_period_days,
    )
    body.full_clean()
    body.save()
    audit_record(actor=acting, action="body.create", target=body, fields=["name", "group", "membership_days"])
    return body


# --- motions -----------------------------------------------------------------------------------------------------

MOTION_STEPS = {
    Motion.Status.DRAFT: {Motion.Status.GATHERING},
    Motion.Status.GATHERING: {Motion.Status.DEBATE, Motion.Status.LAPSED},
    Motion.Status.DEBATE: {Motion.Status.VOTING},
    Motion.Status.VOTING: {Motion.Status.RESULT},
}


@transaction.atomic
def motion_create(*, acting, body: Body, proposer: Person, title: str, text: str, rationale: str = "") -> Motion:
    """A draft motion for `body`, proposed by `proposer`."""
    motion = Motion(body=body, proposer=proposer, title=title.strip(), text=text, rationale=rationale)
    motion.full_clean()
    motion.save()
    audit_record(actor=acting, action="motion.create", target=motion, fields=["proposer", "title", "text"])
    return motion


@transaction.atomic
def motion_status_set(*, acting, motion: Motion, status: str, now: datetime.datetime | None = None) -> Motion:
    """Move a motion one step along its timeline (draft -> gathering support -> debate -> voting -> result)."""
    motion = _lock(motion)
    if status not in MOTION_STEPS.get(motion.status, set()):
        raise ValidationError(
            _("A motion cannot go from %(old)s to %(new)s.") % {"old": motion.status, "new": status}, code="step"
        )
    now = _now(now)
    motion.status, motion.status_changed_at = status, now
    if status == Motion.Status.GATHERING:
        motion.support_opened_at = now
    motion.save(update_fields=["status", "status_changed_at", "support_opened_at"])
    audit_record(actor=acting, action="motion.status", target=motion, fields=["status"])
    return motion


@transaction.atomic
def motion_support(*, motion: Motion, person: Person, now: datetime.datetime | None = None) -> MotionSupport:
    """`person` (a member who may vote in the body) supports `motion`. When it has the body's threshold of
    supporters within the body's period it goes to debate; a support after the period lapses it instead."""
    motion = _lock(motion)
    now = _now(now)
    if motion.status != Motion.Status.GATHERING:
        raise ValidationError(_("This motion is not gathering support."), code="not_gathering")
    body = motion.body
    if not eligible_people(body=body, at=now).filter(pk=person.pk).exists():
        raise ValidationError(_("Only members of %(body)s can support its motions.") % {"body": body}, code="member")
    if now > motion.support_opened_at + datetime.timedelta(days=body.support_period_days):
        motion.status, motion.status_changed_at = Motion.Status.LAPSED, now
        motion.save(update_fields=["status", "status_changed_at"])
        audit_record(actor=None, action="motion.status", target=motion, fields=["status"], reason="support period")
        raise ValidationError(_("This motion's time to gather support is over."), code="lapsed")
    if MotionSupport.objects.filter(motion=motion, person=person).exists():
        raise ValidationError(_("You already support this motion."), code="duplicate")
    support = MotionSupport.objects.create(motion=motion, person=person)
    audit_record(actor=person, action="motionsupport.create", target=support, fields=["motion", "person"])
    if MotionSupport.objects.filter(motion=motion).count() >= body.support_threshold:
        motion.status, motion.status_changed_at = Motion.Status.DEBATE, now
        motion.save(update_fields=["status", "status_changed_at"])
        audit_record(actor=None, action="motion.status", target=motion, fields=["status"], reason="threshold")
    return support


# --- ballots -----------------------------------------------------------------------------------------------------


@transaction.atomic
def ballot_create(
    *,
    acting,
    body: Body,
    question: str,
    method: str,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    options: Sequence[str] = (),
    seats: int = 1,
    motion: Motion | None = None,
) -> Ballot:
    """A draft ballot. Yes/no/abstain ballots get the options Yes, No, Abstain; others need two or more."""
    if method == Ballot.Method.YES_NO_ABSTAIN:
        options = YES_NO_ABSTAIN
    names = [name.strip() for name in options]
    if len(names) < 2 or len(set(names)) != len(names) or not all(names):
        raise ValidationError(_("A ballot needs two or more options, each named once."), code="options")
    if method in {Ballot.Method.YES_NO_ABSTAIN, Ballot.Method.IRV, Ballot.Method.SCHULZE} and seats != 1:
        raise ValidationError(_("This method fills one seat."), code="seats")
    if seats >= len(names):
        raise ValidationError(_("There must be more options than seats."), code="seats")
    ballot = Ballot(
        body=body,
        motion=motion,
        question=question.strip(),
        method=method,
        seats=seats,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    ballot.full_clean()
    ballot.save()
    BallotOption.objects.bulk_create(
        BallotOption(ballot=ballot, position=i, name=name) for i, name in enumerate(names, start=1)
    )
    audit_record(actor=acting, action="ballot.create", target=ballot, fields=["question", "method", "opens_at"])
    return ballot


@transaction.atomic
def ballot_open(*, acting, ballot: Ballot, now: datetime.datetime | None = None) -> Ballot:
    """Open a draft ballot whose opening time has come, freezing its electorate: one roll entry per person who
    may vote in the body now (eligible_people). Later joiners are not added; leavers stay on."""
    ballot = _lock(ballot)
    now = _now(now)
    if ballot.status != Ballot.Status.DRAFT:
        raise ValidationError(_("Only a draft ballot can be opened."), code="not_draft")
    if now < ballot.opens_at or now >= ballot.closes_at:
        raise ValidationError(_("A ballot opens between its opening and closing times."), code="not_time")
    people = eligible_people(body=ballot.body, at=now).values_list("pk", flat=True)
    RollEntry.objects.bulk_create(
        (RollEntry(ballot=ballot, person_id=pk, ballot_closes_at=ballot.closes_at) for pk in people.iterator()),
        batch_size=1000,
    )
    ballot.status, ballot.electorate_frozen_at = Ballot.Status.OPEN, now
    ballot.save(update_fields=["status", "electorate_frozen_at"])
    audit_record(actor=acting, action="ballot.open", target=ballot, fields=["status", "electorate_frozen_at"])
    audit_record_many(
        actor=acting,
        action="rollentry.create",
        targets=RollEntry.objects.filter(ballot=ballot).order_by("pk"),
        fields=["ballot", "person"],
    )
    return ballot


def _require_open(ballot: Ballot, now: datetime.datetime) -> None:
    if ballot.status != Ballot.Status.OPEN or not ballot.opens_at <= now < ballot.closes_at:
        raise ValidationError(_("This ballot is not open for voting."), code="not_open")


def choices_clean(*, ballot: Ballot, choices: Sequence[int]) -> list[int]:
    """The choices as stored: option positions, checked against the ballot's method.

    yes/no/abstain: exactly one; approval: any number, each once (stored ascending); ranked methods: one or more,
    each once, first preference first."""
    positions = set(ballot.options.values_list("position", flat=True))
    values = list(choices)
    if any(not isinstance(p, int) or isinstance(p, bool) or p not in positions for p in values):
        raise ValidationError(_("Choose only options on this ballot."), code="bad_choice")
    if len(set(values)) != len(values):
        raise ValidationError(_("Choose each option at most once."), code="bad_choice")
    if ballot.method == Ballot.Method.YES_NO_ABSTAIN and len(values) != 1:
        raise ValidationError(_("Choose one answer."), code="bad_choice")
    if ballot.is_ranked and not values:
        raise ValidationError(_("Rank at least one option."), code="bad_choice")
    return sorted(values) if ballot.method == Ballot.Method.APPROVAL else values


def _box_insert(ballot: Ballot, choices: list[int]) -> str:
    """Put a ballot in the box under a fresh receipt code; return the code (its hash is all that is stored)."""
    code = receipt_code_new()
    CastBallot.objects.create(ballot=ballot, receipt_hash=receipt_hash(ballot_id=ballot.pk, code=code), choices=choices)
    return code


@transaction.atomic
def vote_cast(*, ballot: Ballot, person: Person, choices: Sequence[int], now: datetime.datetime | None = None) -> str:
    """Cast `person`'s vote and return their receipt code: show it to them once; it is not stored.

    Refused (ValidationError, nothing written) when the ballot is not open, the person is not on its roll, has
    voted already (code "already_voted"), or the choices do not fit the method."""
    ballot = _lock(ballot)
    _require_open(ballot, _now(now))
    clean = choices_clean(ballot=ballot, choices=choices)
    entry_id = RollEntry.objects.filter(ballot=ballot, person=person).values_list("pk", flat=True).first()
    if entry_id is None:
        raise ValidationError(_("You are not on the roll of this ballot."), code="not_on_roll")
    if RollEntry.objects.filter(pk=entry_id, voted=False).update(voted=True) != 1:
        raise ValidationError(_("You have already voted in this ballot."), code="already_voted")
    code = _box_insert(ballot, clean)
    audit_record(actor=person, action="rollentry.vote", target=("democracy.rollentry", entry_id), fields=["voted"])
    return code


@transaction.atomic
def vote_change(
    *,
    ballot: Ballot,
    person: Person,
    receipt_code: str,
    choices: Sequence[int],
    now: datetime.datetime | None = None,
) -> str:
    """Replace the ballot cast under `receipt_code` with new choices; return the new receipt code (the old one
    then finds nothing). Only a voter who has voted, while the ballot is open and if the body allows changes.

    The box row is found by the receipt's hash, so the roll needs no link to it; the old row is deleted and a new
    one (new random key, new receipt) inserted. The roll is not written and nothing is audited: the change leaves
    no trace that could join the voter to either row."""
    ballot = _lock(ballot)
    _require_open(ballot, _now(now))
    if not ballot.body.votes_changeable:
        raise ValidationError(_("Votes in this body cannot be changed."), code="changes_off")
    if not RollEntry.objects.filter(ballot=ballot, person=person, voted=True).exists():
        raise ValidationError(_("You have not voted in this ballot."), code="not_voted")
    clean = choices_clean(ballot=ballot, choices=choices)
    old = receipt_hash(ballot_id=ballot.pk, code=receipt_code)
    removed, _counts = CastBallot.objects.filter(ballot=ballot, receipt_hash=old).delete()
    if removed != 1:
        raise ValidationError(_("That receipt code does not match a ballot in this box."), code="bad_receipt")
    return _box_insert(ballot, clean)


def _box_seal(ballot: Ballot) -> None:
    """Rewrite the box in canonical order (by receipt hash) in one transaction, so the rows' physical traces of
    the order they were cast in (SQLite rowids, PostgreSQL tuple positions and transaction ids) are gone from the
    live table. Keys, hashes and choices are unchanged."""
    rows = list(
        CastBallot.objects.filter(ballot=ballot).order_by("receipt_hash").values_list("pk", "receipt_hash", "choices")
    )
    CastBallot.objects.filter(ballot=ballot).delete()
    CastBallot.objects.bulk_create(
        (CastBallot(id=pk, ballot=ballot, receipt_hash=digest, choices=choices) for pk, digest, choices in rows),
        batch_size=1000,
    )


@transaction.atomic
def ballot_close(*, acting, ballot: Ballot, now: datetime.datetime | None = None) -> Ballot:
    """Close an open ballot at or after its closing time, sealing the box (see _box_seal)."""
    ballot = _lock(ballot)
    now = _now(now)
    if ballot.status != Ballot.Status.OPEN:
        raise ValidationError(_("Only an open ballot can be closed."), code="not_open")
    if now < ballot.closes_at:
        raise ValidationError(_("The ballot closes at its closing time."), code="not_time")
    _box_seal(ballot)
    ballot.status, ballot.closed_at = Ballot.Status.CLOSED, now
    ballot.save(update_fields=["status", "closed_at"])
    audit_record(actor=acting, action="ballot.close", target=ballot, fields=["status", "closed_at"])
    return ballot
