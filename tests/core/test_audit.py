"""The audit log records who did what to which record with field names only, and cannot be rewritten: the
application refuses updates and deletes, and a database trigger refuses a raw UPDATE (and DELETE on PostgreSQL)."""

import json
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, connection, transaction

from groundgame.core.audit import audit_events_by_actor, audit_events_for, audit_record
from groundgame.core.models import AppendOnlyError, AuditEvent

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def steward():
    return User.objects.create_user("steward", email="steward@example.org")


@pytest.fixture
def alice():
    return User.objects.create_user("alice", email="alice.secret@example.org", first_name="Alicia", last_name="Zed")


def raw_execute(sql: str, params=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_values_never_enter_the_log_only_field_names(steward, alice):
    event = audit_record(
        actor=steward, action="user.update", target=alice, fields=["email", "first_name"], reason="rectification"
    )

    assert event.fields == ["email", "first_name"]
    assert (event.actor_id, event.target_type, event.target_id) == (steward.pk, "core.user", str(alice.pk))
    stored = json.dumps(list(AuditEvent.objects.values()), default=str)
    for value in ("alice.secret@example.org", "Alicia", "Zed"):
        assert value not in stored


def test_a_value_passed_as_a_field_name_is_refused_and_nothing_is_logged(steward, alice):
    with pytest.raises(ValueError, match="field names"):
        audit_record(actor=steward, action="user.update", target=alice, fields=[alice.email])
    with pytest.raises(ValueError, match="no field named"):
        audit_record(actor=steward, action="user.update", target=alice, fields=["Alicia"])
    with pytest.raises(TypeError):
        audit_record(actor=steward, action="user.update", target=alice, fields="email")

    assert not AuditEvent.objects.exists()


def test_target_may_be_a_label_and_id_and_actor_a_person_with_an_account_or_nobody(steward, alice):
    person = SimpleNamespace(user_id=steward.pk)  # what a Person linked to an account looks like to the log

    by_person = audit_record(actor=person, action="person.export", target=("people.person", 42), fields=["email"])
    by_system = audit_record(actor=None, action="privacy.retention", target=("people.person", 42))
    by_anonymous = audit_record(actor=AnonymousUser(), action="person.unsubscribe", target=("people.person", 42))

    assert by_person.actor_id == steward.pk
    assert by_person.target_type == "people.person" and by_person.target_id == "42"
    assert by_system.actor_id is None and by_anonymous.actor_id is None
    with pytest.raises(ValueError):
        audit_record(actor=None, action="person.update", target=("not a label", 1))
    with pytest.raises(ValueError):
        audit_record(actor=None, action="Person Updated", target=alice)
    with pytest.raises(TypeError):
        audit_record(actor="steward", action="person.update", target=alice)


def test_selectors_find_events_by_target_and_by_actor_newest_first(steward, alice):
    first = audit_record(actor=steward, action="user.update", target=alice, fields=["email"])
    second = audit_record(actor=None, action="user.update", target=alice, fields=["last_name"])
    other = audit_record(actor=steward, action="user.update", target=steward, fields=["email"])

    assert list(audit_events_for(target=alice)) == [second, first]
    assert list(audit_events_for(target=("core.user", alice.pk))) == [second, first]
    assert list(audit_events_by_actor(actor_id=steward.pk)) == [other, first]


def test_the_application_refuses_to_update_or_delete_audit_events(steward, alice):
    event = audit_record(actor=steward, action="user.update", target=alice, fields=["email"], reason="original")

    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.update(reason="rewritten")
    event.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update([event], ["reason"])
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()

    assert AuditEvent.objects.get().reason == "original"


def test_the_database_refuses_a_raw_sql_update(steward, alice):
    event = audit_record(actor=steward, action="user.update", target=alice, fields=["email"], reason="original")

    with pytest.raises(DatabaseError), transaction.atomic():
        raw_execute("UPDATE core_auditevent SET reason = %s WHERE id = %s", ["rewritten", event.pk])

    assert AuditEvent.objects.get().reason == "original"


def test_the_database_refuses_a_raw_sql_delete_on_postgresql(steward, alice):
    """SQLite: Django's test flush empties tables with DELETE, so there DELETE is refused in the application only."""
    if connection.vendor != "postgresql":
        pytest.skip("the DELETE trigger exists on PostgreSQL only")
    event = audit_record(actor=steward, action="user.update", target=alice, fields=["email"])

    with pytest.raises(DatabaseError), transaction.atomic():
        raw_execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_guard_migration_can_be_reversed_and_reapplied(steward, alice):
    """The migration's reverse drops the trigger (a raw UPDATE then goes through) and its forward restores it."""
    from importlib import import_module

    guard = import_module("groundgame.core.migrations.0002_auditevent_append_only_guard")
    editor = SimpleNamespace(connection=connection, execute=raw_execute)
    event = audit_record(actor=steward, action="user.update", target=alice, fields=["email"], reason="original")

    guard.guard_remove(None, editor)
    raw_execute("UPDATE core_auditevent SET reason = %s WHERE id = %s", ["changed while unguarded", event.pk])
    guard.guard_add(None, editor)

    with pytest.raises(DatabaseError), transaction.atomic():
        raw_execute("UPDATE core_auditevent SET reason = %s WHERE id = %s", ["rewritten", event.pk])
    assert AuditEvent.objects.get().reason == "changed while unguarded"


def test_admin_shows_audit_events_read_only(client, steward, alice):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    admin = User.objects.create_superuser("admin", "admin@example.org", "pw")
    TOTP.activate(admin, generate_totp_secret())  # administrators must use two-factor authentication
    event = audit_record(actor=steward, action="user.update", target=alice, fields=["email"])
    client.force_login(admin)

    changelist = client.get("/admin/core/auditevent/")
    detail = client.get(f"/admin/core/auditevent/{event.pk}/change/")

    assert changelist.status_code == 200
    assert b"user.update" in changelist.content
    assert b"/admin/core/auditevent/add/" not in changelist.content
    assert detail.status_code == 200
    assert b'name="_save"' not in detail.content
    assert client.get("/admin/core/auditevent/add/").status_code == 403
    assert client.post(f"/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_the_guard_leaves_the_test_flush_working():
    """Transactional tests (browser tests) end with a flush: TRUNCATE on PostgreSQL, DELETE on SQLite. Neither is
    refused: the flush at this test's teardown would error otherwise."""
    audit_record(actor=None, action="user.update", target=("core.user", 1), fields=["email"])

    assert AuditEvent.objects.count() == 1
