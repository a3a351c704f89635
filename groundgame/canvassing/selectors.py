"""Reads that cross models or depend on who is asking. Electors and households are reached only through
`electors_for` / `households_for`, which check the register gate (rules.may_see_electors) themselves: a view that
forgets its own check still cannot list the register."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q, QuerySet

from groundgame.people.models import LocalGroup, Membership, Person
from groundgame.people.rules import is_administrator, organised_group_ids

from .models import Address, Campaign, ContactRecord, Elector, PollingDistrict, RegisterAccess, RegisterCopy, Survey
from .rules import campaign_q, may_see_electors


def campaigns_for(*, user) -> QuerySet[Campaign]:
    """The campaigns the user may see: those run by groups they organise (directly or from above), those they hold
    register access for, every one for administrators. Soonest polling day first."""
    if not user.is_authenticated:
        return Campaign.objects.none()
    return Campaign.objects.filter(campaign_q(user)).select_related("host").order_by("polling_date", "name").distinct()


def campaign_by_slug(*, user, slug: str) -> Campaign | None:
    """The campaign with this slug if the user may see it (None otherwise: its existence is not theirs to know)."""
    return campaigns_for(user=user).filter(slug=slug).first()


def host_groups_for(*, user) -> QuerySet[LocalGroup]:
    """Groups the user may create a campaign for: those they organise (every group for administrators)."""
    if is_administrator(user):
        return LocalGroup.objects.order_by("name")
    return LocalGroup.objects.filter(pk__in=organised_group_ids(user)).order_by("name")


@dataclass(frozen=True)
class RegisterOverview:
    """What the campaign page says about the register (counts only)."""

    current: RegisterCopy | None
    copies: int
    electors: int
    households: int
    polling_districts: int
    postal_voters: int
    grants: int


def register_overview(*, campaign: Campaign) -> RegisterOverview:
    current = RegisterCopy.objects.filter(campaign=campaign).current().first()
    electors = Elector.objects.filter(campaign=campaign).on_register()
    counts = electors.aggregate(n=Count("pk"), postal=Count("pk", filter=Q(postal_voter=True)))
    return RegisterOverview(
        current=current,
        copies=RegisterCopy.objects.filter(campaign=campaign).count(),
        electors=counts["n"],
        households=Address.objects.filter(campaign=campaign).count(),
        polling_districts=PollingDistrict.objects.filter(campaign=campaign).count(),
        postal_voters=counts["postal"],
        grants=RegisterAccess.objects.filter(campaign=campaign, revoked_at__isnull=True).count(),
    )


def register_copies(*, campaign: Campaign) -> QuerySet[RegisterCopy]:
    return RegisterCopy.objects.filter(campaign=campaign).order_by("-published_on", "-imported_at")


def register_access_rows(*, campaign: Campaign) -> QuerySet[RegisterAccess]:
    """Every grant of the campaign, live ones first, with the person."""
    return (
        RegisterAccess.objects.filter(campaign=campaign)
        .select_related("person")
        .order_by(F("revoked_at").desc(nulls_first=True), "-granted_at")
    )


def grantable_people(*, campaign: Campaign) -> QuerySet[Person]:
    """People who may be given register access: active members of the host group or of a group below it, not
    erased, without a live grant already."""
    groups = LocalGroup.objects.subtree_of(campaign.host)
    members = Membership.objects.active().filter(group__in=groups).values("person_id")
    live = RegisterAccess.objects.filter(campaign=campaign, revoked_at__isnull=True).values("person_id")
    return (
        Person.objects.not_erased()
        .filter(pk__in=members)
        .exclude(pk__in=live)
        .order_by("first_name", "last_name", "pk")
    )


def electors_for(*, user, campaign: Campaign) -> QuerySet[Elector]:
    """The campaign's electors on the current register, for someone who may see them (PermissionDenied
    otherwise), in register order with their household and polling district."""
    if not may_see_electors(user, campaign):
        raise PermissionDenied
    return (
        Elector.objects.filter(campaign=campaign)
        .on_register()
        .select_related("address", "polling_district")
        .order_by("polling_district__code", "number", "suffix")
    )


def households_for(*, user, campaign: Campaign, polling_district: PollingDistrict | None = None) -> QuerySet[Address]:
    """The campaign's households (PermissionDenied unless the user may see electors)."""
    if not may_see_electors(user, campaign):
        raise PermissionDenied
    addresses = Address.objects.filter(campaign=campaign)
    if polling_district is not None:
        addresses = addresses.filter(polling_district=polling_district)
    return addresses.order_by("polling_district__code", "street", "house_number", "house_suffix", "flat")


def polling_districts_for(*, campaign: Campaign) -> QuerySet[PollingDistrict]:
    """The campaign's polling districts with their elector and household counts (no personal data)."""
    return (
        PollingDistrict.objects.filter(campaign=campaign)
        .annotate(
            elector_count=Count("electors", filter=Q(electors__removed_at__isnull=True), distinct=True),
            household_count=Count("addresses", distinct=True),
        )
        .order_by("code")
    )


def latest_survey(*, campaign: Campaign) -> Survey | None:
    return Survey.objects.filter(campaign=campaign).order_by("-version").first()


def copies_to_report(*, today: datetime.date, days_ahead: int) -> QuerySet[RegisterCopy]:
    """Live register copies whose delete-by date falls within `days_ahead` days of `today` (or has passed)."""
    return RegisterCopy.objects.live().filter(delete_by__lte=today + datetime.timedelta(days=days_ahead))


def doorstep_notes(*, groups, limit: int = 5000) -> list[tuple]:
    """(notes, polling district code, campaign name, recorded_at) of non-empty, unredacted contact records from
    campaigns hosted by `groups` (None: every campaign), newest first: what canvassers heard, for listening's themes."""
    records = ContactRecord.objects.exclude(notes="").filter(redacted_at__isnull=True)
    if groups is not None:
        records = records.filter(campaign__host__in=groups)
    rows = records.order_by("-recorded_at").values_list(
        "notes", "polling_district__code", "campaign__name", "recorded_at"
    )
    return list(rows[:limit])
