"""What the canvasser app's tests share: a ready walk list with doors and electors, a canvasser allowed to claim it,
and a claimed list with its token (tests/canvassing/test_access.py, test_sync.py, test_api.py, the browser test and
bench/sync_ingest.py)."""

import datetime
import uuid
from dataclasses import dataclass

from django.utils import timezone

from groundgame.canvassing import access, sync
from groundgame.canvassing.models import Campaign, Survey, WalkList
from groundgame.people.models import Membership, Person
from tests.canvassing.factories import (
    CampaignFactory,
    ElectorFactory,
    RegisterAccessFactory,
    SurveyFactory,
    WalkListFactory,
    WalkListStopFactory,
)
from tests.people.factories import MembershipFactory, PersonWithUserFactory


@dataclass
class Claimed:
    walk_list: WalkList
    token: str
    canvasser: Person
    survey: Survey

    @property
    def campaign(self) -> Campaign:
        return self.walk_list.campaign

    @property
    def doors(self) -> list:
        return [stop.address for stop in self.walk_list.stops.select_related("address").order_by("position")]

    def headers(self) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}


def canvasser_for(campaign: Campaign, **person) -> Person:
    """An active member of the campaign's host group holding register access for the campaign."""
    member = MembershipFactory(
        group=campaign.host, person=PersonWithUserFactory(**person), role=Membership.Role.CANVASSER
    )
    RegisterAccessFactory(campaign=campaign, person=member.person)
    return member.person


def ready_walk_list(*, doors: int = 5, electors_per_door: int = 2, campaign: Campaign | None = None) -> WalkList:
    campaign = campaign or CampaignFactory()
    walk_list = WalkListFactory(campaign=campaign, status=WalkList.Status.READY)
    for position in range(1, doors + 1):
        stop = WalkListStopFactory(walk_list=walk_list, position=position)
        for _ in range(electors_per_door):
            ElectorFactory(campaign=campaign, address=stop.address)
    return walk_list


def claimed_walk_list(*, doors: int = 5, electors_per_door: int = 2, campaign: Campaign | None = None) -> Claimed:
    sync.clear_caches()  # rolled-back tests may reuse primary keys (SQLite)
    walk_list = ready_walk_list(doors=doors, electors_per_door=electors_per_door, campaign=campaign)
    survey = SurveyFactory(campaign=walk_list.campaign)
    canvasser = canvasser_for(walk_list.campaign)
    token = access.walk_list_claim(walk_list=walk_list, person=canvasser, acting=canvasser.user)
    walk_list.refresh_from_db()
    return Claimed(walk_list=walk_list, token=token, canvasser=canvasser, survey=survey)


def record(claimed: Claimed, *, door: int = 0, elector: int | None = None, **fields) -> dict:
    """A record as the phone makes it: "not in" at door `door`, or about its `elector`-th elector."""
    address = claimed.doors[door]
    body = {
        "id": str(uuid.uuid4()),
        "address": str(address.uuid),
        "elector": None,
        "survey": claimed.survey.version,
        "recorded_at": (timezone.now() - datetime.timedelta(minutes=5)).isoformat(),
        "outcome": "not_in",
    }
    if elector is not None:
        body["elector"] = str(address.electors.order_by("number")[elector].uuid)
        body.update(outcome="spoke", intention="Lab", certainty=4, issues=["nhs"])
    body.update(fields)
    return body
