"""Promises, knock-up rounds, marks and lifts, rehearsal and going live, and the dashboard's counts."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from groundgame.canvassing.models import ContactRecord, Elector
from groundgame.core.models import AuditEvent
from groundgame.pollingday import selectors, services, telling
from groundgame.pollingday.models import KnockUpList, KnockUpMark, KnockUpStop, PollingLift, Promise

from .world import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build(districts=2, electors=120, volunteers=3)


def test_promises_are_the_electors_whose_latest_record_meets_the_rule(world):
    plan = world.plan
    promised = set(Promise.objects.filter(plan=plan).values_list("elector_id", flat=True))
    latest = {r.elector_id: r for r in ContactRecord.objects.filter(campaign=world.campaign).order_by("recorded_at")}
    assert promised == {e for e, r in latest.items() if r.intention == "Lab" and r.certainty >= 4}
    assert promised  # the world has some
    # A later record that says otherwise removes the promise; a new strong one adds one.
    lost = next(iter(promised))
    gained = next(e for e, r in latest.items() if e not in promised)
    for elector_id, intention, certainty in ((lost, "Con", 3), (gained, "Lab", 5)):
        elector = Elector.objects.get(pk=elector_id)
        ContactRecord.objects.create(
            id=uuid.uuid4(), campaign=world.campaign, elector=elector, address=elector.address,
            polling_district=elector.polling_district, survey=world.campaign.surveys.first(),
            recorded_at=timezone.now(), outcome="spoke", intention=intention, certainty=certainty,
        )  # fmt: skip
    counts = services.promises_refresh(plan=plan, acting=None)
    assert (counts["added"], counts["removed"]) == (1, 1)
    now = set(Promise.objects.filter(plan=plan).values_list("elector_id", flat=True))
    assert now == (promised - {lost}) | {gained}
    postal = set(Promise.objects.filter(plan=plan, postal=True).values_list("elector_id", flat=True))
    assert postal == set(Elector.objects.filter(pk__in=now, postal_voter=True).values_list("pk", flat=True))


def test_a_knock_up_round_lists_promises_at_stations_not_yet_voted_in_walking_order(world):
    plan = world.plan
    room = plan.committee_rooms.order_by("pk").first()
    districts = set(room.arrangements.values_list("district_id", flat=True))
    first = services.knock_up_round_create(committee_room=room, acting=None)
    doors = set(KnockUpStop.objects.filter(knock_up_list__round=first).values_list("address_id", flat=True))
    wanted = set(
        Promise.objects.filter(plan=plan, postal=False, district_id__in=districts).values_list("address_id", flat=True)
    )
    assert doors == wanted
    for knock_up_list in first.lists.all():
        positions = list(knock_up_list.stops.order_by("position").values_list("position", flat=True))
        assert positions == list(range(1, len(positions) + 1))
        assert len(positions) <= plan.knock_up_list_size * 1.5
    # Voters told at a station, or marked voted, leave the next round; so does a promise waiting for a lift.
    knock_up_list = first.lists.first()
    doors = selectors.knock_up_doors(knock_up_list)
    promise_ids = [p["elector_id"] for d in doors for p in d.promises]
    voted, lift = promise_ids[0], promise_ids[-1]
    services.knock_up_mark(knock_up_list=knock_up_list, elector_id=voted, outcome="voted", knocker=None, acting=None)
    services.knock_up_mark(knock_up_list=knock_up_list, elector_id=lift, outcome="lift", knocker=None, acting=None)
    second = services.knock_up_round_create(committee_room=room, acting=None)
    assert second.number == 2
    listed = {
        e
        for knock_up_list in second.lists.all()
        for d in selectors.knock_up_doors(knock_up_list)
        for e in [p["elector_id"] for p in d.promises if not p["voted"] and not p["lift"]]
    }
    assert voted not in listed and lift not in listed


def test_needs_a_lift_asks_for_one_lift_to_the_electors_station(world):
    room = world.plan.committee_rooms.order_by("pk").first()
    knock_up_list = services.knock_up_round_create(committee_room=room, acting=None).lists.first()
    elector_id = selectors.knock_up_doors(knock_up_list)[0].promises[0]["elector_id"]
    for _ in range(2):
        services.knock_up_mark(
            knock_up_list=knock_up_list, elector_id=elector_id, outcome="lift", knocker=None, acting=None
        )
    lift = PollingLift.objects.get()
    elector = Elector.objects.get(pk=elector_id)
    assert lift.station == elector.polling_district.polling_day_arrangement.station
    driver = world.volunteers[0]
    services.lift_update(lift=lift, status="taken", acting=None, driver=driver)
    services.lift_update(lift=lift, status="done", acting=None)
    with pytest.raises(ValidationError):
        services.lift_update(lift=lift, status="taken", acting=None)


def test_a_mark_for_someone_not_on_the_list_is_refused_and_a_resent_mark_is_stored_once(world):
    room = world.plan.committee_rooms.order_by("pk").first()
    knock_up_list = services.knock_up_round_create(committee_room=room, acting=None).lists.first()
    outsider = Elector.objects.exclude(pk__in=Promise.objects.values("elector_id")).first()
    with pytest.raises(ValidationError):
        services.knock_up_mark(
            knock_up_list=knock_up_list, elector_id=outsider.pk, outcome="voted", knocker=None, acting=None
        )
    elector_id = selectors.knock_up_doors(knock_up_list)[0].promises[0]["elector_id"]
    mark_id = uuid.uuid4()
    for _ in range(2):
        services.knock_up_mark(
            knock_up_list=knock_up_list,
            elector_id=elector_id,
            outcome="not_in",
            knocker=None,
            acting=None,
            mark_id=mark_id,
        )
    assert KnockUpMark.objects.count() == 1


def test_the_dashboard_counts_voted_knocked_remaining_and_lifts_per_room_and_district(world):
    plan = world.plan
    station = plan.stations.order_by("name").first()
    teller_pass, _ = services.teller_pass_issue(station=station, person=world.volunteers[0], acting=None)
    code = selectors.station_districts(station)[0]
    promises = list(
        Promise.objects.filter(plan=plan, postal=False, district__code=code).select_related("elector").order_by("pk")
    )
    told = promises[:5]
    now = timezone.now().isoformat()
    records = [
        {"id": str(uuid.uuid4()), "kind": "tell", "text": e.elector.elector_number, "recorded_at": now} for e in told
    ]
    undo = {"id": str(uuid.uuid4()), "kind": "undo", "undoes": records[0]["id"], "recorded_at": now}
    telling.telling_ingest(teller_pass=teller_pass, records=[*records, undo])
    board = selectors.dashboard(plan)
    district = dict(next(r for r in board.rooms if any(c == code for c, _ in r.districts)).districts)[code]
    assert district.promises == len(promises)
    assert district.voted == 4  # five told, one undone
    assert district.remaining == len(promises) - 4
    assert board.total.postal == Promise.objects.filter(plan=plan, postal=True).count()
    assert board.telling_entries == 4  # numbers taken, not counting the undone one
    assert board.total.active_volunteers >= 1
    assert board.as_dict()["total"]["voted"] == 4


def test_going_live_deletes_the_rehearsal_and_cannot_go_back_once_counting(world):
    plan = world.plan
    room = plan.committee_rooms.order_by("pk").first()
    knock_up_list = services.knock_up_round_create(committee_room=room, acting=None).lists.first()
    elector_id = selectors.knock_up_doors(knock_up_list)[0].promises[0]["elector_id"]
    services.knock_up_mark(
        knock_up_list=knock_up_list, elector_id=elector_id, outcome="lift", knocker=None, acting=None
    )
    deleted = services.go_live(plan=plan, acting=None)
    assert deleted["knockupmark"] == 1 and deleted["pollinglift"] == 1
    assert not KnockUpList.objects.exists()
    plan.refresh_from_db()
    assert plan.rehearsal is False
    services.rehearse_again(plan=plan, acting=None)  # nothing live yet: allowed
    plan.refresh_from_db()
    services.go_live(plan=plan, acting=None)
    plan.refresh_from_db()
    knock_up_list = services.knock_up_round_create(committee_room=room, acting=None).lists.first()
    elector_id = selectors.knock_up_doors(knock_up_list)[0].promises[0]["elector_id"]
    services.knock_up_mark(
        knock_up_list=knock_up_list, elector_id=elector_id, outcome="voted", knocker=None, acting=None
    )
    with pytest.raises(ValidationError):
        services.rehearse_again(plan=plan, acting=None)


def test_writes_are_audited_by_ids_and_field_names(world):
    room = world.plan.committee_rooms.order_by("pk").first()
    services.knock_up_round_create(committee_room=room, acting=world.organiser.user)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"polling_day.create", "polling_day.promises_refresh", "knock_up.round"} <= actions
    for event in AuditEvent.objects.filter(action__startswith="knock_up"):
        assert all(f.isidentifier() for f in event.fields)


def test_a_mistaken_has_voted_is_corrected_by_the_next_mark(world):
    room = world.plan.committee_rooms.order_by("pk").first()
    knock_up_list = services.knock_up_round_create(committee_room=room, acting=None).lists.first()
    elector_id = selectors.knock_up_doors(knock_up_list)[0].promises[0]["elector_id"]
    mark = {"knock_up_list": knock_up_list, "elector_id": elector_id, "knocker": None, "acting": None}
    services.knock_up_mark(outcome="voted", **mark)
    assert elector_id in selectors.voted_elector_ids(world.plan)
    services.knock_up_mark(outcome="not_in", **mark)  # the tap was a mistake
    assert elector_id not in selectors.voted_elector_ids(world.plan)
    again = services.knock_up_round_create(committee_room=room, acting=None)
    listed = {p["elector_id"] for kl in again.lists.all() for d in selectors.knock_up_doors(kl) for p in d.promises}
    assert elector_id in listed


def test_a_pass_cannot_undo_another_stations_numbers(world):
    first, second = world.plan.stations.order_by("name")[:2]
    pass_a, _ = services.teller_pass_issue(station=first, person=None, acting=None)
    pass_b, _ = services.teller_pass_issue(station=second, person=None, acting=None)
    promise = Promise.objects.filter(plan=world.plan, district__polling_day_arrangement__station=first).first()
    now = timezone.now().isoformat()
    tell = {"id": str(uuid.uuid4()), "kind": "tell", "text": promise.elector.elector_number, "recorded_at": now}
    telling.telling_ingest(teller_pass=pass_a, records=[tell])
    undo = {"id": str(uuid.uuid4()), "kind": "undo", "undoes": tell["id"], "recorded_at": now}
    telling.telling_ingest(teller_pass=pass_b, records=[undo])
    assert promise.elector_id in selectors.voted_elector_ids(world.plan)
