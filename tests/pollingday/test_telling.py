"""Telling entries from the phone: every accepted form of elector number, malformed input refused with a message,
unknown numbers flagged, each entry stored once however often it is sent, undo, and the station's districts."""

import datetime
import uuid

import pytest
from django.utils import timezone

from groundgame.canvassing.models import Elector
from groundgame.pollingday import selectors, services, telling
from groundgame.pollingday.models import DistrictArrangement, TellingEntry

from .world import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build(districts=2, electors=40, volunteers=2)


@pytest.fixture
def teller_pass(world):
    station = DistrictArrangement.objects.filter(plan=world.plan).order_by("district__code").first().station
    teller_pass, _token = services.teller_pass_issue(station=station, person=world.volunteers[0], acting=None)
    return teller_pass


def entry(text, **extra):
    return {"id": str(uuid.uuid4()), "kind": "tell", "text": text, "recorded_at": timezone.now().isoformat(), **extra}


def elector_of(teller_pass, number, suffix=0):
    code = selectors.station_districts(teller_pass.station)[0]
    return Elector.objects.get(
        campaign=teller_pass.station.plan.campaign, polling_district__code=code, number=number, suffix=suffix
    )


def test_every_form_of_elector_number_is_accepted_and_matched(teller_pass):
    code = selectors.station_districts(teller_pass.station)[0]
    with_suffix = Elector.objects.filter(polling_district__code=code, suffix=1).first()
    if with_suffix is None:
        with_suffix = elector_of(teller_pass, 7)
        with_suffix.suffix = 1
        with_suffix.save()
    n = with_suffix.number
    plain = Elector.objects.filter(polling_district__code=code, suffix=0).exclude(number=n).first()
    records = [
        entry(str(plain.number)),
        entry(f"{n}/1"),
        entry(f"{code}-{plain.number}"),
        entry(f"{code.lower()} - {n} / 1"),
    ]
    result = telling.telling_ingest(teller_pass=teller_pass, records=records)
    assert result.errors == [] and result.unknown == []
    stored = dict(TellingEntry.objects.values_list("text", "elector_id"))
    assert stored == {
        str(plain.number): plain.pk,
        f"{n}/1": with_suffix.pk,
        f"{code}-{plain.number}": plain.pk,
        f"{code.lower()} - {n} / 1": with_suffix.pk,
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("88a", "not an elector number"),
        ("0", "start at 1"),
        ("AB1-", "not an elector number"),
        ("888/1/2", "not an elector number"),
        ("", "expected the elector number"),
    ],
)
def test_malformed_numbers_are_refused_with_a_message_and_nothing_stored(teller_pass, text, message):
    record = entry(text)
    result = telling.telling_ingest(teller_pass=teller_pass, records=[record])
    assert result.acknowledged == []
    assert [e["id"] for e in result.errors] == [record["id"]]
    assert message in result.errors[0]["error"]
    assert not TellingEntry.objects.exists()


def test_a_district_that_votes_elsewhere_is_refused(teller_pass):
    other = DistrictArrangement.objects.exclude(station=teller_pass.station).first().district.code
    result = telling.telling_ingest(teller_pass=teller_pass, records=[entry(f"{other}-3")])
    assert "does not vote at this polling station" in result.errors[0]["error"]


def test_an_unknown_number_is_stored_and_flagged(teller_pass):
    known, unknown = entry("3"), entry("9999")
    result = telling.telling_ingest(teller_pass=teller_pass, records=[known, unknown])
    assert set(result.acknowledged) == {known["id"], unknown["id"]}
    assert result.unknown == [unknown["id"]]
    assert TellingEntry.objects.get(pk=unknown["id"]).elector_id is None
    # Sent again (a lost answer): acknowledged and flagged again, stored once.
    again = telling.telling_ingest(teller_pass=teller_pass, records=[unknown, known])
    assert again.unknown == [unknown["id"]] and again.created == 0
    assert TellingEntry.objects.count() == 2


def test_a_batch_sent_twice_and_in_another_order_is_stored_once_and_a_changed_entry_is_a_conflict(teller_pass):
    records = [entry(str(n)) for n in (1, 2, 3, 4)]
    telling.telling_ingest(teller_pass=teller_pass, records=records)
    again = telling.telling_ingest(teller_pass=teller_pass, records=list(reversed(records)) + records[:1])
    assert set(again.acknowledged) == {r["id"] for r in records} and again.errors == []
    assert TellingEntry.objects.count() == 4
    changed = dict(records[0], text="5")
    conflict = telling.telling_ingest(teller_pass=teller_pass, records=[changed])
    assert conflict.errors[0]["error"] == telling.ERROR_CONFLICT
    assert TellingEntry.objects.get(pk=records[0]["id"]).text == "1"


def test_an_undo_takes_the_entry_out_of_the_voted_even_when_it_arrives_first(world, teller_pass):
    tell = entry("3")
    undo = {"id": str(uuid.uuid4()), "kind": "undo", "undoes": tell["id"], "recorded_at": tell["recorded_at"]}
    telling.telling_ingest(teller_pass=teller_pass, records=[undo])
    telling.telling_ingest(teller_pass=teller_pass, records=[tell])
    assert elector_of(teller_pass, 3).pk not in selectors.voted_elector_ids(world.plan)
    other = entry("4")
    telling.telling_ingest(teller_pass=teller_pass, records=[other])
    assert elector_of(teller_pass, 4).pk in selectors.voted_elector_ids(world.plan)


def test_entries_record_the_mode_and_the_teller(world, teller_pass):
    telling.telling_ingest(teller_pass=teller_pass, records=[entry("3")])
    services.go_live(plan=world.plan, acting=None)
    assert not TellingEntry.objects.exists()  # the rehearsal's entries went
    with pytest.raises(services.PassRefused):  # a practice batch sent late through a rehearsal pass: refused
        telling.telling_ingest(teller_pass=teller_pass, records=[entry("4")])
    assert services.go_live(plan=world.plan, acting=None) == {}  # a second click changes nothing
    live_pass, _token = services.teller_pass_issue(station=teller_pass.station, person=world.volunteers[0], acting=None)
    services.go_live(plan=world.plan, acting=None)
    live_pass.refresh_from_db()
    assert live_pass.revoked_at is None  # live passes survive it
    telling.telling_ingest(teller_pass=live_pass, records=[entry("3")])
    stored = TellingEntry.objects.get()
    assert stored.rehearsal is False and stored.teller == world.volunteers[0]


def test_a_withdrawn_or_expired_pass_opens_nothing(teller_pass):
    token_pass, token = services.teller_pass_issue(station=teller_pass.station, person=None, acting=None)
    assert services.teller_pass_for_token(token) == token_pass
    with pytest.raises(services.PassRefused) as refused:
        services.teller_pass_for_token(token, now=timezone.now() + datetime.timedelta(days=1))
    assert refused.value.reason == "expired"
    services.teller_pass_revoke(teller_pass=token_pass, acting=None)
    with pytest.raises(services.PassRefused) as refused:
        services.teller_pass_for_token(token)
    assert refused.value.reason == "revoked"
    with pytest.raises(services.PassRefused) as refused:
        services.teller_pass_for_token("not a token")
    assert refused.value.reason == "unknown"


def test_going_live_withdraws_the_rehearsals_passes_so_practice_entries_never_count(world, teller_pass):
    _pass, token = services.teller_pass_issue(station=teller_pass.station, person=None, acting=None)
    services.go_live(plan=world.plan, acting=None)
    with pytest.raises(services.PassRefused) as refused:
        services.teller_pass_for_token(token)
    assert refused.value.reason == "revoked"  # the phone gets 410 and wipes its practice entries
    _live, live_token = services.teller_pass_issue(station=teller_pass.station, person=None, acting=None)
    assert services.teller_pass_for_token(live_token) == _live


def test_promises_refresh_arranges_districts_added_by_a_newer_register(world):
    from groundgame.canvassing.models import PollingDistrict
    from groundgame.pollingday.models import DistrictArrangement

    district = PollingDistrict.objects.create(campaign=world.campaign, code="ZZ9", name="New ward")
    services.promises_refresh(plan=world.plan, acting=None)
    arrangement = DistrictArrangement.objects.get(district=district)
    assert arrangement.plan == world.plan and arrangement.station.name == "New ward polling station"
