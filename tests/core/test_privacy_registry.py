"""The privacy registry: registered models are exported, erased and retained as declared, every erasure is audited
by field name, and a model holding personal data that is neither registered nor exempt is caught.

The mechanics are tested against Django's own User as a stand-in person model (GROUNDGAME_PERSON_MODEL="core.User")
in an isolated registry, so they do not depend on any domain app."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from groundgame.core import privacy
from groundgame.core.models import AuditEvent, MessageDelivery
from groundgame.core.privacy import Erasure

User = get_user_model()
Membership = User.groups.through  # core.User_groups: a real table linking people to groups


@pytest.fixture
def registry(monkeypatch):
    """An empty registry holding only core's own MessageDelivery entry, with auth.User as the person model."""
    core_entry = privacy.entry_for(MessageDelivery)
    monkeypatch.setattr(privacy, "_registry", {MessageDelivery: core_entry})
    monkeypatch.setattr(privacy, "_exempt", {})
    with override_settings(GROUNDGAME_PERSON_MODEL="core.User"):
        yield privacy


def anonymised_username(user) -> str:
    return f"erased-{user.pk}"


def register_people(registry, **user_options):
    options = {
        "category": "account",
        "person_field": "",
        "personal_fields": ["username", "email", "first_name", "last_name"],
        "erasure": Erasure.ANONYMISE,
        "anonymise": {"email": "", "first_name": "", "last_name": "", "username": anonymised_username},
        "export": lambda rows: list(rows.values("username", "email", "first_name", "last_name")),
    } | user_options
    registry.register(User, **options)
    registry.register(
        Membership, category="membership", person_field="user", personal_fields=["user"], erasure=Erasure.DELETE
    )


def make_person(username: str, *, groups=(), deliveries=0, delivered_at=None) -> User:
    user = User.objects.create_user(username, email=f"{username}@example.org", first_name=username.title())
    user.groups.add(*groups)
    for _ in range(deliveries):
        MessageDelivery.objects.create(
            recipient_id=user.pk,
            channel="email",
            purpose="email_updates",
            status="sent",
            basis="consent",
            created_at=delivered_at or timezone.now(),
        )
    return user


def log_entry_for(user) -> LogEntry:
    return LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(Group),
        object_id="1",
        object_repr="a group",
        action_flag=ADDITION,
    )


# --- registration ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"erasure": Erasure.KEEP}, "keep_reason"),
        ({"erasure": Erasure.ANONYMISE}, "anonymise"),
        ({"erasure": Erasure.REDACT_EVENT}, "redact"),
        ({"erasure": Erasure.DELETE, "anonymise": {"object_repr": ""}}, "only used with"),
        ({"personal_fields": ["shoe_size"]}, "shoe_size"),
        ({"person_field": "author"}, "no field 'author'"),
        ({"person_field": "object_repr__user"}, "not a relation"),
        ({"person_field": ""}, "only for the person model"),
        ({"retention": timedelta(days=30)}, "retention_date_field"),
        ({"retention": timedelta(days=30), "retention_date_field": "object_repr"}, "date or datetime"),
        ({"personal_fields": []}, "personal_fields"),
        ({"category": ""}, "category"),
    ],
)
def test_a_registration_that_cannot_work_is_refused_at_startup(registry, options, message):
    base = {"category": "admin log", "person_field": "user", "personal_fields": ["user"], "erasure": Erasure.DELETE}

    with pytest.raises(ImproperlyConfigured, match=message):
        registry.register(LogEntry, **(base | options))

    assert registry.entry_for(LogEntry) is None


def test_a_model_is_registered_once_and_cannot_be_both_registered_and_exempt(registry):
    entry = registry.register(
        LogEntry, category="admin log", person_field="user", personal_fields=["user"], erasure="delete"
    )

    assert registry.entry_for(LogEntry) is entry and entry.erasure is Erasure.DELETE and entry.label == "admin.logentry"
    assert entry in registry.entries()
    with pytest.raises(ImproperlyConfigured, match="already registered"):
        registry.register(LogEntry, category="x", person_field="user", personal_fields=["user"], erasure="delete")
    with pytest.raises(ImproperlyConfigured, match="cannot be exempt"):
        registry.exempt(LogEntry, reason="no")
    registry.unregister(LogEntry)
    with pytest.raises(ImproperlyConfigured, match="needs a reason"):
        registry.exempt(LogEntry, reason=" ")
    registry.exempt(LogEntry, reason="Django's admin history")
    with pytest.raises(ImproperlyConfigured, match="exempted"):
        registry.register(LogEntry, category="x", person_field="user", personal_fields=["user"], erasure="delete")


def test_core_registers_its_message_log_for_deletion_after_two_years():
    entry = privacy.entry_for(MessageDelivery)

    assert entry.erasure is Erasure.DELETE
    assert entry.person_field == "recipient_id"
    assert entry.retention == timedelta(days=730) and entry.retention_date_field == "created_at"
    assert AuditEvent in privacy.exemptions()


# --- export ------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_holds_everything_registered_about_the_person_and_nothing_about_others(registry):
    register_people(registry)
    group = Group.objects.create(name="Derby")
    alice = make_person("alice", groups=[group], deliveries=2)
    make_person("bob", groups=[group], deliveries=1)
    from groundgame.core.audit import audit_record

    audit_record(actor=None, action="user.update", target=alice, fields=["email"], reason="rectification")

    export = registry.export_person(alice)

    assert set(export) == {"core.user", "core.user_groups", "core.messagedelivery", "core.auditevent"}
    assert export["core.user"] == [
        {"username": "alice", "email": "alice@example.org", "first_name": "Alice", "last_name": ""}
    ]
    assert export["core.user_groups"] == [
        {"id": Membership.objects.get(user=alice).pk, "user_id": alice.pk, "group_id": group.pk}
    ]
    assert len(export["core.messagedelivery"]) == 2
    assert {row["recipient_id"] for row in export["core.messagedelivery"]} == {alice.pk}
    assert [(e["action"], e["fields"]) for e in export["core.auditevent"]] == [("user.update", ["email"])]


def test_the_default_export_leaves_out_other_peoples_ids(registry):
    """A row reached through another model may name other people (who approved, who recorded): not theirs."""
    direct = registry.register(
        Membership, category="m", person_field="user", personal_fields=["user"], erasure="delete"
    )
    registry.unregister(Membership)
    indirect = registry.register(
        Membership, category="m", person_field="group__user", personal_fields=["group"], erasure="delete"
    )

    assert privacy._default_export_fields(direct) == ["id", "user_id", "group_id"]
    assert privacy._default_export_fields(indirect) == ["id", "group_id"]


# --- erasure -----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_erasure_applies_each_models_erasure_to_the_person_only_and_audits_field_names(registry):
    register_people(registry)
    redacted = []
    registry.register(
        LogEntry,
        category="admin log",
        person_field="user",
        personal_fields=["user", "object_repr"],
        erasure=Erasure.REDACT_EVENT,
        redact=lambda rows, *, actor, reason: redacted.append((sorted(rows.values_list("pk", flat=True)), reason)),
    )
    steward = make_person("steward")
    group = Group.objects.create(name="Derby")
    alice = make_person("alice", groups=[group], deliveries=2)
    bob = make_person("bob", groups=[group], deliveries=1)
    entry = log_entry_for(alice)

    outcomes = registry.erase_person(alice, actor=steward, reason="erasure request 7")

    alice.refresh_from_db()
    assert (alice.username, alice.email, alice.first_name) == (f"erased-{alice.pk}", "", "")
    assert not Membership.objects.filter(user=alice).exists()
    assert not MessageDelivery.objects.filter(recipient_id=alice.pk).exists()
    assert redacted == [([entry.pk], "erasure request 7")]
    bob.refresh_from_db()
    assert bob.email == "bob@example.org" and bob.groups.exists()
    assert MessageDelivery.objects.filter(recipient_id=bob.pk).count() == 1
    assert {(o.entry.label, o.rows) for o in outcomes} == {
        ("admin.logentry", 1),
        ("core.user", 1),
        ("core.user_groups", 1),
        ("core.messagedelivery", 2),
    }
    events = {(e.action, e.target_type, tuple(e.fields)) for e in AuditEvent.objects.all()}
    assert ("user.anonymise", "core.user", ("email", "first_name", "last_name", "username")) in events
    assert ("user_groups.erase", "core.user_groups", ("user",)) in events
    assert ("messagedelivery.erase", "core.messagedelivery", delivery_fields()) in events
    assert ("logentry.redact", "admin.logentry", ("user", "object_repr")) in events
    assert AuditEvent.objects.filter(action="messagedelivery.erase").count() == 2
    assert set(AuditEvent.objects.values_list("actor_id", "reason")) == {(steward.pk, "erasure request 7")}
    assert "alice@example.org" not in str(list(AuditEvent.objects.values()))


def delivery_fields() -> tuple[str, ...]:
    return privacy.entry_for(MessageDelivery).personal_fields


@pytest.mark.django_db
def test_kept_rows_survive_erasure(registry):
    register_people(registry)
    registry.register(
        LogEntry,
        category="admin log",
        person_field="user",
        personal_fields=["user"],
        erasure=Erasure.KEEP,
        keep_reason="accountability of administrators",
    )
    alice = make_person("alice")
    log_entry_for(alice)

    outcomes = registry.erase_person(alice, actor=None, reason="erasure request 8")

    assert LogEntry.objects.filter(user=alice).count() == 1
    assert [o.rows for o in outcomes if o.entry.model is LogEntry] == [0]


@pytest.mark.django_db
def test_erasure_is_all_or_nothing(registry):
    register_people(registry)

    def broken_redact(rows, *, actor, reason):
        raise RuntimeError("redaction failed")

    registry.register(
        LogEntry,
        category="admin log",
        person_field="user",
        personal_fields=["user"],
        erasure="redact_event",
        redact=broken_redact,
    )
    group = Group.objects.create(name="Derby")
    alice = make_person("alice", groups=[group], deliveries=1)
    log_entry_for(alice)

    with pytest.raises(RuntimeError):
        registry.erase_person(alice, actor=None, reason="erasure request 9")

    alice.refresh_from_db()
    assert alice.email == "alice@example.org" and alice.groups.exists()
    assert MessageDelivery.objects.filter(recipient_id=alice.pk).exists()
    assert not AuditEvent.objects.exists()


def test_erasure_needs_a_reason(registry):
    with pytest.raises(ValueError, match="reason"):
        registry.erase_person(User(pk=1), actor=None, reason="")


# --- retention ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_retention_report_is_a_dry_run_and_enforcement_erases_only_rows_past_retention(registry):
    now = timezone.now()
    alice = make_person("alice", deliveries=2, delivered_at=now - timedelta(days=800))
    make_person("bob", deliveries=1, delivered_at=now - timedelta(days=10))

    report = registry.retention_report(now)

    assert [(e.label, count) for e, count in report] == [("core.messagedelivery", 2)]
    assert MessageDelivery.objects.count() == 3

    outcomes = registry.retention_enforce(now, actor=None)

    assert [(o.entry.label, o.rows) for o in outcomes] == [("core.messagedelivery", 2)]
    assert not MessageDelivery.objects.filter(recipient_id=alice.pk).exists()
    assert MessageDelivery.objects.count() == 1
    events = AuditEvent.objects.filter(action="messagedelivery.erase")
    assert events.count() == 2 and events.first().reason.startswith("retention: messaging")
    assert [count for _, count in registry.retention_report(now)] == [0]


@pytest.mark.django_db
def test_anonymised_rows_are_not_counted_again_by_the_next_retention_run(registry):
    register_people(
        registry,
        anonymise={"email": "", "first_name": "", "last_name": ""},
        retention=timedelta(days=365),
        retention_date_field="date_joined",
    )
    old = make_person("old")
    User.objects.filter(pk=old.pk).update(date_joined=timezone.now() - timedelta(days=400))
    make_person("new")

    assert dict((e.label, c) for e, c in registry.retention_report()) == {"core.user": 1, "core.messagedelivery": 0}
    registry.retention_enforce()

    old.refresh_from_db()
    assert (old.email, old.first_name) == ("", "")
    assert User.objects.get(username="new").email == "new@example.org"
    assert dict((e.label, c) for e, c in registry.retention_report()) == {"core.user": 0, "core.messagedelivery": 0}


@pytest.mark.django_db
def test_retention_command_reports_by_default_and_erases_with_enforce():
    make_person("alice", deliveries=1, delivered_at=timezone.now() - timedelta(days=800))
    out = StringIO()

    call_command("core_privacy_retention", stdout=out)

    assert "core.messagedelivery" in out.getvalue() and "Dry run: 1 rows" in out.getvalue()
    assert MessageDelivery.objects.count() == 1
    call_command("core_privacy_retention", "--enforce", stdout=out)
    assert MessageDelivery.objects.count() == 0


# --- the check that every personal model is registered -----------------------------------------------------------


def test_models_with_personal_fields_or_links_to_people_are_reported_until_registered_or_exempt(registry):
    from groundgame.places.models import CandidateResult, Postcode, TargetOverride

    found = registry.unregistered_personal_models()

    assert User in found  # email, first_name, last_name: contrib models are skipped, except the user model
    assert CandidateResult in found  # first_name, surname
    assert Postcode in found  # postcode
    assert TargetOverride in found  # a foreign key to the user model
    assert LogEntry not in found  # django.contrib
    assert AuditEvent not in found  # ids and field names only
    assert Group not in found

    register_people(registry)
    registry.exempt(CandidateResult, reason="candidates' names as published in election results")
    found = registry.unregistered_personal_models()

    assert User not in found and Membership not in found and CandidateResult not in found
    assert Postcode in found


def test_a_link_table_to_people_counts_as_personal(registry):
    """auth's own link tables are skipped as contrib; the same check flags a domain app's many-to-many to people."""
    assert privacy._looks_personal(Membership, {User}, None)
    assert not privacy._looks_personal(Group, {User}, None)


def test_every_installed_model_with_personal_data_is_registered_or_exempt():
    """The project-wide guard: a new model holding personal data fails here until it registers with
    `groundgame.core.privacy` (or is exempted with a reason)."""
    assert privacy.unregistered_personal_models() == []
