"""The canvassing app's walk list rows of the permission matrix (tests/people/test_permission_matrix.py explains roles,
objects and outcomes): build(world) adds a campaign of each of groups A and B, with a polling district of a few
doors cut into two draft lists, to world.extra; ROWS maps the walk list URL names (walklist_views.py) to Rows.

Who: the campaign's organisers (the host group's and its region's) and administrators. Everyone else who is signed
in gets 404: a campaign they may not see at all (canvassing.view_campaign) is not theirs to know of; anonymous
visitors are sent to sign in. Writes answer with a redirect back to the page, whatever the service said.
"""

from django.urls import reverse

from groundgame.canvassing import walklists
from groundgame.canvassing.models import Address
from tests.canvassing.factories import CampaignFactory, current_copy, district_of
from tests.people.test_permission_matrix import LOGIN, NOT_FOUND, OK, REDIRECT, Row, expect

READ = {
    "A": expect(LOGIN, NOT_FOUND, OK, OK, NOT_FOUND, NOT_FOUND, OK),
    "B": expect(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, OK),
}
WRITE = {
    "A": expect(LOGIN, NOT_FOUND, REDIRECT, REDIRECT, NOT_FOUND, NOT_FOUND, REDIRECT),
    "B": expect(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, REDIRECT, NOT_FOUND, REDIRECT),
}


def build(world) -> None:
    for key, group in world.groups.items():
        campaign = CampaignFactory(host=group, slug=f"walk-{key.lower()}")
        district = district_of(campaign, "AA1")
        copy = current_copy(campaign)
        Address.objects.bulk_create(
            Address(
                campaign=campaign,
                polling_district=district,
                register_copy=copy,
                key=f"{n}|Mill Lane",
                house_number=n,
                street="Mill Lane" if n < 5 else "Oak Close",
                latitude=52.92 + n * 1e-4,
                longitude=-1.48,
                location_quality=Address.LocationQuality.POSTCODE,
            )
            for n in range(1, 9)
        )
        first, second = walklists.walk_lists_cut(
            campaign=campaign, polling_districts=district, target_size=5, acting=None
        )
        world.extra["walk_campaign", key] = campaign
        world.extra["walk_list", key] = first
        world.extra["walk_list_other", key] = second


def _campaign(w, o) -> str:
    return w.extra["walk_campaign", o].slug


def _list_url(name: str):
    return lambda w, o: reverse(name, args=[_campaign(w, o), w.extra["walk_list", o].uuid])


ROWS = {
    "canvassing:walklists": Row("GET", lambda w, o: reverse("canvassing:walklists", args=[_campaign(w, o)]), READ),
    "canvassing:walklists_district": Row(
        "GET", lambda w, o: reverse("canvassing:walklists_district", args=[_campaign(w, o), "AA1"]), READ
    ),
    "canvassing:walklists_cut": Row(
        "POST",
        lambda w, o: reverse("canvassing:walklists_cut", args=[_campaign(w, o), "AA1"]),
        WRITE,
        data=lambda w, o: {"target_size": "20"},
    ),
    "canvassing:walklist": Row("GET", _list_url("canvassing:walklist"), READ),
    "canvassing:walklist_pdf": Row("GET", _list_url("canvassing:walklist_pdf"), READ),
    "canvassing:walklist_merge": Row(
        "POST",
        _list_url("canvassing:walklist_merge"),
        WRITE,
        data=lambda w, o: {"other": str(w.extra["walk_list_other", o].uuid)},
    ),
    "canvassing:walklist_split": Row(
        "POST", _list_url("canvassing:walklist_split"), WRITE, data=lambda w, o: {"position": "2"}
    ),
    "canvassing:walklist_assign": Row(
        "POST",
        _list_url("canvassing:walklist_assign"),
        WRITE,
        data=lambda w, o: {"person": str(w.subjects[o].pk), "session": ""},
    ),
    "canvassing:walklist_ready": Row(
        "POST", _list_url("canvassing:walklist_ready"), WRITE, data=lambda w, o: {"ready": "1"}
    ),
    "canvassing:walklist_release": Row("POST", _list_url("canvassing:walklist_release"), WRITE),
}
