"""The phone's access to one walk list: claimed with a random token, only its SHA-256 kept, expiring, revocable.

A canvasser opens the walk list's link (or its QR code) while signed in and taps "Start": `walk_list_claim` makes a
token, stores its hash on the list and hands the token to the canvasser app once (in the URL fragment of a redirect,
never in a query string or a log). From then on the phone reaches that list, and only that list, with
`Authorization: Bearer <token>` (groundgame/canvassing/api.py), until the token

- expires (`TOKEN_LIFETIME` after the claim): downloads are refused at once (410); records recorded offline may still
  be synced for `SYNC_GRACE` longer, so that a long shift does not lose its last doors;
- is released: by the canvasser handing the list back, or by an organiser revoking it (410);
- is replaced: a new claim of the same list (from another phone) makes the old token unknown (401).

On 401 or 410 the app wipes what it holds for that list.

Who may claim (`may_claim`): the campaign's organisers; otherwise only people holding register access for the campaign
(the register is controlled data: rules.may_see_electors) and then, for a list assigned to someone, that person;
for an unassigned list, an active member of the campaign's host group. A list out with someone else (a live claim)
can be taken over only by the campaign's organisers.
"""

import datetime
import hashlib
import secrets
from dataclasses import dataclass
from typing import Literal

from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from groundgame.core.audit import audit_record
from groundgame.people.models import Person
from groundgame.people.rules import is_active_member_of, person_of

from .models import WalkList
from .rules import has_register_access, organises_campaign

TOKEN_LIFETIME = datetime.timedelta(hours=12)
SYNC_GRACE = datetime.timedelta(hours=24)
TOKEN_BYTES = 32  # 43 URL-safe characters

Reason = Literal["unknown", "expired", "released"]


class AccessRefused(Exception):
    """A token that does not (or no longer) open a walk list. `reason` says which: "unknown" (never issued, or
    replaced by a newer claim), "expired" or "released"; the API answers 401 for the first, 410 for the others."""

    def __init__(self, reason: Reason, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


class ClaimRefused(ValueError):
    """The list cannot be claimed now (not ready, done, or out with someone else)."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_live(walk_list: WalkList, *, now: datetime.datetime | None = None) -> bool:
    """Claimed, not released, not expired."""
    now = now or timezone.now()
    return (
        walk_list.status == WalkList.Status.CLAIMED
        and walk_list.released_at is None
        and walk_list.token_expires_at is not None
        and walk_list.token_expires_at > now
    )


def may_claim(user, walk_list: WalkList) -> bool:
    """Whether the signed-in `user` may open `walk_list` on their phone (see the module docstring)."""
    return claim_rights(user, walk_list.campaign).allows(walk_list)


@dataclass(frozen=True)
class ClaimRights:
    """What a user may claim in one campaign, worked out once (a page listing many walk lists asks for each)."""

    person_id: int | None
    organiser: bool = False
    register_access: bool = False
    member_of_host: bool = False

    def allows(self, walk_list: WalkList) -> bool:
        if self.person_id is None:
            return False
        if self.organiser:
            return True
        if not self.register_access:
            return False
        if walk_list.assigned_to_id is not None:
            return walk_list.assigned_to_id == self.person_id
        return self.member_of_host


def claim_rights(user, campaign) -> ClaimRights:
    person = person_of(user)
    if person is None:
        return ClaimRights(person_id=None)
    if organises_campaign(user, campaign):
        return ClaimRights(person_id=person.pk, organiser=True)
    if not has_register_access(user, campaign):
        return ClaimRights(person_id=person.pk)
    return ClaimRights(
        person_id=person.pk, register_access=True, member_of_host=is_active_member_of(user, campaign.host)
    )


def walk_lists_to_claim(user, campaign) -> list[WalkList]:
    """The campaign's ready or claimed walk lists the user may open on a phone, with `door_count` (two queries)."""
    rights = claim_rights(user, campaign)
    if rights.person_id is None or not (rights.organiser or rights.register_access):
        return []
    lists = (
        WalkList.objects.filter(campaign=campaign, status__in=[WalkList.Status.READY, WalkList.Status.CLAIMED])
        .select_related("polling_district")
        .annotate(door_count=Count("stops"))
        .order_by("polling_district__code", "name")
    )
    return [w for w in lists if rights.allows(w)]


def claim_problem(walk_list: WalkList, *, person: Person, organiser: bool) -> str | None:
    """Why `person` cannot claim the list now, or None. Organisers may take over a list out with someone else."""
    if walk_list.status == WalkList.Status.DRAFT:
        return _("This walk list is still a draft: ask an organiser to make it ready.")
    if walk_list.status == WalkList.Status.DONE:
        return _("This walk list is marked done: ask an organiser to reopen it.")
    if is_live(walk_list) and walk_list.claimed_by_id not in (None, person.pk) and not organiser:
        return _("Someone else is working this walk list: ask an organiser to release it.")
    return None


@transaction.atomic
def walk_list_claim(*, walk_list: WalkList, person: Person, acting) -> str:
    """Claim `walk_list` for `person`'s phone; returns the token (shown once, never stored). Any earlier token of
    the list stops working. Permission (`may_claim`) is the caller's to check; this checks the list's state."""
    walk_list = WalkList.objects.select_for_update().select_related("campaign").get(pk=walk_list.pk)
    problem = claim_problem(
        walk_list, person=person, organiser=organises_campaign(acting_user(acting), walk_list.campaign)
    )
    if problem:
        raise ClaimRefused(problem)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = timezone.now()
    walk_list.token_sha256 = token_hash(token)
    walk_list.claimed_by = person
    walk_list.claimed_at = now
    walk_list.token_expires_at = now + TOKEN_LIFETIME
    walk_list.released_at = None
    walk_list.status = WalkList.Status.CLAIMED
    walk_list.full_clean()
    walk_list.save(
        update_fields=["token_sha256", "claimed_by", "claimed_at", "token_expires_at", "released_at", "status"]
    )
    audit_record(
        actor=acting,
        action="walk_list.claim",
        target=walk_list,
        fields=["claimed_by", "claimed_at", "token_sha256", "token_expires_at"],
    )
    return token


def acting_user(acting):
    """The user behind `acting` (a user, or a person with an account) for permission checks."""
    if acting is None:
        return None
    if isinstance(acting, Person):
        return acting.user
    return acting


@transaction.atomic
def walk_list_release(*, walk_list: WalkList, acting, done: bool = False, reason: str = "") -> WalkList:
    """Hand the list back (the canvasser) or revoke the phone's access (an organiser): the token stops working and
    the phone wipes the list. `done` marks the list worked. Releasing a list that is not out does nothing."""
    walk_list = WalkList.objects.select_for_update().get(pk=walk_list.pk)
    if walk_list.status != WalkList.Status.CLAIMED:
        return walk_list
    walk_list.released_at = timezone.now()
    walk_list.status = WalkList.Status.DONE if done else WalkList.Status.READY
    # The hash stays, so that the phone hears "released" (410) rather than "unknown" (401); a new claim replaces it.
    walk_list.save(update_fields=["released_at", "status"])
    audit_record(
        actor=acting, action="walk_list.release", target=walk_list, fields=["released_at", "status"], reason=reason
    )
    return walk_list


def walk_list_for_token(token: str, *, purpose: Literal["read", "sync"] = "read") -> WalkList:
    """The walk list `token` opens; AccessRefused otherwise. For `purpose="read"` with its campaign and polling
    district; for `purpose="sync"` with `claimant_user_id` (sync.py's audit actor), and an expired token still works
    for `SYNC_GRACE` (records made offline before the expiry)."""
    if not token or len(token) > 100:
        raise AccessRefused("unknown", _("No walk list opens with this key."))
    found = WalkList.objects.filter(token_sha256=token_hash(token)).order_by()
    if purpose == "read":  # the download shows the campaign and the district
        found = found.select_related("campaign", "polling_district")
    else:  # a sync, up to a few a second per phone: one lean query, with the claimant's account for the audit row
        found = found.annotate(claimant_user_id=F("claimed_by__user_id"))
    walk_list = next(iter(found[:1]), None)
    if walk_list is None:
        raise AccessRefused("unknown", _("No walk list opens with this key: it was replaced or never issued."))
    if walk_list.released_at is not None or walk_list.status != WalkList.Status.CLAIMED:
        raise AccessRefused("released", _("This walk list was handed back or its access was revoked."))
    now = timezone.now()
    if walk_list.token_expires_at is None or walk_list.token_expires_at <= now:
        in_grace = walk_list.token_expires_at is not None and now < walk_list.token_expires_at + SYNC_GRACE
        if not (purpose == "sync" and in_grace):
            raise AccessRefused("expired", _("Access to this walk list has expired."))
    return walk_list
