"""The canvassing app's rows of the permission matrix for campaigns, register copies, register access, electors and
the register import (tests/people/test_permission_matrix.py explains roles, objects and outcomes). The matrix
module imports this one after defining Row, expect and the outcome constants.

Objects (world.extra, keyed ("campaign", label)): "A" a campaign run by group A (Derby), with a current register
copy of three electors in two households, and register access granted to the matrix's member of A (a canvasser:
they see the campaign and its electors, and manage nothing); "B" the same for group B (Bolton), without grants.
("copy", label) is each campaign's register copy, ("access", label) a live grant: A's to member_a, B's to B's
subject. "B via A" is B's copy or grant inside A's URL (editing the URL): those who may act on A find nothing
there (404); everyone else is stopped by A itself first (403 for member_a, who may see A; 404 for the rest).

Who sees what: a campaign is seen by the organisers of its host group and of the groups above it, by people
holding register access for it, and by administrators; others get 404 (its existence is not theirs to know).
Managing it (details, copies, grants, imports) and its results are for organisers and administrators. Electors are
for organisers and register access holders only: an administrator gets 403 until they grant themselves access
(audited).
"""

from django.urls import reverse

from groundgame.canvassing.models import RegisterAccess
from tests.people.test_permission_matrix import FORBIDDEN, LOGIN, NOT_FOUND, OK, REDIRECT, Row, expect

from .factories import AddressFactory, CampaignFactory, ContactRecordFactory, ElectorFactory, RegisterCopyFactory


def build(world) -> None:
    for label in ("A", "B"):
        campaign = CampaignFactory(host=world.groups[label], name=f"Campaign {label}", slug=f"campaign-{label.lower()}")
        campaign.constituencies.set([world.seat])
        copy = RegisterCopyFactory(campaign=campaign)
        first = AddressFactory(campaign=campaign, register_copy=copy)
        second = AddressFactory(campaign=campaign, register_copy=copy)
        for address in (first, first, second):
            ElectorFactory(campaign=campaign, address=address)
        ContactRecordFactory(elector=campaign.electors.first(), intention="Lab", issues=["housing"])  # for results
        world.extra["campaign", label] = campaign
        world.extra["copy", label] = copy
    world.extra["access", "A"] = RegisterAccess.objects.create(
        campaign=world.extra["campaign", "A"], person=world.users["member_a"].person
    )
    world.extra["access", "B"] = RegisterAccess.objects.create(
        campaign=world.extra["campaign", "B"], person=world.subjects["B"]
    )


def _campaign(name: str):
    return lambda w, o: reverse(name, args=[w.extra["campaign", o].slug])


def _within_a(name: str, kind: str):
    """A campaign's URL with one of its objects; "B via A": A's URL with B's object."""

    def path(w, o):
        campaign, thing = ("A", "B") if o == "B via A" else (o, o)
        return reverse(name, args=[w.extra["campaign", campaign].slug, w.extra[kind, thing].pk])

    return path


TOKEN = "0123456789abcdef0123456789abcdef"  # in nobody's session

# Seeing a campaign: its organisers (group and region), its register access holders, administrators.
VIEW = {
    "A": expect(LOGIN, OK, OK, OK, NOT_FOUND, NOT_FOUND, OK),
    "B": expect(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, OK),
}
# Managing it: organisers and administrators; a register access holder may see it but not manage it.
MANAGE = {
    "A": expect(LOGIN, FORBIDDEN, OK, OK, NOT_FOUND, NOT_FOUND, OK),
    "B": expect(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, OK),
}
MANAGE_OBJECT = {
    **MANAGE,
    "B via A": expect(LOGIN, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
}
MANAGE_WRITE = {
    "A": expect(LOGIN, FORBIDDEN, REDIRECT, REDIRECT, NOT_FOUND, NOT_FOUND, REDIRECT),
    "B": expect(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, REDIRECT, NOT_FOUND, REDIRECT),
    "B via A": expect(LOGIN, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
}
# Electors: organisers and register access holders only (administrators must grant themselves access first).
ELECTORS = {
    "A": expect(LOGIN, OK, OK, OK, NOT_FOUND, NOT_FOUND, FORBIDDEN),
    "B": expect(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, FORBIDDEN),
}
# Results (aggregates): those who run the campaign, as MANAGE. The API (session auth) answers 401 when signed out.
RESULTS_API = {
    "A": expect(401, FORBIDDEN, OK, OK, NOT_FOUND, NOT_FOUND, OK),
    "B": expect(401, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, OK),
}
# An upload in nobody's session: 404 to whoever may import into A; 403 to A's canvasser; 404 to those who can't see A.
ANOTHERS_UPLOAD = {"another's upload": expect(LOGIN, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)}

ROWS: dict = {
    # The campaigns page: whoever organises a group, holds register access, or administers.
    "canvassing:campaigns": Row(
        "GET", lambda w, o: reverse("canvassing:campaigns"), {"-": expect(LOGIN, OK, OK, OK, OK, FORBIDDEN, OK)}
    ),
    "canvassing:campaign_create": Row(
        "GET",
        lambda w, o: reverse("canvassing:campaign_create"),
        {"-": expect(LOGIN, FORBIDDEN, OK, OK, OK, FORBIDDEN, OK)},
    ),
    "canvassing:campaign": Row("GET", _campaign("canvassing:campaign"), VIEW),
    "canvassing:campaign_edit": Row("GET", _campaign("canvassing:campaign_edit"), MANAGE),
    "canvassing:register_copies": Row("GET", _campaign("canvassing:register_copies"), MANAGE),
    "canvassing:register_copy_edit": Row("GET", _within_a("canvassing:register_copy_edit", "copy"), MANAGE_OBJECT),
    "canvassing:register_copy_delete": Row("GET", _within_a("canvassing:register_copy_delete", "copy"), MANAGE_OBJECT),
    "canvassing:register_access": Row("GET", _campaign("canvassing:register_access"), MANAGE),
    "canvassing:register_access_revoke": Row(
        "POST", _within_a("canvassing:register_access_revoke", "access"), MANAGE_WRITE
    ),
    "canvassing:electors": Row("GET", _campaign("canvassing:electors"), ELECTORS),
    "canvassing:register_upload": Row("GET", _campaign("canvassing:register_upload"), MANAGE),
    "canvassing:results": Row("GET", _campaign("canvassing:results"), MANAGE),
    "api:canvass_results": Row("GET", _campaign("api:canvass_results"), RESULTS_API),
    **{
        name: Row(
            method,
            lambda w, o, name=name: reverse(name, args=[w.extra["campaign", "A"].slug, TOKEN]),
            ANOTHERS_UPLOAD,
        )
        for name, method in [
            ("canvassing:register_mapping", "GET"),
            ("canvassing:register_check", "GET"),
            ("canvassing:register_commit", "POST"),
            ("canvassing:register_discard", "POST"),
        ]
    },
}
