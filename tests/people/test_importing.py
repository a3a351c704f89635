"""Member CSV import: mapping, dry run, row/field report, all-or-nothing commit, matching, refusals, audit."""

import csv
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from groundgame.core.messaging import contact_hash, suppressed_contact_add
from groundgame.core.models import AuditEvent, Channel
from groundgame.core.privacy import erase_person
from groundgame.people import importing, services
from groundgame.people.models import ConsentEvent, Membership, Person, Purpose, Skill

from .factories import GroupFactory, PersonFactory, wording

pytestmark = pytest.mark.django_db

HEADER = ["First name", "Surname", "Email", "Mobile", "Postcode", "Status", "Joined", "Skills", "Group", "Email opt-in"]
MAPPING = {
    "First name": "first_name",
    "Surname": "last_name",
    "Email": "email",
    "Mobile": "phone",
    "Postcode": "postcode",
    "Status": "status",
    "Joined": "joined_on",
    "Skills": "skills",
    "Group": "group",
    "Email opt-in": "consent_email",
}
GOOD_ROWS = [
    ["Aisha", "Khan", " Aisha.Khan@Example.org ", "07700 900123", "de221aa", "member", "2023-04-01",
     "Canvassing; Driving", "leeds-central", "yes"],
    ["Tom", "Jones", "tom.jones@example.com", "", "LS6 1AA", "Supporter", "01/02/2024", "", "leeds-central", "no"],
    ["Nia", "Evans", "nia@example.net", "0113 496 0001", "", "", "", "canvassing", "", "yes"],
]  # fmt: skip


def write(tmp_path: Path, rows, *, header=HEADER, name="members.csv", encoding="utf-8") -> Path:
    path = tmp_path / name
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def snapshot() -> dict[str, int]:
    return {
        "people": Person.objects.count(),
        "memberships": Membership.objects.count(),
        "consents": ConsentEvent.objects.count(),
        "skills": Skill.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


@pytest.fixture
def group():
    wording(Purpose.EMAIL)
    return GroupFactory(slug="leeds-central", name="Leeds Central and Headingley")


def messages(report: importing.ImportReport) -> list[str]:
    return [str(e) for e in report.errors]


# --- malformed files: a report, and nothing written ----------------------------------------------------------


def test_malformed_file_yields_a_row_and_field_report_and_writes_nothing(tmp_path, group):
    bad = [
        *GOOD_ROWS,
        ["Bad", "Email", "not-an-email", "", "", "", "", "", "", ""],
        ["Bad", "Phone", "bad.phone@example.org", "12ab", "XYZ 123", "boss", "31/02/2024", "", "nowhere", "maybe"],
        ["Dup", "Licate", "AISHA.KHAN@example.org", "", "", "", "", "", "", ""],
        ["", "Nameless", "nameless@example.org", "", "", "", "", "", "", ""],
    ]
    path = write(tmp_path, bad)
    before = snapshot()

    report = importing.dry_run(path, MAPPING)
    with pytest.raises(importing.ImportRefused) as refused:
        importing.commit(path, MAPPING, acting=None)

    assert snapshot() == before
    assert not report.ok and refused.value.report.error_count == report.error_count
    found = {(e.line, e.column) for e in report.errors}
    assert {(5, "Email"), (6, "Mobile"), (6, "Postcode"), (6, "Status"), (6, "Joined"), (6, "Group")} <= found
    assert (6, "Email opt-in") in found and (8, "First name") in found
    assert report.duplicates == [importing.Duplicate(line=7, first_line=2, column="Email")]
    assert "line 7, Email: the same email as line 2 (duplicate row)" in messages(report)
    assert "not-an-email" not in " ".join(messages(report))  # personal values are not repeated in the report


def test_missing_mapped_column_is_reported_on_the_header_line_and_nothing_is_written(tmp_path, group):
    path = write(tmp_path, [row[:2] + row[3:] for row in GOOD_ROWS], header=[c for c in HEADER if c != "Email"])
    before = snapshot()

    with pytest.raises(importing.ImportRefused) as refused:
        importing.commit(path, MAPPING, acting=None)

    report = refused.value.report
    assert snapshot() == before
    assert report.errors[0].line == 1 and report.errors[0].column == "Email"
    assert "no such column" in report.errors[0].message


def test_a_mapping_without_first_name_or_without_email_and_phone_is_refused(tmp_path, group):
    path = write(tmp_path, GOOD_ROWS)

    report = importing.dry_run(path, {"Surname": "last_name", "Postcode": "postcode"})

    assert "map a column to first_name (it is required)" in messages(report)
    assert any("email or phone" in m for m in messages(report))
    assert report.rows == 0  # rows are not validated against a broken mapping


def test_bad_encoding_is_reported_with_its_line_and_nothing_is_written(tmp_path, group):
    path = write(tmp_path, GOOD_ROWS + [["Zoë", "Brontë", "zoe@example.org", "", "", "", "", "", "", ""]])
    path.write_bytes(path.read_bytes().replace("Zoë".encode(), "Zoë".encode("latin-1")))
    before = snapshot()

    with pytest.raises(importing.ImportRefused) as refused:
        importing.commit(path, MAPPING, acting=None)

    assert snapshot() == before
    (error,) = refused.value.report.errors
    assert error.line == 5 and "not UTF-8" in error.message and "byte 0xEB" in error.message


def test_a_utf16_or_empty_file_is_an_error_naming_the_file(tmp_path, group):
    utf16 = write(tmp_path, GOOD_ROWS, name="excel.csv", encoding="utf-16")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")

    assert "excel.csv: the file is UTF-16" in messages(importing.dry_run(utf16, MAPPING))[0]
    assert "empty.csv: the file is empty" in messages(importing.dry_run(empty, MAPPING))[0]


def test_a_row_with_more_values_than_the_header_is_an_error(tmp_path, group):
    path = write(tmp_path, [GOOD_ROWS[0] + ["surplus"]])

    assert "line 2: 11 values, but the header names 10 columns" in messages(importing.dry_run(path, MAPPING))


def test_duplicate_rows_are_reported_with_both_line_numbers_whatever_the_formatting(tmp_path, group):
    rows = [
        ["A", "One", "a@example.org", "07700 900001", "", "", "", "", "", ""],
        ["B", "Two", "b@example.org", "+44 7700 900001", "", "", "", "", "", ""],
        ["C", "Three", "A@EXAMPLE.ORG", "", "", "", "", "", "", ""],
    ]
    report = importing.dry_run(write(tmp_path, rows), MAPPING)

    assert report.duplicates == [
        importing.Duplicate(line=3, first_line=2, column="Mobile"),
        importing.Duplicate(line=4, first_line=2, column="Email"),
    ]
    assert not report.ok


# --- good files ----------------------------------------------------------------------------------------------


def test_a_good_file_imports_people_with_memberships_skills_consent_and_audit(tmp_path, group):
    path = write(tmp_path, GOOD_ROWS)
    importer = PersonFactory(email="organiser@example.org")

    dry = importing.dry_run(path, MAPPING, default_group="leeds-central")
    report = importing.commit(path, MAPPING, acting=importer, default_group="leeds-central")

    assert (dry.new, dry.memberships, dry.consent_events, dry.skills_created) == (3, 3, 2, 2)
    assert (report.new, report.memberships, report.consent_events, report.committed) == (3, 3, 2, True)
    aisha = Person.objects.get(email="aisha.khan@example.org")
    assert (aisha.phone, aisha.postcode, aisha.status, str(aisha.joined_on)) == (
        "+447700900123",
        "DE22 1AA",
        "member",
        "2023-04-01",
    )
    assert sorted(aisha.skills.values_list("name", flat=True)) == ["Canvassing", "Driving"]
    tom = Person.objects.get(email="tom.jones@example.com")
    assert (tom.status, str(tom.joined_on), tom.consent_events.count()) == ("supporter", "2024-02-01", 0)
    nia = Person.objects.get(email="nia@example.net")
    assert nia.status == Person.Status.SUPPORTER and list(nia.skills.values_list("name", flat=True)) == ["Canvassing"]
    membership = aisha.memberships.get()
    assert (membership.group, membership.status, membership.role) == (group, "active", "member")
    event = aisha.consent_events.get()
    assert (event.purpose, event.basis, event.action, event.method) == ("email", "consent", "given", "import")
    assert event.wording == wording(Purpose.EMAIL)
    assert event.contact_hash == contact_hash(channel=Channel.EMAIL, value="aisha.khan@example.org")

    created = AuditEvent.objects.filter(action="person.create", reason="member import: members.csv")
    assert created.count() == 3
    aisha_audit = created.get(target_id=str(aisha.pk))
    assert set(aisha_audit.fields) == {
        "first_name", "last_name", "email", "phone", "postcode", "status", "joined_on", "skills", "memberships",
        "consent_events",
    }  # fmt: skip
    summary = AuditEvent.objects.get(action="people.import")
    assert summary.actor_id is None  # the importer has no account: "the system"
    assert summary.reason.startswith("members.csv: 3 rows: 3 new")
    everything = " ".join(str(e.fields) + e.reason for e in AuditEvent.objects.all()).lower()
    assert "aisha" not in everything and "07700" not in everything


def test_reimporting_the_same_file_is_idempotent(tmp_path, group):
    path = write(tmp_path, GOOD_ROWS)
    importing.commit(path, MAPPING, acting=None, default_group="leeds-central")
    after_first = snapshot()

    again = importing.commit(path, MAPPING, acting=None, default_group="leeds-central")
    updating = importing.commit(path, MAPPING, acting=None, default_group="leeds-central", merge_default="update")

    assert (again.new, again.skipped, updating.new, updating.unchanged, updating.updated) == (0, 3, 0, 3, 0)
    assert {m.matched_on for m in again.merge_review} == {("email", "phone"), ("email",)}
    now = snapshot()
    assert now == {**after_first, "audit": after_first["audit"] + 2}  # one "people.import" row per run, no more
    assert AuditEvent.objects.filter(action="people.import").count() == 3


def test_an_existing_person_is_skipped_by_default_and_updated_when_the_merge_review_says_so(tmp_path, group):
    existing = PersonFactory(first_name="Tom", last_name="Jones", email="tom.jones@example.com", phone="", postcode="")
    other = GroupFactory(slug="other")
    path = write(tmp_path, [GOOD_ROWS[1]])

    review = importing.dry_run(path, MAPPING)
    (candidate,) = review.merge_review
    skipped = importing.commit(path, MAPPING, acting=None)
    existing.refresh_from_db()
    postcode_before = existing.postcode
    updated = importing.commit(path, MAPPING, acting=None, merge_decisions={existing.pk: "update"})
    existing.refresh_from_db()

    assert candidate == importing.MergeCandidate(
        line=2,
        person_id=existing.pk,
        matched_on=("email",),
        decision="skip",
        changes=("group", "joined_on", "postcode", "status"),
    )
    assert (skipped.skipped, skipped.new, postcode_before) == (1, 0, "")
    assert (updated.updated, existing.postcode, existing.status, str(existing.joined_on)) == (
        1,
        "LS6 1AA",
        "supporter",
        "2024-02-01",
    )
    assert list(existing.memberships.values_list("group__slug", flat=True)) == ["leeds-central"]
    assert not other.memberships.exists()
    audit = AuditEvent.objects.get(action="person.update", target_id=str(existing.pk))
    assert audit.fields == ["joined_on", "postcode", "status", "memberships"]


def test_consent_no_in_the_file_withdraws_consent_in_force_for_an_updated_person(tmp_path, group):
    person = PersonFactory(email="tom.jones@example.com")
    services.consent_record(
        person=person,
        purpose=Purpose.EMAIL,
        basis="consent",
        action="given",
        method="web",
        acting=None,
        wording=wording(Purpose.EMAIL),
    )
    path = write(tmp_path, [GOOD_ROWS[1]])

    importing.commit(path, {"First name": "first_name", "Email": "email", "Email opt-in": "consent_email"}, acting=None,
                     merge_default="update")  # fmt: skip

    latest = person.consent_events.order_by("-occurred_at", "-pk").first()
    assert (latest.action, latest.method, latest.wording) == ("withdrawn", "import", None)


def test_consent_to_email_needs_an_email_address_and_to_texts_a_phone_number(tmp_path, group):
    wording(Purpose.SMS)
    rows = [
        ["Sam", "", "", "07700 900321", "", "", "", "", "", "yes", ""],
        ["Jo", "", "jo@example.org", "", "", "", "", "", "", "", "yes"],
    ]
    path = write(tmp_path, rows, header=[*HEADER, "SMS opt-in"])

    report = importing.dry_run(path, {**MAPPING, "SMS opt-in": "consent_sms"})

    assert messages(report) == [
        "line 2, Email opt-in: consent needs an email address",
        "line 3, SMS opt-in: consent needs a phone number",
    ]


def test_consent_for_a_person_matched_by_phone_keeps_the_hash_of_their_recorded_email(tmp_path, group):
    person = PersonFactory(email="recorded@example.org", phone="+447700900321")
    path = write(tmp_path, [["Sam", "", "", "07700 900321", "", "", "", "", "", "yes"]])

    importing.commit(path, MAPPING, acting=None, merge_default="update")

    event = person.consent_events.get()
    assert event.contact_hash == contact_hash(channel=Channel.EMAIL, value="recorded@example.org")


def test_a_row_whose_email_and_phone_match_two_different_people_is_an_error(tmp_path, group):
    PersonFactory(email="aisha.khan@example.org", phone="")
    PersonFactory(email="someone.else@example.org", phone="+447700900123")
    path = write(tmp_path, [GOOD_ROWS[0]])

    report = importing.dry_run(path, MAPPING)

    assert not report.ok
    assert "the email matches person #" in messages(report)[0]


def test_rows_may_only_join_the_groups_the_importer_is_allowed(tmp_path, group):
    path = write(tmp_path, GOOD_ROWS[:1])

    report = importing.dry_run(path, MAPPING, allowed_group_ids={GroupFactory().pk})

    assert "line 2, Group: you may not import into group 'leeds-central'" in messages(report)


def test_consent_column_needs_a_recorded_wording(tmp_path):
    GroupFactory(slug="leeds-central")
    path = write(tmp_path, GOOD_ROWS)

    report = importing.dry_run(path, MAPPING)

    assert "Email opt-in: there is no email wording: record the wording people were shown first" in messages(report)


def test_a_wording_version_can_be_named_in_the_mapping(tmp_path, group):
    path = write(tmp_path, GOOD_ROWS[:1])

    missing = importing.dry_run(path, {**MAPPING, "Email opt-in": "consent_email:7"})
    importing.commit(path, {**MAPPING, "Email opt-in": "consent_email:1"}, acting=None)

    assert "Email opt-in: there is no version 7 of the email consent wording" in messages(missing)[0]
    assert ConsentEvent.objects.get().wording.version == 1


# --- refusals: suppressed and erased contact details ----------------------------------------------------------


def test_a_suppressed_contact_is_refused_and_the_rest_imported(tmp_path, group):
    suppressed_contact_add(channel=Channel.SMS, value="+44 7700 900123")
    path = write(tmp_path, GOOD_ROWS)

    report = importing.commit(path, MAPPING, acting=None)

    assert report.refused == [importing.Refusal(2, importing.SUPPRESSED)]
    assert report.new == 2
    assert not Person.objects.filter(email="aisha.khan@example.org").exists()


def test_an_erased_person_cannot_be_reimported(tmp_path, group):
    """Erasure keeps only the keyed hash of the contact detail in the consent evidence; the import matches it even
    when erasure has not put the detail on the suppression list."""
    path = write(tmp_path, GOOD_ROWS[:1])
    importing.commit(path, MAPPING, acting=None)
    erase_person(Person.objects.get(email="aisha.khan@example.org"), actor=None, reason="erasure request 1")

    report = importing.commit(path, MAPPING, acting=None)

    assert report.refused == [importing.Refusal(2, importing.ERASED)]
    assert report.new == 0
    assert not Person.objects.filter(email="aisha.khan@example.org").exists()


def test_an_erased_person_on_the_suppression_list_cannot_be_reimported(tmp_path, group):
    person = PersonFactory(email="aisha.khan@example.org")
    suppressed_contact_add(channel=Channel.EMAIL, value=person.email, reason="erasure request 2")
    erase_person(person, actor=None, reason="erasure request 2")

    report = importing.dry_run(write(tmp_path, GOOD_ROWS[:1]), MAPPING)

    assert report.refused == [importing.Refusal(2, importing.SUPPRESSED)] and report.new == 0


# --- mapping suggestions and the command ---------------------------------------------------------------------


def test_suggest_mapping_recognises_common_column_names():
    header = ["Forename", "Surname", "E-mail address", "Mobile number", "Post code", "Member since", "Branch",
              "Email opt-in", "SMS consent", "Favourite colour"]  # fmt: skip

    assert importing.suggest_mapping(header) == {
        "Forename": "first_name",
        "Surname": "last_name",
        "E-mail address": "email",
        "Mobile number": "phone",
        "Post code": "postcode",
        "Member since": "joined_on",
        "Branch": "group",
        "Email opt-in": "consent_email",
        "SMS consent": "consent_sms",
    }


def test_preview_gives_the_header_sample_rows_and_a_suggested_mapping(tmp_path, group):
    preview = importing.preview(write(tmp_path, GOOD_ROWS), rows=2)

    assert preview.header == HEADER and len(preview.rows) == 2
    assert preview.suggested["Mobile"] == "phone"


def test_the_command_dry_run_prints_the_report_and_writes_nothing(tmp_path, group, capsys):
    path = write(tmp_path, GOOD_ROWS)
    before = snapshot()

    call_command(
        "people_import_members", str(path), "--dry-run", "--quiet", *[f"--map={c}={f}" for c, f in MAPPING.items()]
    )

    out = capsys.readouterr().out
    assert "Dry run members.csv: 3 rows: 3 new" in out
    assert snapshot() == before


def test_the_command_imports_with_a_guessed_mapping_and_fails_on_errors(tmp_path, group, capsys):
    good = write(tmp_path, GOOD_ROWS)
    bad = write(tmp_path, [["X", "Y", "nope", "", "", "", "", "", "", ""]], name="bad.csv")

    call_command("people_import_members", str(good), "--quiet", "--group", "leeds-central")
    with pytest.raises(CommandError, match="1 errors: nothing was imported"):
        call_command("people_import_members", str(bad), "--quiet")

    out = capsys.readouterr().out
    assert "Email opt-in -> consent_email" in out and "Imported members.csv: 3 rows: 3 new" in out
    assert "line 2, Email: not a valid email address" in out
    assert Person.objects.count() == 3
