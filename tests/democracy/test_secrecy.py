"""Nothing links the voter roll (who voted) to the ballot box (what was voted): not the schema of any installed model,
not the audit log, not the values stored, not the order rows sit in once the ballot has closed."""

import json
import uuid
from collections import deque

import pytest
from django.apps import apps
from django.db import connection, models

from groundgame.core.models import AuditEvent
from groundgame.democracy import services
from groundgame.democracy.models import Ballot, CastBallot, RollEntry
from groundgame.democracy.receipts import receipt_hash

from .factories import BodyFactory, close, members_of, open_ballot

pytestmark = pytest.mark.django_db

TIME_FIELDS = (models.DateField, models.TimeField, models.DurationField)  # DateTimeField is a DateField


def related_models(model: type[models.Model]) -> set[type[models.Model]]:
    """Every model `model` points at or is pointed at by (foreign keys, one-to-ones, many-to-manys, reverse too)."""
    found = set()
    for field in model._meta.get_fields(include_hidden=True):
        if field.is_relation and field.related_model is not None:
            found.add(field.related_model)
    return found


def model_graph_path(start: type[models.Model], goal: type[models.Model], *, avoiding: set) -> list | None:
    """A chain of relations between two models that does not pass through `avoiding`, or None."""
    every = apps.get_models(include_auto_created=True)
    neighbours = {m: set() for m in every}
    for m in every:
        for other in related_models(m):
            neighbours.setdefault(m, set()).add(other)
            neighbours.setdefault(other, set()).add(m)
    queue, came_from = deque([start]), {start: None}
    while queue:
        here = queue.popleft()
        if here is goal:
            path = []
            while here is not None:
                path.append(here._meta.label)
                here = came_from[here]
            return path[::-1]
        for nxt in neighbours.get(here, ()):
            if nxt not in came_from and nxt not in avoiding:
                came_from[nxt] = here
                queue.append(nxt)
    return None


def test_no_model_relates_a_roll_entry_to_a_cast_ballot():
    """Across every installed model: the box's only relation is to its Ballot, the roll never points at the box
    nor the box at the roll, and no chain of relations joins them except through the Ballot both belong to
    (which names every voter and every ballot of that ballot at once: no one in particular)."""
    assert CastBallot not in related_models(RollEntry)
    assert RollEntry not in related_models(CastBallot)
    assert related_models(CastBallot) == {Ballot}
    relations = [f for f in CastBallot._meta.get_fields(include_hidden=True) if f.is_relation]
    assert [(f.name, f.many_to_one) for f in relations] == [("ballot", True)]
    for model in apps.get_models(include_auto_created=True):
        if model is not Ballot:
            assert not {RollEntry, CastBallot} <= related_models(model), model
    assert model_graph_path(RollEntry, CastBallot, avoiding={Ballot}) is None


def test_the_box_has_no_time_no_sequence_and_a_random_uuid_key():
    box_fields = {f.name: f for f in CastBallot._meta.concrete_fields}
    assert set(box_fields) == {"id", "ballot", "receipt_hash", "choices"}
    assert not [f for f in box_fields.values() if isinstance(f, TIME_FIELDS)]
    key = CastBallot._meta.pk
    assert isinstance(key, models.UUIDField) and key.default is uuid.uuid4
    assert not any(isinstance(f, models.AutoField) for f in box_fields.values())
    # The roll's only time is the ballot's closing time, the same on every row: it says nothing about when anyone voted.
    roll_times = [f.name for f in RollEntry._meta.concrete_fields if isinstance(f, TIME_FIELDS)]
    assert roll_times == ["ballot_closes_at"]
    shared = {f.name for f in RollEntry._meta.concrete_fields} & set(box_fields) - {"ballot"}
    assert shared == {"id"}  # a name only: the roll's is an integer, the box's a random UUID


@pytest.fixture
def voted_ballot():
    """A closed ballot: five voters, one of whom changed their vote, and one who did not vote."""
    body = BodyFactory(votes_changeable=True)
    voters = members_of(body, 6)
    ballot = open_ballot(body, method=Ballot.Method.IRV, options=("Ann", "Bo", "Cy"))
    codes = [
        services.vote_cast(ballot=ballot, person=p, choices=c)
        for p, c in zip(voters[:5], [[1, 2], [2], [3, 1], [1], [2, 3]], strict=True)
    ]
    codes[0] = services.vote_change(ballot=ballot, person=voters[0], receipt_code=codes[0], choices=[3])
    return close(ballot), codes


def test_the_audit_log_names_roll_entries_but_never_a_box_row_or_receipt(voted_ballot):
    ballot, codes = voted_ballot
    box_ids = {str(pk) for pk in CastBallot.objects.values_list("pk", flat=True)}
    hashes = set(CastBallot.objects.values_list("receipt_hash", flat=True))
    assert hashes == {receipt_hash(ballot_id=ballot.pk, code=c) for c in codes}

    events = list(AuditEvent.objects.values())
    assert events, "voting is audited"
    dumped = json.dumps(events, default=str)
    assert not any(value in dumped for value in box_ids | hashes | set(codes))
    assert not AuditEvent.objects.filter(target_type="democracy.castballot").exists()
    votes = AuditEvent.objects.filter(action="rollentry.vote")
    assert votes.count() == 5  # one per voter; the change left no event
    assert set(votes.values_list("target_type", flat=True)) == {"democracy.rollentry"}
    assert all(fields == ["voted"] for fields in votes.values_list("fields", flat=True))


def test_no_stored_value_leads_from_a_roll_entry_to_a_ballot(voted_ballot):
    """Everything stored about each roll entry (its row and its audit events) shares no value with any box row
    beyond the ballot both belong to."""
    ballot, _codes = voted_ballot
    box_values = set()
    for row in CastBallot.objects.values("id", "receipt_hash"):
        box_values |= {str(row["id"]), str(row["id"]).replace("-", ""), row["receipt_hash"]}
    for entry in RollEntry.objects.filter(ballot=ballot).values():
        about = [
            entry,
            *AuditEvent.objects.filter(target_type="democracy.rollentry", target_id=str(entry["id"])).values(),
        ]
        stored = json.dumps(about, default=str)
        assert not [value for value in box_values if value in stored], entry
    closes = set(RollEntry.objects.filter(ballot=ballot).values_list("ballot_closes_at", flat=True))
    assert closes == {ballot.closes_at}


def test_on_sqlite_the_box_has_no_rowid_to_show_the_order_of_voting():
    """An ordinary SQLite table numbers rows in insertion order (rowid); the box is a WITHOUT ROWID table keyed by
    its random UUID, so even while a ballot is open the file holds its rows in random order (migration 0002)."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: PostgreSQL has no rowid (see the seal test)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [CastBallot._meta.db_table])
        assert cursor.fetchone()[0].rstrip().upper().endswith("WITHOUT ROWID")


def box_transaction_ids(ballot) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT xmin::text FROM {CastBallot._meta.db_table} WHERE ballot_id = %s", [ballot.pk])  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_the_seal_at_close_leaves_no_transaction_id_shared_with_the_roll():
    """On PostgreSQL each vote's box row carries the id of the transaction that also marked the roll (a link for
    someone reading system columns while the ballot is open: docs/democracy.md). The seal at close rewrites the box
    in canonical order in one transaction of its own, so afterwards no box row shares a transaction id with the
    roll, and the rows sit in receipt-hash order."""
    body = BodyFactory()
    voters = members_of(body, 3)
    ballot = open_ballot(body)
    for person in voters:
        services.vote_cast(ballot=ballot, person=person, choices=[1])
    if connection.vendor == "postgresql":
        assert len(set(box_transaction_ids(ballot))) == 3  # the exposure before close

    close(ballot)

    if connection.vendor == "postgresql":
        (sealed_by,) = set(box_transaction_ids(ballot))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {RollEntry._meta.db_table} WHERE xmin::text = %s", [sealed_by])  # noqa: S608
            assert cursor.fetchone()[0] == 0
    hashes = list(CastBallot.objects.filter(ballot=ballot).values_list("receipt_hash", flat=True))
    assert hashes == sorted(hashes) and len(hashes) == 3
    assert all(row.id.version == 4 for row in CastBallot.objects.all())
