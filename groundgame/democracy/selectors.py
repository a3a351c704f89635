"""Reads of the democracy app: who may vote, the published ballot box, receipt checks and the BLT ballot file.

The box is only ever read in its canonical order (by receipt hash), never the database's, and only after close.
"""

import datetime
import json
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from groundgame.people.models import LocalGroup, Membership, Person

from . import counting
from .counting import CountResult
from .models import Ballot, Body, CastBallot, Motion, RollEntry
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
    # EXISTS on the person's memberships (an index lookup per person) rather than "pk IN (subquery) OR ...": on
    # freshly written tables PostgreSQL ran that OR as a subplan scanning memberships once per person, for minutes.
    member = Q(Exists(memberships.filter(person=OuterRef("pk"))))
    if body.group_id is None:
        member |= Q(status=Person.Status.MEMBER, joined_on__lte=cutoff.date())
    return Person.objects.filter(member, erased_at__isnull=True).order_by("pk")


def is_on_roll(*, ballot: Ballot, person: Person) -> bool:
    return RollEntry.objects.filter(ballot=ballot, person=person).exists()


def roll_of(*, person: Person, ballots) -> list[tuple[int, bool]]:
    """(ballot id, voted) for each of `ballots` whose roll the person is on."""
    return list(RollEntry.objects.filter(person=person, ballot__in=ballots).values_list("ballot_id", "voted"))


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


# --- pages: bodies, motions, results -----------------------------------------------------------------------------


def bodies_for(*, person: Person | None, organised: frozenset[int] = frozenset(), admin: bool = False) -> list[Body]:
    """The bodies a person takes part in (their groups', the groups above theirs, the whole movement's) and those
    they run, in name order, the movement-wide body first."""
    bodies = Body.objects.select_related("group")
    if not admin:
        group_ids = set(organised)
        if person is not None:
            mine = Membership.objects.active().filter(person=person).values_list("group_id", flat=True)
            for group in LocalGroup.objects.filter(pk__in=list(mine)):
                while group is not None:
                    group_ids.add(group.pk)
                    group = group.parent
        bodies = bodies.filter(Q(group__isnull=True) | Q(group_id__in=group_ids))
    return sorted(bodies, key=lambda b: (b.group_id is not None, b.name))


def motions_of(*, body: Body, include_drafts_of: Person | None = None, all_drafts: bool = False) -> QuerySet:
    """A body's motions, newest first, with their supporter counts; drafts only the viewer's own (or all, for the
    body's organisers)."""
    motions = Motion.objects.filter(body=body).annotate(supporters=Count("supports"))
    if not all_drafts:
        mine = Q(proposer=include_drafts_of) if include_drafts_of is not None else Q(pk__in=[])
        motions = motions.filter(~Q(status=Motion.Status.DRAFT) | mine)
    return motions.select_related("proposer").order_by("-created_at", "pk")


TIMELINE = [
    (Motion.Status.DRAFT, gettext_lazy("Draft")),
    (Motion.Status.GATHERING, gettext_lazy("Gathering support")),
    (Motion.Status.DEBATE, gettext_lazy("Debate")),
    (Motion.Status.VOTING, gettext_lazy("Voting")),
    (Motion.Status.RESULT, gettext_lazy("Result")),
]


def motion_timeline(motion: Motion) -> list[dict]:
    """The motion's steps, each marked done, current or to come (a lapsed motion stops at gathering support)."""
    order = [status for status, _label in TIMELINE]
    current = Motion.Status.GATHERING if motion.status == Motion.Status.LAPSED else motion.status
    here = order.index(current)
    steps = []
    for i, (status, label) in enumerate(TIMELINE):
        state = "done" if i < here else "current" if i == here else "todo"
        if motion.status == Motion.Status.LAPSED and i == here:
            state, label = "lapsed", _("Lapsed")
        steps.append({"status": status, "label": label, "state": state})
    if motion.status == Motion.Status.RESULT:
        steps[-1]["state"] = "done"
    return steps


def transcript_data(result) -> dict:
    """A stored result's transcript as Python data, numbers as exact decimals."""
    return json.loads(result.transcript, parse_float=Decimal)


def _fmt(value) -> str:
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


def stv_stages(transcript: dict) -> dict:
    """The stage-by-stage table and the transfer chart of a ranked count (see results.html).

    rows: one per candidate with, per stage, the total, the change from the stage before, and whether they were
    elected then or are out; chart: per stage, every candidate's bar as the share of the largest total in the
    count, split into what they held before and what came to them at that stage."""
    stages = transcript["stages"]
    names = list(stages[0]["totals"]) if stages else []
    elected_at, out_at = {}, {}
    for stage in stages:
        for name in stage["elected_this_stage"]:
            elected_at.setdefault(name, stage["number"])
        if stage["action"] == "exclusion" and stage["candidate"]:
            out_at.setdefault(stage["candidate"], stage["number"])
    quota = transcript.get("quota")
    quotas = [Decimal(s["quota"]) for s in stages if s.get("quota") is not None]
    top = max([Decimal(v) for s in stages for v in s["totals"].values()] + quotas, default=Decimal(0))
    top = top * Decimal("1.08") or Decimal(1)  # room for the quota line at the right
    rows = []
    for name in names:
        cells, previous = [], Decimal(0)
        for stage in stages:
            value = Decimal(stage["totals"].get(name, 0))
            change = value - previous if stage["number"] > 1 else Decimal(0)
            cells.append(
                {
                    "value": _fmt(value),
                    "change": ("+" if change > 0 else "") + _fmt(change) if change else "",
                    "elected": name in stage["elected_this_stage"],
                    "out": name in out_at and stage["number"] >= out_at[name],
                }
            )
            previous = value
        rows.append({"name": name, "cells": cells, "elected_at": elected_at.get(name), "out_at": out_at.get(name)})
    chart = []
    previous_totals: dict[str, Decimal] = {}
    for stage in stages:
        bars = []
        for name in names:
            value = Decimal(stage["totals"].get(name, 0))
            before = min(previous_totals.get(name, value if stage["number"] == 1 else Decimal(0)), value)
            if stage["number"] == 1:
                before = value
            bars.append(
                {
                    "name": name,
                    "value": _fmt(value),
                    "kept": float(before / top * 100),
                    "gained": float((value - before) / top * 100),
                    "lost": value < previous_totals.get(name, Decimal(0)),
                    "elected": name in elected_at and stage["number"] >= elected_at[name],
                    "out": name in out_at and stage["number"] >= out_at[name],
                }
            )
            previous_totals[name] = value
        stage_quota = stage.get("quota") if stage.get("quota") is not None else quota
        chart.append(
            {
                "number": stage["number"],
                "action": stage["action"],
                "candidate": stage["candidate"],
                "elected": stage["elected_this_stage"],
                "non_transferable": _fmt(stage["non_transferable"]),
                "quota": _fmt(stage_quota) if stage_quota is not None else None,
                "quota_at": float(Decimal(stage_quota) / top * 100) if stage_quota is not None else None,
                "bars": bars,
            }
        )
    return {"names": names, "rows": rows, "chart": chart, "numbers": [s["number"] for s in stages]}


def result_bars(transcript: dict) -> list[dict]:
    """Bars for a one-stage count (yes/no/abstain, approval): each option's votes and share of the valid ballots."""
    stage = transcript["stages"][0] if transcript["stages"] else {"totals": {}, "elected_this_stage": []}
    valid = Decimal(transcript["valid"]) or Decimal(1)
    return [
        {
            "name": name,
            "value": _fmt(value),
            "percent": float(Decimal(value) / valid * 100),
            "chosen": name in stage["elected_this_stage"],
        }
        for name, value in stage["totals"].items()
    ]


def body_of_group(*, group) -> Body | None:
    """The body that decides for `group` (a LocalGroup), or the movement-wide body for None."""
    if group is None:
        return Body.objects.filter(group__isnull=True).order_by("pk").first()
    return Body.objects.filter(group=group).first()
