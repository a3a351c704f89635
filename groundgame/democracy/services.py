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
import json
import logging
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from groundgame.core.audit import audit_record, audit_record_many
from groundgame.people.models import LocalGroup, Person

from .counting import CountError
from .models import (
    Amendment,
    Ballot,
    BallotOption,
    BallotResult,
    Body,
    CastBallot,
    Comment,
    Motion,
    MotionSupport,
    RollEntry,
)
from .receipts import receipt_code_new, receipt_hash
from .selectors import ballot_count, ballot_tally, ballot_turnout, eligible_people

YES_NO_ABSTAIN = ("Yes", "No", "Abstain")
logger = logging.getLogger(__name__)


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
    moderation: str = Body.Moderation.PERMISSIVE,
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
        moderation=moderation,
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
    amendment: Amendment | None = None,
    quorum_percent: int | None = None,
    quorum_count: int | None = None,
) -> Ballot:
    """A draft ballot. Yes/no/abstain ballots get the options Yes, No, Abstain; others need two or more.

    A ballot on a motion (`motion`) decides it and needs the motion to be in debate; a ballot on an amendment
    (`amendment`, a yes/no ballot made by amendment_to_vote) belongs to the amendment's motion too."""
    if amendment is not None:
        motion = amendment.motion
    elif motion is not None and motion.status != Motion.Status.DEBATE:
        raise ValidationError(_("A motion goes to a vote after its debate has begun."), code="motion_not_debate")
    if motion is not None and motion.body_id != body.pk:
        raise ValidationError(_("The motion belongs to another body."), code="motion_body")
    pending = {Amendment.Status.PROPOSED, Amendment.Status.VOTING}
    if amendment is None and motion is not None and motion.amendments.filter(status__in=pending).exists():
        raise ValidationError(
            _("Its amendments must be decided before the motion goes to a vote."), code="amendments_pending"
        )
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
        quorum_percent=quorum_percent,
        quorum_count=quorum_count,
    )
    ballot.full_clean()
    ballot.save()
    BallotOption.objects.bulk_create(
        BallotOption(ballot=ballot, position=i, name=name) for i, name in enumerate(names, start=1)
    )
    if amendment is not None:
        amendment.ballot = ballot
        amendment.save(update_fields=["ballot"])
    audit_record(actor=acting, action="ballot.create", target=ballot, fields=["question", "method", "opens_at"])
    return ballot


def _decides_motion(ballot: Ballot) -> bool:
    """A ballot on its motion itself (not on one of the motion's amendments)."""
    return ballot.motion_id is not None and not Amendment.objects.filter(ballot=ballot).exists()


@transaction.atomic
def ballot_open(*, acting, ballot: Ballot, now: datetime.datetime | None = None, bring_forward: bool = False) -> Ballot:
    """Open a draft ballot whose opening time has come, freezing its electorate: one roll entry per person who
    may vote in the body now (eligible_people). Later joiners are not added; leavers stay on.

    `bring_forward` (an organiser's "open now"): a ballot whose opening time is still to come opens now, its
    opening time moved to now. A ballot on a motion moves the motion to voting."""
    ballot = _lock(ballot)
    now = _now(now)
    if ballot.status != Ballot.Status.DRAFT:
        raise ValidationError(_("Only a draft ballot can be opened."), code="not_draft")
    if bring_forward and now < ballot.opens_at:
        ballot.opens_at = now
        ballot.save(update_fields=["opens_at"])
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
    if _decides_motion(ballot) and ballot.motion.status == Motion.Status.DEBATE:
        motion_status_set(acting=acting, motion=ballot.motion, status=Motion.Status.VOTING, now=now)
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
    result = _result_store(ballot, now)
    amendment = Amendment.objects.filter(ballot=ballot).first()
    if amendment is not None:
        _amendment_decide_by_vote(amendment, result, now)
    elif ballot.motion_id is not None and ballot.motion.status == Motion.Status.VOTING:
        motion_status_set(acting=acting, motion=ballot.motion, status=Motion.Status.RESULT, now=now)
    return ballot


def _yes_no_transcript(ballot: Ballot) -> tuple[str, list[str]]:
    """The yes/no/abstain count in the transcript format of the counting library: one stage, the totals; "Yes"
    is chosen when it has more votes than "No" (abstentions count towards turnout, not either side)."""
    tally = ballot_tally(ballot=ballot)
    yes, no = tally.get(YES_NO_ABSTAIN[0], 0), tally.get(YES_NO_ABSTAIN[1], 0)
    chosen = [YES_NO_ABSTAIN[0] if yes > no else YES_NO_ABSTAIN[1]]
    transcript = {
        "method": "yes-no-abstain",
        "seats": 1,
        "valid": sum(tally.values()),
        "quota": None,
        "elected": chosen,
        "stages": [
            {
                "number": 1,
                "action": "first",
                "candidate": None,
                "quota": None,
                "totals": tally,
                "elected_this_stage": chosen,
                "non_transferable": 0,
            }
        ],
    }
    return json.dumps(transcript), chosen


def _result_store(ballot: Ballot, now: datetime.datetime) -> BallotResult:
    """Count the closed box (exactly as a recount of the published file would) and store the result: turnout
    against the frozen roll, whether quorum was met, the elected or chosen, and the transcript JSON."""
    turnout = ballot_turnout(ballot=ballot)
    if ballot.method == Ballot.Method.YES_NO_ABSTAIN:
        transcript, elected = _yes_no_transcript(ballot)
    else:
        count = ballot_count(ballot=ballot)
        transcript, elected = count.to_json(), list(count.elected)
    result = BallotResult.objects.create(
        ballot=ballot,
        electorate=turnout.electorate,
        voted=turnout.voted,
        quorum_met=ballot.quorum_met(electorate=turnout.electorate, voted=turnout.voted),
        elected=elected,
        transcript=transcript,
        counted_at=now,
    )
    return result


def ballots_due_run(*, now: datetime.datetime | None = None) -> dict[str, list[int]]:
    """The periodic task's work: open draft ballots whose opening time has come (and whose closing time has
    not), close open ballots whose closing time has passed. Returns the ids opened and closed."""
    now = _now(now)
    done: dict[str, list[int]] = {"opened": [], "closed": []}
    due = [
        (
            ballot_open,
            "opened",
            Ballot.objects.filter(status=Ballot.Status.DRAFT, opens_at__lte=now, closes_at__gt=now),
        ),
        (ballot_close, "closed", Ballot.objects.filter(status=Ballot.Status.OPEN, closes_at__lte=now)),
    ]
    for step, key, ballots in due:
        for ballot in ballots:
            try:
                step(acting=None, ballot=ballot, now=now)
            except (ValidationError, CountError):
                # One ballot that cannot move (a rule refused it; its count failed) must not hold up the others:
                # its transaction rolled back, it is tried again next run, and the organisers see it on its page.
                logger.exception("democracy: ballot %s could not be %s", ballot.pk, key)
                continue
            done[key].append(ballot.pk)
    return done


def motion_support_deadline(motion: Motion) -> datetime.datetime | None:
    """When a motion gathering support lapses unless it reaches its body's threshold."""
    if motion.support_opened_at is None:
        return None
    return motion.support_opened_at + datetime.timedelta(days=motion.body.support_period_days)


def motions_lapse_due(*, now: datetime.datetime | None = None) -> list[int]:
    """The periodic task's work: motions still gathering support after their body's period lapse."""
    now = _now(now)
    lapsed = []
    for motion in Motion.objects.filter(status=Motion.Status.GATHERING).select_related("body"):
        if now > motion_support_deadline(motion):
            motion_status_set(acting=None, motion=motion, status=Motion.Status.LAPSED, now=now)
            lapsed.append(motion.pk)
    return lapsed


# --- amendments --------------------------------------------------------------------------------------------------

AMENDMENT_VOTE_DAYS = 7
AMENDABLE = {Motion.Status.GATHERING, Motion.Status.DEBATE}


@transaction.atomic
def amendment_propose(
    *,
    motion: Motion,
    proposer: Person,
    line_from: int,
    line_to: int,
    replacement: str,
    rationale: str = "",
    now: datetime.datetime | None = None,
) -> Amendment:
    """`proposer` (a member who may vote in the body) proposes replacing lines `line_from`..`line_to` of the
    motion with `replacement` (empty: delete them). Only while the motion gathers support or is in debate."""
    motion = _lock(motion)
    if motion.status not in AMENDABLE:
        raise ValidationError(_("This motion can no longer be amended."), code="not_amendable")
    if not eligible_people(body=motion.body, at=_now(now)).filter(pk=proposer.pk).exists():
        message = _("Only members of %(body)s can amend its motions.") % {"body": motion.body}
        raise ValidationError(message, code="member")
    lines = motion.lines
    if not 1 <= line_from <= line_to <= len(lines):
        raise ValidationError(
            _("Name lines between 1 and %(last)d, the first no later than the last.") % {"last": len(lines)},
            code="lines",
        )
    number = (motion.amendments.aggregate(top=Max("number"))["top"] or 0) + 1
    amendment = Amendment(
        motion=motion,
        number=number,
        line_from=line_from,
        line_to=line_to,
        original="\n".join(lines[line_from - 1 : line_to]),
        replacement=replacement.strip("\n"),
        rationale=rationale,
        proposer=proposer,
    )
    amendment.full_clean()
    amendment.save()
    audit_record(actor=proposer, action="amendment.create", target=amendment, fields=["proposer", "replacement"])
    return amendment


def _amendment_apply(amendment: Amendment, now: datetime.datetime) -> bool:
    """Replace the amended lines in the motion's text, if they still read as when the amendment was proposed."""
    motion = _lock(amendment.motion)
    lines = motion.lines
    current = "\n".join(lines[amendment.line_from - 1 : amendment.line_to])
    if amendment.line_to > len(lines) or current != amendment.original:
        return False
    new = lines[: amendment.line_from - 1] + (amendment.replacement.splitlines()) + lines[amendment.line_to :]
    motion.text = "\n".join(new)
    motion.save(update_fields=["text"])
    audit_record(actor=None, action="motion.amend", target=motion, fields=["text"], reason=f"amendment {amendment.pk}")
    return True


@transaction.atomic
def amendment_accept(*, acting, amendment: Amendment, now: datetime.datetime | None = None) -> Amendment:
    """The mover accepts a proposed amendment: the motion's text changes at once (recorded in the audit log and
    on the amendment). Refused when the amended lines have changed since it was proposed."""
    amendment = _lock(amendment)
    now = _now(now)
    if amendment.status != Amendment.Status.PROPOSED or amendment.motion.status not in AMENDABLE:
        raise ValidationError(_("This amendment is no longer open."), code="not_open")
    if not _amendment_apply(amendment, now):
        raise ValidationError(
            _("The lines this amendment changes have been changed since; it cannot be applied."), code="stale"
        )
    amendment.status, amendment.decided_at = Amendment.Status.ACCEPTED, now
    amendment.save(update_fields=["status", "decided_at"])
    audit_record(actor=acting, action="amendment.accept", target=amendment, fields=["status"])
    return amendment


@transaction.atomic
def amendment_to_vote(*, acting, amendment: Amendment, now: datetime.datetime | None = None) -> Ballot:
    """The mover does not accept the amendment: it goes to a yes/no/abstain ballot of the body, open at once for
    AMENDMENT_VOTE_DAYS. When the ballot closes, a "Yes" with quorum met applies it to the text."""
    amendment = _lock(amendment)
    now = _now(now)
    if amendment.status != Amendment.Status.PROPOSED or amendment.motion.status not in AMENDABLE:
        raise ValidationError(_("This amendment is no longer open."), code="not_open")
    motion = amendment.motion
    ballot = ballot_create(
        acting=acting,
        body=motion.body,
        question=_("Amendment %(number)d to “%(title)s”: replace lines %(lines)s?")
        % {"number": amendment.number, "title": motion.title, "lines": _lines_label(amendment)},
        method=Ballot.Method.YES_NO_ABSTAIN,
        opens_at=now,
        closes_at=now + datetime.timedelta(days=AMENDMENT_VOTE_DAYS),
        amendment=amendment,
    )
    amendment.refresh_from_db()
    amendment.status = Amendment.Status.VOTING
    amendment.save(update_fields=["status"])
    audit_record(actor=acting, action="amendment.to_vote", target=amendment, fields=["status", "ballot"])
    ballot_open(acting=acting, ballot=ballot, now=now)
    return ballot


def _lines_label(amendment: Amendment) -> str:
    if amendment.line_from == amendment.line_to:
        return str(amendment.line_from)
    return f"{amendment.line_from}–{amendment.line_to}"


def _amendment_decide_by_vote(amendment: Amendment, result: BallotResult, now: datetime.datetime) -> None:
    carried = result.quorum_met and result.elected == [YES_NO_ABSTAIN[0]]
    if carried:
        status = Amendment.Status.CARRIED if _amendment_apply(amendment, now) else Amendment.Status.FAILED
    else:
        status = Amendment.Status.REJECTED
    amendment.status, amendment.decided_at = status, now
    amendment.save(update_fields=["status", "decided_at"])
    audit_record(actor=None, action="amendment.decide", target=amendment, fields=["status"], reason="ballot")


# --- deliberation comments ---------------------------------------------------------------------------------------


@transaction.atomic
def comment_create(*, motion: Motion, author: Person, text: str, now: datetime.datetime | None = None) -> Comment:
    """A member's comment on a motion: shown at once in a permissive body, held for approval in a strict one."""
    if motion.status in {Motion.Status.DRAFT}:
        raise ValidationError(_("Comments open when the motion is submitted."), code="draft")
    if not eligible_people(body=motion.body, at=_now(now)).filter(pk=author.pk).exists():
        raise ValidationError(
            _("Only members of %(body)s can comment on its motions.") % {"body": motion.body}, code="member"
        )
    held = motion.body.moderation == Body.Moderation.STRICT
    comment = Comment(
        motion=motion, author=author, text=text.strip(), status=Comment.Status.HELD if held else Comment.Status.VISIBLE
    )
    comment.full_clean()
    comment.save()
    audit_record(actor=author, action="comment.create", target=comment, fields=["author", "text"])
    return comment


@transaction.atomic
def comment_moderate(*, acting, comment: Comment, action: str, now: datetime.datetime | None = None) -> Comment:
    """An organiser approves (shows) or hides a comment."""
    statuses = {"approve": Comment.Status.VISIBLE, "hide": Comment.Status.HIDDEN}
    if action not in statuses:
        raise ValidationError(_("Approve or hide."), code="action")
    comment.status, comment.moderated_at = statuses[action], _now(now)
    comment.save(update_fields=["status", "moderated_at"])
    audit_record(actor=acting, action=f"comment.{action}", target=comment, fields=["status"])
    return comment
