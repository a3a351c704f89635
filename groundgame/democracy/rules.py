"""Who may do what in member democracy, declared once with `rules`.

- Running a body's ballots, moderating its comments: organisers of the body's group (or an ancestor),
  administrators; the whole movement's body: administrators only.
- Taking part (proposing, supporting and amending motions, commenting): a person who may vote in the body now
  (selectors.eligible_people: a member of its group, or a group below, for the body's `membership_days`).
- Seeing bodies, submitted motions and ballots: anyone signed in. A draft motion: its proposer and the body's
  organisers. A draft ballot: the body's organisers. Results and everything needed to check them (the ballot
  file, the transcript, the published box, the receipt lookup): everyone, once the ballot has closed.
- Accepting an amendment or sending it to a vote: the motion's mover (its proposer).
- Voting: a person on the ballot's frozen roll (checked by the service too).
"""

import rules
from django.utils import timezone

from groundgame.people.rules import is_administrator, organised_group_ids, person_of

from .models import Amendment, Ballot, Body, Comment, Motion, RollEntry
from .selectors import eligible_people


@rules.predicate
def organises_body(user, body: Body) -> bool:
    return body is not None and body.group_id is not None and body.group_id in organised_group_ids(user)


@rules.predicate
def organises_ballot_body(user, ballot: Ballot) -> bool:
    return ballot is not None and organises_body(user, ballot.body)


@rules.predicate
def is_on_roll(user, ballot: Ballot) -> bool:
    person = person_of(user)
    return person is not None and ballot is not None and RollEntry.objects.filter(ballot=ballot, person=person).exists()


def _body_of(obj) -> Body | None:
    if isinstance(obj, Body):
        return obj
    if isinstance(obj, Motion | Ballot):
        return obj.body
    if isinstance(obj, Amendment | Comment):
        return obj.motion.body
    return None


@rules.predicate
def takes_part_in(user, obj) -> bool:
    """The user may vote in the body of `obj` (a body, motion, amendment or comment) now."""
    person, body = person_of(user), _body_of(obj)
    if person is None or body is None:
        return False
    cache = user.__dict__.setdefault("_groundgame_democracy_member", {})
    if body.pk not in cache:
        cache[body.pk] = eligible_people(body=body, at=timezone.now()).filter(pk=person.pk).exists()
    return cache[body.pk]


@rules.predicate
def manages(user, obj) -> bool:
    body = _body_of(obj)
    return body is not None and (organises_body(user, body) or is_administrator(user))


@rules.predicate
def proposed_motion(user, motion: Motion) -> bool:
    person = person_of(user)
    return person is not None and motion is not None and motion.proposer_id == person.pk


@rules.predicate
def moves_amended_motion(user, amendment: Amendment) -> bool:
    return amendment is not None and proposed_motion(user, amendment.motion)


@rules.predicate
def motion_submitted(user, motion: Motion) -> bool:
    return motion is not None and motion.status != Motion.Status.DRAFT


@rules.predicate
def ballot_published(user, ballot: Ballot) -> bool:
    return ballot is not None and ballot.status != Ballot.Status.DRAFT


@rules.predicate
def ballot_closed(user, ballot: Ballot) -> bool:
    return ballot is not None and ballot.status == Ballot.Status.CLOSED


rules.add_perm("democracy.manage_body", organises_body | is_administrator)
rules.add_perm("democracy.manage_ballot", organises_ballot_body | is_administrator)
rules.add_perm("democracy.vote", is_on_roll)
rules.add_perm("democracy.view_result", ballot_closed)
rules.add_perm("democracy.view_body", rules.is_authenticated)
rules.add_perm("democracy.view_motion", rules.is_authenticated & (motion_submitted | proposed_motion | manages))
rules.add_perm("democracy.view_ballot", rules.is_authenticated & (ballot_published | manages))
rules.add_perm("democracy.propose_motion", takes_part_in)
rules.add_perm("democracy.submit_motion", proposed_motion)
rules.add_perm("democracy.support_motion", takes_part_in)
rules.add_perm("democracy.amend_motion", takes_part_in)
rules.add_perm("democracy.decide_amendment", moves_amended_motion)
rules.add_perm("democracy.comment", takes_part_in)
rules.add_perm("democracy.moderate", manages)
