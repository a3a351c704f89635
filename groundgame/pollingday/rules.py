"""Who may do what on polling day, declared once with `rules`, on top of canvassing's predicates.

- Running the day (the plan, stations, committee rooms, promises, knock-up rounds, the dashboard, rehearsal or
  live): the campaign's organisers and administrators (canvassing.rules.runs_campaign). The dashboard shows counts,
  never names.
- Seeing electors (knock-up lists, lifts with names and doors): canvassing.rules.may_see_electors, the register's
  gate: the campaign's organisers and people holding register access.
- Telling at a station: the same people, and active members of the campaign's host group (a teller only sends
  numbers; the answer says whether a number is on the register, nothing more).

Object checks take a campaign.
"""

import rules

from groundgame.canvassing.rules import may_see_electors, runs_campaign
from groundgame.people.rules import is_active_member_of


@rules.predicate
def is_host_member(user, campaign) -> bool:
    return campaign is not None and is_active_member_of(user, campaign.host)


rules.add_perm("pollingday.run", runs_campaign)
rules.add_perm("pollingday.knock_up", may_see_electors)
rules.add_perm("pollingday.tell", may_see_electors | is_host_member)
