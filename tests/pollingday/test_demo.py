"""The polling-day demo: the demo campaign in rehearsal with promises, two committee rooms and a first round."""

import pytest

from groundgame.pollingday import selectors
from groundgame.pollingday.models import KnockUpRound, Promise

pytestmark = pytest.mark.django_db


@pytest.mark.realdata
def test_the_demo_sets_up_polling_day_in_rehearsal_for_the_demo_campaign(reference_db):
    from groundgame.canvassing import demo as canvassing_demo
    from groundgame.people import demo as people_demo
    from groundgame.pollingday import demo

    people_demo.seed(password="demo-password-for-tests")
    campaign, _created = canvassing_demo.seed(electors=600)
    plan = demo.seed()
    assert plan.campaign == campaign and plan.rehearsal
    assert plan.committee_rooms.count() == 2
    promises = set(Promise.objects.filter(plan=plan).values_list("elector_id", flat=True))
    assert promises and promises == set(selectors.electors_meeting_rule(plan))
    assert KnockUpRound.objects.filter(committee_room__plan=plan).count() == 2
    assert demo.seed() == plan and KnockUpRound.objects.filter(committee_room__plan=plan).count() == 2  # idempotent
