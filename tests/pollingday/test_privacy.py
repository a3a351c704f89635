"""Polling-day data in the privacy registry: rows about an elector linked to a person (promise, telling entry,
knock-up mark, lift) are in their export and deleted on erasure; volunteers (teller, knocker, driver, pass holder,
assigned knocker) are anonymised on theirs, the counts staying; retention deletes the rows about electors."""

import datetime
import uuid

import pytest
from django.utils import timezone

from groundgame.canvassing.models import Elector
from groundgame.core import privacy
from groundgame.pollingday import selectors, services, telling
from groundgame.pollingday.models import KnockUpList, KnockUpMark, PollingLift, Promise, TellerPass, TellingEntry
from tests.people.factories import PersonWithUserFactory

from .world import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def day():
    world = build(districts=1, electors=40, volunteers=2)
    room = world.plan.committee_rooms.order_by("pk").first()
    knock_up_list = services.knock_up_round_create(committee_room=room, acting=None).lists.first()
    elector_id = selectors.knock_up_doors(knock_up_list)[0].promises[0]["elector_id"]
    subject = PersonWithUserFactory()
    Elector.objects.filter(pk=elector_id).update(person=subject)
    volunteer = world.volunteers[0]
    services.knock_up_list_assign(knock_up_list=knock_up_list, person=volunteer, acting=None)
    services.knock_up_mark(
        knock_up_list=knock_up_list, elector_id=elector_id, outcome="lift", knocker=volunteer, acting=None
    )
    services.lift_update(lift=PollingLift.objects.get(), status="taken", acting=None, driver=volunteer)
    teller_pass, _ = services.teller_pass_issue(station=world.plan.stations.get(), person=volunteer, acting=None)
    number = Elector.objects.get(pk=elector_id).elector_number
    now = timezone.now().isoformat()
    telling.telling_ingest(
        teller_pass=teller_pass, records=[{"id": str(uuid.uuid4()), "kind": "tell", "text": number, "recorded_at": now}]
    )
    return world, subject, volunteer, elector_id


def test_the_rows_about_a_linked_elector_are_exported_and_erased(day):
    _world, subject, _volunteer, elector_id = day
    export = privacy.export_person(subject)
    for part in ("pollingday.promise", "pollingday.tellingentry", "pollingday.knockupmark", "pollingday.pollinglift"):
        assert len(export[part]) == 1, part
    privacy.erase_person(subject, actor=None, reason="erasure request 7")
    for model in (Promise, TellingEntry, KnockUpMark, PollingLift):
        assert not model.objects.filter(elector_id=elector_id).exists(), model


def test_a_volunteer_is_anonymised_and_the_counts_stay(day):
    world, _subject, volunteer, _elector_id = day
    export = privacy.export_person(volunteer)
    assert export["pollingday.tellerpass"] and export["pollingday.knockuplist"]
    privacy.erase_person(volunteer, actor=None, reason="erasure request 8")
    assert TellingEntry.objects.count() == 1 and TellingEntry.objects.filter(teller__isnull=False).count() == 0
    assert KnockUpMark.objects.filter(knocker__isnull=True).count() == 1
    assert PollingLift.objects.get().driver is None
    assert TellerPass.objects.get().person is None
    assert KnockUpList.objects.filter(assigned_to__isnull=False).count() == 0


def test_retention_deletes_the_rows_about_electors(day):
    later = timezone.now() + datetime.timedelta(days=181)
    reported = {entry.model._meta.label_lower: count for entry, count in privacy.retention_report(later)}
    assert reported["pollingday.promise"] >= 1 and reported["pollingday.tellingentry"] == 1
    privacy.retention_enforce(later)
    assert not Promise.objects.exists() and not TellingEntry.objects.exists()
