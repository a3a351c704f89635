"""Reads of the democracy app: who may vote, the published ballot box, receipt checks and the BLT ballot file.

The box is only ever read in its canonical order (by receipt hash), never the database's, and only after close.
"""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from groundgame.people.models import LocalGroup, Membership, Person

from . import counting
from .counting import CountResult
from .models import Ballot, Body, CastBallot, RollEntry
from .receipts import receipt_hash


def eligible_people(*, body: Body, at: datetime.datetime) -> QuerySet[Person]:
    """The people who may vote in `body` at `at`: active members of its group or a group below it (a region's
    local groups; for the whole movement, any group, or people recorded as members) for at least the body's
    `membership_days`. Erased people never."""
    cutoff = at - datetime.timedelta(days=body.membership_days)
    memberships = Membership.objects.active().alias(since=Coalesce("decided_at", "requested_at"))
    memberships = memberships.filter(since__lte=cutoff)
    if body.group_id is not None:
        memberships = memberships.filter(group__in=LocalGroup.objects.subtree_of(body.group))
        member = Q(pk__in=memberships.values("person_id"))
    else:
        member = Q(pk__in=memberships.values("person_id")) | Q(
            status=Person.Status.MEMBER, joined_on__lte=cutoff.date()
        )
    return Person.objects.filter(member, erased_at__isnull=True).order_by("pk")


def is_on_roll(*, ballot: Ballot, person: Person) -> bool:
    return RollEntry.objects.filter(ballot=ballot, person=person).exists()


def has_voted(*, ballot: Ballot, person: Person) -> bool:
    return RollEntry.objects.filter(ballot=ballot, person=person, voted=True).exists()


@dataclass(frozen=True)
class Turnout:
    electorate: int
    voted: int
    ballots: int  # in the box: equals `voted` (a changed vote replaces its ballot)


def ballot_turnout(*, ballot: Ballot) -> Turnout:
    roll = RollEntry.objects.filter(ballot=ballot)
    return Turnout(
        electorate=roll.count(),
        voted=roll.filter(voted=True).count(),
        ballots=CastBallot.objects.filter(ballot=ballot).count(),
    )


# --- the published box -------------------------------------------------------------------------------------------

Contents = tuple[str, ...]  # option names: the choice, the approved options, or the ranking


@dataclass(frozen=True)
class PublishedBox:
    """The ballot box as published after close.

    - `entries`: (receipt hash, contents) sorted by receipt hash, when the body publishes contents by receipt;
      empty otherwise.
    - `receipt_hashes`: every receipt hash, sorted.
    - `ballots`: every ballot's contents, sorted on their own (so, when `entries` is empty, nothing pairs a hash
      with a ballot)."""

    ballot_id: int
    by_receipt: bool
    entries: list[tuple[str, Contents]]
    receipt_hashes: list[str]
    ballots: list[Contents]


def _names(ballot: Ballot) -> dict[int, str]:
    return dict(ballot.options.values_list("position", "name"))


def _require_closed(ballot: Ballot) -> None:
    if ballot.status != Ballot.Status.CLOSED:
        raise ValidationError(_("The ballot box is published when the ballot closes."), code="not_closed")


def ballot_box_published(*, ballot: Ballot) -> PublishedBox:
    """The box of a closed ballot, in canonical order (see PublishedBox)."""
    _require_closed(ballot)
    names = _names(ballot)
    rows = CastBallot.objects.filter(ballot=ballot).order_by("receipt_hash").values_list("receipt_hash", "choices")
    entries = [(digest, tuple(names[p] for p in choices)) for digest, choices in rows]
    return PublishedBox(
        ballot_id=ballot.pk,
        by_receipt=ballot.body.contents_by_receipt,
        entries=entries if ballot.body.contents_by_receipt else [],
        receipt_hashes=[digest for digest, _ in entries],
        ballots=sorted(contents for _, contents in entries),
    )


@dataclass(frozen=True)
class ReceiptCheck:
    found: bool
    contents: Contents | None  # None when not found, or when the body does not publish contents by receipt


def receipt_check(*, ballot: Ballot, code: str) -> ReceiptCheck:
    """Is the ballot of this receipt code in the published box, and (if the body shows it) as what?"""
    _require_closed(ballot)
    row = CastBallot.objects.filter(ballot=ballot, receipt_hash=receipt_hash(ballot_id=ballot.pk, code=code)).first()
    if row is None:
        return ReceiptCheck(found=False, contents=None)
    if not ballot.body.contents_by_receipt:
        return ReceiptCheck(found=True, contents=None)
    names = _names(ballot)
    return ReceiptCheck(found=True, contents=tuple(names[p] for p in row.choices))


# --- the anonymised ballot file ----------------------------------------------------------------------------------


def _blt_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def ballot_blt(*, ballot: Ballot) -> str:
    """The closed box of a ranked (or approval) ballot as a standard BLT file, for anyone to recount.

    Identical rankings are merged into one weighted line, lines sorted by ranking: the file says nothing about
    the order ballots were cast in. Candidates are numbered by their ballot position and named at the end; the
    title is the question. Approval ballots are written as unranked preference lists (the order means nothing)."""
    _require_closed(ballot)
    if not (ballot.is_ranked or ballot.method == Ballot.Method.APPROVAL):
        raise ValidationError(_("Only ranked and approval ballots have a ballot file."), code="not_ranked")
    options = list(ballot.options.order_by("position").values_list("position", "name"))
    number = {position: i + 1 for i, (position, _) in enumerate(options)}
    tally = Counter(
        tuple(choices) for choices in CastBallot.objects.filter(ballot=ballot).values_list("choices", flat=True)
    )
    lines = [f"{len(options)} {ballot.seats}"]
    for ranking in sorted(tally):
        if ranking:
            lines.append(f"{tally[ranking]} {' '.join(str(number[p]) for p in ranking)} 0")
    lines.append("0")
    lines += [_blt_quote(name) for _, name in options]
    lines.append(_blt_quote(ballot.question))
    return "\n".join(lines) + "\n"


# --- counting ----------------------------------------------------------------------------------------------------

COUNTING_METHODS = {
    Ballot.Method.APPROVAL: "approval",
    Ballot.Method.IRV: "irv",
    Ballot.Method.SCOTTISH_STV: "scottish-stv",
    Ballot.Method.MEEK: "meek",
    Ballot.Method.SCHULZE: "schulze",
}


def ballot_count(*, ballot: Ballot) -> CountResult:
    """Count a closed ranked or approval ballot from its published BLT file, exactly as anyone can recount it:
    `groundgame count FILE --method <method> --seats <seats>`. Lots are drawn with the file's default seed."""
    text = ballot_blt(ballot=ballot)
    return counting.count(counting.parse_blt(text), COUNTING_METHODS[ballot.method], ballot.seats)


def ballot_tally(*, ballot: Ballot) -> dict[str, int]:
    """A closed yes/no/abstain ballot's answers: {option name: ballots}, every option listed, in ballot order."""
    _require_closed(ballot)
    if ballot.method != Ballot.Method.YES_NO_ABSTAIN:
        raise ValidationError(_("Only yes/no/abstain ballots are tallied this way."), code="not_yes_no")
    answers = Counter(
        choices[0] for choices in CastBallot.objects.filter(ballot=ballot).values_list("choices", flat=True)
    )
    return {
        name: answers.get(position, 0)
        for position, name in ballot.options.order_by("position").values_list("position", "name")
    }
