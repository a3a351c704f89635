"""Syncing doorstep records: idempotent by the phone's UUID, append-only, one answer per record; the current status
derived from the latest record. The state-machine test at the end drives a model of the phone's outbox through lost,
repeated and reordered requests against the real endpoint."""

import datetime
import json
import uuid

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from groundgame.canvassing import access, sync
from groundgame.canvassing.models import ContactRecord
from groundgame.core.models import AuditEvent
from tests.canvassing.canvasser import claimed_walk_list, record
from tests.canvassing.factories import ContactRecordFactory, ElectorFactory

pytestmark = pytest.mark.django_db


def ingest(claimed, records):
    return sync.contact_records_ingest(walk_list=claimed.walk_list, records=records)


@pytest.fixture
def claimed():
    return claimed_walk_list(doors=4, electors_per_door=2)


def test_a_batch_is_stored_and_every_record_acknowledged(claimed):
    batch = [record(claimed, door=0), record(claimed, door=1, elector=0, notes="Worried about the bus cuts.")]
    result = ingest(claimed, batch)
    assert result.acknowledged == [batch[0]["id"], batch[1]["id"]]
    assert result.errors == [] and result.created == 2
    spoke = ContactRecord.objects.get(pk=batch[1]["id"])
    door = claimed.doors[1]
    assert spoke.address == door and spoke.elector == door.electors.order_by("number").first()
    assert (spoke.campaign, spoke.walk_list, spoke.polling_district) == (
        claimed.campaign,
        claimed.walk_list,
        door.polling_district,
    )
    assert spoke.canvasser == claimed.canvasser and spoke.survey == claimed.survey
    assert (spoke.outcome, spoke.intention, spoke.certainty, spoke.issues) == ("spoke", "Lab", 4, ["nhs"])
    assert spoke.notes == "Worried about the bus cuts."
    assert spoke.recorded_at == datetime.datetime.fromisoformat(batch[1]["recorded_at"])
    not_in = ContactRecord.objects.get(pk=batch[0]["id"])
    assert not_in.elector is None and not_in.outcome == "not_in"


def test_a_batch_sent_twice_is_stored_once_and_acknowledged_both_times(claimed):
    batch = [record(claimed, door=d) for d in range(3)]
    first, second = ingest(claimed, batch), ingest(claimed, batch)
    assert first.acknowledged == second.acknowledged == [r["id"] for r in batch]
    assert (first.created, second.created) == (3, 0)
    assert ContactRecord.objects.count() == 3


def test_a_record_repeated_within_a_batch_is_stored_once(claimed):
    one = record(claimed)
    result = ingest(claimed, [one, dict(one)])
    assert result.acknowledged == [one["id"]] and result.errors == []
    assert ContactRecord.objects.count() == 1


def test_a_different_record_with_a_stored_id_is_rejected_and_the_stored_one_kept(claimed):
    original = record(claimed, door=0, elector=0)
    ingest(claimed, [original])
    changed = {**original, "intention": "Con"}
    result = ingest(claimed, [changed])
    assert result.acknowledged == []
    assert result.errors == [{"index": 0, "id": original["id"], "error": sync.ERROR_CONFLICT}]
    assert ContactRecord.objects.get(pk=original["id"]).intention == "Lab"


def test_an_id_stored_for_another_walk_list_is_a_conflict(claimed):
    other = claimed_walk_list(doors=1)
    taken = record(other)
    sync.contact_records_ingest(walk_list=other.walk_list, records=[taken])
    result = ingest(claimed, [{**record(claimed), "id": taken["id"]}])
    assert result.errors[0]["error"] == sync.ERROR_CONFLICT


def test_a_redacted_record_sent_again_is_acknowledged(claimed):
    sent = record(claimed, door=0, elector=0, notes="Lives with her sister.")
    ingest(claimed, [sent])
    ContactRecord.objects.filter(pk=sent["id"]).update(notes="", elector=None, redacted_at=timezone.now())
    assert ingest(claimed, [sent]).acknowledged == [sent["id"]]


def test_one_bad_record_does_not_hold_back_the_others(claimed):
    good = record(claimed, door=2)
    result = ingest(claimed, [record(claimed, outcome="maybe"), good])
    assert result.acknowledged == [good["id"]]
    assert [e["index"] for e in result.errors] == [0]
    assert ContactRecord.objects.filter(pk=good["id"]).exists()


def _elsewhere(claimed):
    return str(ElectorFactory(campaign=claimed.campaign).address.uuid)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c, r: {"address": str(uuid.uuid4())}, "address: not a door of this walk list"),
        (lambda c, r: {"address": _elsewhere(c)}, "address: not a door of this walk list"),
        (lambda c, r: {"elector": str(c.doors[1].electors.first().uuid)}, "elector: not on the register at this"),
        (lambda c, r: {"survey": 99}, "survey: not a version"),
        (lambda c, r: {"survey": True}, "survey: not a version"),
        (lambda c, r: {"recorded_at": "yesterday"}, "recorded_at: expected an ISO 8601"),
        (lambda c, r: {"recorded_at": "2026-11-29T10:15:00"}, "recorded_at: needs a time zone"),
        (lambda c, r: {"outcome": "maybe"}, "outcome: one of"),
        (lambda c, r: {"certainty": 6}, "certainty: a whole number"),
        (lambda c, r: {"certainty": True}, "certainty: a whole number"),
        (lambda c, r: {"certainty": 3.5}, "certainty: a whole number"),
        (lambda c, r: {"intention": "Whig"}, "intention: not in this survey"),
        (lambda c, r: {"outcome": "refused"}, "intention: only recorded with the outcome 'spoke'"),
        (lambda c, r: {"issues": ["potholes"]}, "issues: not in this survey: potholes"),
        (lambda c, r: {"issues": "nhs"}, "issues: expected a list"),
        (lambda c, r: {"follow_ups": ["bribe"]}, "follow_ups: not in this survey"),
        (lambda c, r: {"notes": "x" * (sync.MAX_NOTES + 1)}, "notes: text of at most"),
        (lambda c, r: {"unlisted_name": "Sam"}, "unlisted_name: only for someone not on the register"),
    ],
)
def test_invalid_records_are_refused_with_a_message_naming_the_field(claimed, change, message):
    bad = record(claimed, door=0, elector=0)
    bad.update(change(claimed, bad))
    result = ingest(claimed, [bad])
    assert result.acknowledged == []
    assert result.errors[0]["id"] == bad["id"] and result.errors[0]["error"].startswith(message)
    assert not ContactRecord.objects.exists()


def test_records_without_a_uuid_are_refused_by_position(claimed):
    result = ingest(claimed, ["not a record", {**record(claimed), "id": "42"}, {"outcome": "not_in"}])
    assert result.errors == [
        {"index": 0, "id": None, "error": "record: expected an object"},
        {"index": 1, "id": "42", "error": "id: expected a UUID"},
        {"index": 2, "id": None, "error": "id: expected a UUID"},
    ]


def test_nul_characters_are_dropped_from_free_text(claimed):
    """PostgreSQL cannot store them; found by the state machine below (a record that could never be stored would
    stay in the phone's outbox for ever)."""
    sent = record(claimed, notes="bus\x00 stop", unlisted_name="\x00Sam")
    assert ingest(claimed, [sent]).acknowledged == [sent["id"]]
    assert ingest(claimed, [sent]).acknowledged == [sent["id"]]
    stored = ContactRecord.objects.get(pk=sent["id"])
    assert (stored.notes, stored.unlisted_name) == ("bus stop", "Sam")


def test_someone_not_on_the_register_is_recorded_with_the_name_they_gave(claimed):
    newcomer = record(claimed, door=3, outcome="spoke", intention="Green", unlisted_name="  Sam Okafor ")
    assert ingest(claimed, [newcomer]).acknowledged == [newcomer["id"]]
    stored = ContactRecord.objects.get(pk=newcomer["id"])
    assert stored.unlisted_name == "Sam Okafor" and stored.elector is None


def test_one_audit_row_per_batch_naming_the_walk_list_and_no_values(claimed):
    ingest(claimed, [record(claimed, door=d, notes="Secret plans") for d in range(3)])
    events = AuditEvent.objects.filter(action="contact_record.sync")
    assert events.count() == 1
    event = events.get()
    assert (event.target_type, event.target_id) == ("canvassing.walklist", str(claimed.walk_list.pk))
    assert event.fields == ["contacts"] and event.actor_id == claimed.canvasser.user_id
    assert "Secret" not in event.reason


def test_a_batch_with_nothing_new_writes_no_audit_row(claimed):
    batch = [record(claimed)]
    ingest(claimed, batch)
    ingest(claimed, batch)
    assert AuditEvent.objects.filter(action="contact_record.sync").count() == 1


def test_a_batch_is_checked_and_stored_in_a_constant_number_of_queries(claimed, django_assert_max_num_queries):
    """Doors, electors, survey; insert, read back; the audit row (and savepoints): whatever the batch's size."""
    walk_list = access.walk_list_for_token(claimed.token, purpose="sync")  # as the API has it, with its claimant
    batch = [record(claimed, door=d % 4, elector=d % 2) for d in range(40)]
    with django_assert_max_num_queries(10):
        result = sync.contact_records_ingest(walk_list=walk_list, records=batch)
    assert len(result.acknowledged) == 40


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{", "body: not JSON"),
        (b"[]", 'body: expected {"records": [...]}'),
        (b'{"records": {}}', 'body: expected {"records": [...]}'),
        (json.dumps({"records": [{}] * (sync.MAX_BATCH + 1)}).encode(), "records: at most"),
    ],
)
def test_a_body_that_is_not_a_batch_is_refused_whole(body, message):
    with pytest.raises(sync.BatchInvalid, match=message.replace("[", r"\[").replace("]", r"\]")):
        sync.parse_batch(body)


# --- the current status ----------------------------------------------------------------------------------------


def test_an_electors_status_is_the_outcome_of_the_latest_record(claimed):
    elector = claimed.doors[0].electors.first()
    now = timezone.now()
    ContactRecordFactory(elector=elector, outcome="not_in", intention="", certainty=None, recorded_at=now)
    # Arrived later, recorded earlier (a phone that was offline): not the latest.
    ContactRecordFactory(
        elector=elector, outcome="refused", intention="", certainty=None, recorded_at=now - datetime.timedelta(hours=2)
    )
    assert sync.elector_status(elector) == "not_in"
    assert sync.elector_status(claimed.doors[1].electors.first()) is None


def test_latest_by_address_counts_only_records_about_nobody_in_particular(claimed):
    door = claimed.doors[0]
    now = timezone.now()
    ContactRecordFactory(
        address=door, outcome="not_in", intention="", certainty=None, recorded_at=now - datetime.timedelta(days=1)
    )
    ContactRecordFactory(elector=door.electors.first(), recorded_at=now)
    latest = sync.latest_by_address([door.pk])
    assert latest[door.pk].outcome == "not_in"


# --- the state machine: the phone's outbox against the real endpoint --------------------------------------------

DOORS = 4


class OutboxProtocol(RuleBasedStateMachine):
    """A model of the phone (sync.js): records go to a persistent outbox; a batch is a request that may be delivered
    late, out of order, twice, or never, and whose answer may be lost; an answer removes only the ids it
    acknowledges. The server is the real endpoint through Django's test client; a restart is a new client and
    connection state, the database kept. Each example runs in a savepoint rolled back afterwards."""

    claimed = None  # set by the test

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.client = Client()
        self.url = reverse("api:canvass_sync", args=[self.claimed.walk_list.uuid])
        self.made: dict[str, dict] = {}  # every record the phone made, by id
        self.order: list[str] = []  # in the order made
        self.outbox: set[str] = set()
        self.acknowledged: set[str] = set()
        self.network: list[list[dict]] = []  # requests sent, not yet delivered

    def teardown(self):
        try:
            if self.made:
                self.drain()
        finally:
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)

    # the network and the server

    def post(self, batch: list[dict]) -> dict:
        response = self.client.post(
            self.url, json.dumps({"records": batch}), content_type="application/json", **self.claimed.headers()
        )
        assert response.status_code == 200, response.content
        answer = response.json()
        assert answer["errors"] == [], answer  # every record the phone makes is valid
        assert set(answer["acknowledged"]) == {r["id"] for r in batch}
        return answer

    def settle(self, answer: dict) -> None:
        """The phone's side of an answer: delete the acknowledged ids, nothing else."""
        for record_id in answer["acknowledged"]:
            self.outbox.discard(record_id)
            self.acknowledged.add(record_id)

    def oldest(self, size: int) -> list[dict]:
        waiting = [i for i in self.order if i in self.outbox]
        return [self.made[i] for i in waiting[:size]]

    # rules

    @rule(
        door=st.integers(0, DOORS - 1),
        elector=st.one_of(st.none(), st.integers(0, 1)),
        notes=st.text(max_size=30),
    )
    def record(self, door, elector, notes):
        made = record(self.claimed, door=door, elector=elector, notes=notes.strip())
        self.made[made["id"]] = made
        self.order.append(made["id"])
        self.outbox.add(made["id"])

    @precondition(lambda self: self.outbox)
    @rule(size=st.integers(1, 6))
    def send(self, size):
        """A batch leaves the phone (it stays in the outbox until acknowledged)."""
        self.network.append(self.oldest(size))

    @precondition(lambda self: self.network)
    @rule(data=st.data(), answered=st.booleans())
    def deliver(self, data, answered):
        """Any request in flight arrives (so batches arrive reordered); its answer reaches the phone or is lost
        (the server stored the records, the phone never heard)."""
        batch = self.network.pop(data.draw(st.integers(0, len(self.network) - 1)))
        answer = self.post(batch)
        if answered:
            self.settle(answer)

    @precondition(lambda self: self.network)
    @rule(data=st.data())
    def duplicate(self, data):
        """The network delivers a copy of a request that is still in flight (a retry after a timeout)."""
        self.settle(self.post(list(self.network[data.draw(st.integers(0, len(self.network) - 1))])))

    @precondition(lambda self: self.network)
    @rule(data=st.data())
    def lose_request(self, data):
        """A request that never reaches the server."""
        self.network.pop(data.draw(st.integers(0, len(self.network) - 1)))

    @precondition(lambda self: self.outbox)
    @rule(size=st.integers(1, 10))
    def sync_now(self, size):
        """An ordinary sync on a good connection: batches of `size` until the outbox is empty."""
        while self.outbox:
            self.settle(self.post(self.oldest(size)))

    @rule()
    def server_restart(self):
        """A new server process: a new client, no in-process caches; the database stays."""
        sync.clear_caches()
        self.client = Client()

    @precondition(lambda self: self.acknowledged)
    @rule(data=st.data())
    def conflicting_record(self, data):
        """A buggy phone reuses a stored id for different content: refused, the stored record kept."""
        record_id = data.draw(st.sampled_from(sorted(self.acknowledged)))
        forged = {**self.made[record_id], "outcome": "refused", "intention": "", "certainty": None}
        if forged == self.made[record_id]:
            forged["notes"] = self.made[record_id]["notes"] + " (forged)"
        response = self.client.post(
            self.url, json.dumps({"records": [forged]}), content_type="application/json", **self.claimed.headers()
        )
        assert response.json() == {
            "acknowledged": [],
            "errors": [{"index": 0, "id": record_id, "error": sync.ERROR_CONFLICT}],
        }

    # invariants

    @invariant()
    def nothing_unacknowledged_left_the_outbox(self):
        assert set(self.made) - self.acknowledged <= self.outbox
        assert not self.outbox & self.acknowledged

    @invariant()
    def every_acknowledged_record_is_stored_exactly_once_as_made(self):
        stored = {
            str(row["id"]): row
            for row in ContactRecord.objects.filter(walk_list=self.claimed.walk_list).values(
                "id", "outcome", "notes", "recorded_at", "address__uuid", "elector__uuid"
            )
        }
        assert self.acknowledged <= set(stored)
        assert set(stored) <= set(self.made)  # nothing the phone did not make, nothing twice (ids are keys)
        assert ContactRecord.objects.filter(walk_list=self.claimed.walk_list).count() == len(stored)
        for record_id in self.acknowledged:
            row, made = stored[record_id], self.made[record_id]
            assert row["outcome"] == made["outcome"] and row["notes"] == made["notes"].replace("\x00", "").strip()
            assert row["recorded_at"] == datetime.datetime.fromisoformat(made["recorded_at"])
            assert str(row["address__uuid"]) == made["address"]
            assert (str(row["elector__uuid"]) if row["elector__uuid"] else None) == made["elector"]

    def drain(self):
        """At the end, the phone gets a good connection: everything it made is stored, once."""
        while self.network:
            self.post(self.network.pop())
        while self.outbox:
            self.settle(self.post(self.oldest(50)))
        assert self.acknowledged == set(self.made)
        assert ContactRecord.objects.filter(walk_list=self.claimed.walk_list).count() == len(self.made)


def test_outbox_protocol_survives_lost_repeated_and_reordered_requests():
    """Every acknowledged record is stored exactly once; nothing unacknowledged is removed from the phone."""
    OutboxProtocol.claimed = claimed_walk_list(doors=DOORS, electors_per_door=2)
    run_state_machine_as_test(
        OutboxProtocol,
        settings=settings(
            max_examples=20,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
            database=None,
        ),
    )
