"""Who may do what in canvassing, declared once with `rules`, on top of the people app's predicates.

- A campaign's organisers are the organisers of its host group and of the groups above it (an organiser of a
  group organises every group below it: people.rules). They see and change the campaign, import register copies,
  grant and revoke register access, and see electors.
- Register access: the register is controlled data. Electors are seen by the campaign's organisers and by people
  holding a live (unrevoked) `RegisterAccess` grant for that campaign, nobody else. Administrators run the
  platform and may manage any campaign (its copies and grants) but see electors only through a grant, which they
  may give themselves: that leaves an audit row, as every grant does.

Object checks take a campaign. For creating one, `canvassing.create_campaign` takes the host group.

The predicates are for the other canvassing modules too (walk lists, the phone app):

    from groundgame.canvassing.rules import may_see_electors, organises_campaign
    if not may_see_electors(request.user, campaign): raise PermissionDenied
"""

import rules
from django.db.models import Q

from groundgame.people.rules import (
    is_administrator,
    is_organiser_anywhere,
    organised_group_ids,
    organises_group,
    person_of,
)

from .models import Campaign, RegisterAccess


def live_grant_campaign_ids(user) -> frozenset[int]:
    """Ids of the campaigns the user holds a live register access grant for (cached on the user object)."""
    cached = getattr(user, "_groundgame_register_grants", None)
    if cached is not None:
        return cached
    person = person_of(user)
    ids: frozenset[int] = frozenset()
    if person is not None:
        ids = frozenset(
            RegisterAccess.objects.filter(person=person, revoked_at__isnull=True).values_list("campaign_id", flat=True)
        )
    if user is not None and user.is_authenticated:
        user._groundgame_register_grants = ids
    return ids


def forget_cached_grants(user) -> None:
    """Drop the per-request cache (after a grant or revocation in the same request)."""
    if user is not None and hasattr(user, "_groundgame_register_grants"):
        del user._groundgame_register_grants


@rules.predicate
def organises_campaign(user, campaign: Campaign) -> bool:
    """An organiser of the campaign's host group, or of a group above it."""
    return campaign is not None and campaign.host_id in organised_group_ids(user)


@rules.predicate
def has_register_access(user, campaign: Campaign) -> bool:
    """Holds a live RegisterAccess grant for the campaign."""
    return campaign is not None and campaign.pk in live_grant_campaign_ids(user)


may_see_electors = organises_campaign | has_register_access
"""The register's gate: organisers of the campaign, and people granted register access for it."""

runs_campaign = organises_campaign | is_administrator
"""Manage the campaign: its details, register copies and imports, grants."""


def campaign_q(user) -> Q:
    """A filter on Campaign for the campaigns the user may see: runs, or holds register access for (all for
    administrators)."""
    if is_administrator(user):
        return Q()
    return Q(host_id__in=organised_group_ids(user)) | Q(pk__in=live_grant_campaign_ids(user))


@rules.predicate
def canvasses_anywhere(user) -> bool:
    """Holds a live register access grant for some campaign."""
    return bool(live_grant_campaign_ids(user))


# A campaign
rules.add_perm("canvassing.view_campaign", runs_campaign | has_register_access)
rules.add_perm("canvassing.change_campaign", runs_campaign)
rules.add_perm("canvassing.manage_register", runs_campaign)  # copies, imports, deletion
rules.add_perm("canvassing.manage_register_access", runs_campaign)
rules.add_perm("canvassing.view_electors", may_see_electors)
# A host group
rules.add_perm("canvassing.create_campaign", organises_group | is_administrator)
# The campaigns page (and the nav link): organisers, administrators, and people granted register access.
rules.add_perm("canvassing.use_canvassing", is_organiser_anywhere | is_administrator | canvasses_anywhere)
