"""Who may do what in member democracy, declared once with `rules`.

- Running a body's ballots and moving its motions along: organisers of the body's group (or an ancestor),
  administrators; the whole movement's body: administrators only.
- Voting: a person on the ballot's frozen roll (checked by the service too).
"""

import rules

from groundgame.people.rules import is_administrator, organised_group_ids, person_of

from .models import Ballot, Body, RollEntry


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


rules.add_perm("democracy.manage_body", organises_body | is_administrator)
rules.add_perm("democracy.manage_ballot", organises_ballot_body | is_administrator)
rules.add_perm("democracy.vote", is_on_roll)
rules.add_perm("democracy.view_result", rules.is_authenticated)
