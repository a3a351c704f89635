"""Every write to people data: validated, atomic, audited (ids and field names only)."""

import calendar
import datetime
import re

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from groundgame.core.audit import audit_record
from groundgame.places import postcodes

from .models import (
    ConsentEvent,
    ConsentWording,
    LocalGroup,
    Membership,
    Person,
    PersonNote,
    PrivacyRequest,
    Purpose,
)
from .rules import person_of

PERSON_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "postcode",
    "status",
    "joined_on",
    "interests",
    "languages",
    "accessibility_needs",
)


def normalise_email(value: str) -> str:
    return (value or "").strip().lower()


def normalise_phone(value: str) -> str:
    """UK numbers to E.164: '07700 900123' -> '+447700900123'. Raises ValidationError otherwise."""
    digits = re.sub(r"[\s().-]", "", value or "")
    if not digits:
        return ""
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if digits.startswith("0"):
        digits = "+44" + digits[1:]
    if not re.fullmatch(r"\+\d{8,15}", digits):
        raise ValidationError({"phone": _("Enter a phone number like 07700 900123 or +44 7700 900123.")})
    return digits


def normalise_postcode(value: str) -> str:
    if not (value or "").strip():
        return ""
    try:
        parsed = postcodes.parse(value)
    except postcodes.InvalidPostcode:
        raise ValidationError({"postcode": _("Enter a UK postcode like DE22 1AA.")}) from None
    if not parsed.is_full:
        raise ValidationError({"postcode": _("Enter the full postcode, like DE22 1AA.")})
    return parsed.text


def _clean(values: dict) -> dict:
    cleaned = dict(values)
    if "email" in cleaned:
        cleaned["email"] = normalise_email(cleaned["email"])
    if "phone" in cleaned:
        cleaned["phone"] = normalise_phone(cleaned["phone"])
    if "postcode" in cleaned:
        cleaned["postcode"] = normalise_postcode(cleaned["postcode"])
    unknown = set(cleaned) - set(PERSON_FIELDS)
    if unknown:
        raise ValueError(f"not person fields: {sorted(unknown)}")
    return cleaned


@transaction.atomic
def person_create(*, acting, reason: str = "", **values) -> Person:
    person = Person(**_clean(values))
    person.full_clean()
    person.save()
    audit_record(actor=acting, action="person.create", target=person, fields=sorted(values), reason=reason)
    return person


@transaction.atomic
def person_update(*, person: Person, acting, reason: str = "", skills=None, **changes) -> Person:
    """Change the given fields (and, when `skills` is given, set the person's skills to exactly those);
    audits the names of the fields that actually changed."""
    changed = []
    for name, value in _clean(changes).items():
        if getattr(person, name) != value:
            setattr(person, name, value)
            changed.append(name)
    if changed:
        person.full_clean()
        person.save(update_fields=[*changed, "updated_at"])
    if skills is not None and {s.pk for s in skills} != set(person.skills.values_list("pk", flat=True)):
        person.skills.set(skills)
        changed.append("skills")
    if changed:
        audit_record(actor=acting, action="person.update", target=person, fields=changed, reason=reason)
    return person


@transaction.atomic
def person_note_add(*, person: Person, acting, author: Person | None, text: str, visibility: str) -> PersonNote:
    """Add a note about `person`, readable by the roles `visibility` names (selectors.notes_visible_to)."""
    note = PersonNote(person=person, author=author, text=text.strip(), visibility=visibility)
    note.full_clean()
    note.save()
    audit_record(actor=acting, action="note.create", target=note, fields=["person", "text", "visibility"])
    return note


@transaction.atomic
def group_create(*, acting, name: str, slug: str, level: str, parent: LocalGroup | None = None, **values) -> LocalGroup:
    group = LocalGroup(name=name, slug=slug, level=level, parent=parent, **values)
    group.full_clean()
    group.save()
    audit_record(actor=acting, action="group.create", target=group, fields=["name", "level", "parent"])
    return group


@transaction.atomic
def membership_request(*, person: Person, group: LocalGroup, acting) -> Membership:
    """Ask to join `group`: active at once for open groups, otherwise waiting for an organiser."""
    membership = Membership.objects.select_for_update().filter(person=person, group=group).first()
    if membership is not None and membership.status in (Membership.Status.ACTIVE, Membership.Status.REQUESTED):
        return membership
    membership = membership or Membership(person=person, group=group)
    opens = group.join_policy == LocalGroup.JoinPolicy.OPEN
    membership.status = Membership.Status.ACTIVE if opens else Membership.Status.REQUESTED
    membership.role = Membership.Role.MEMBER
    membership.decided_at = timezone.now() if opens else None
    membership.full_clean(validate_unique=False)
    membership.save()
    audit_record(actor=acting, action="membership.request", target=membership, fields=["status"])
    return membership


@transaction.atomic
def membership_decide(*, membership: Membership, approve: bool, acting, decided_by: Person | None) -> Membership:
    if membership.status != Membership.Status.REQUESTED:
        raise ValidationError(_("This request has already been decided."))
    membership.status = Membership.Status.ACTIVE if approve else Membership.Status.DECLINED
    membership.decided_at, membership.decided_by = timezone.now(), decided_by
    membership.save(update_fields=["status", "decided_at", "decided_by"])
    audit_record(actor=acting, action="membership.decide", target=membership, fields=["status", "decided_by"])
    return membership


@transaction.atomic
def membership_set_role(*, membership: Membership, role: str, acting) -> Membership:
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if membership.status != Membership.Status.ACTIVE:
        raise ValidationError(_("Only active members can be given a role."))
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record(actor=acting, action="membership.role", target=membership, fields=["role"])
    return membership


def contact_hash(value: str) -> str:
    """Keyed hash of a contact detail: proves which address consented without keeping the address."""
    from groundgame.core.messaging import contact_digest

    return contact_digest(value) if value else ""


@transaction.atomic
def consent_record(
    *,
    person: Person,
    purpose: str,
    basis: str,
    action: str,
    method: str,
    acting,
    wording: ConsentWording | None = None,
    occurred_at: datetime.datetime | None = None,
) -> ConsentEvent:
    """Append a consent event (history is never rewritten)."""
    if purpose not in Purpose.values:
        raise ValidationError({"purpose": _("Unknown purpose.")})
    if wording is not None and wording.purpose != purpose:
        raise ValidationError({"wording": _("That wording was written for another purpose.")})
    contact = {Purpose.EMAIL: person.email, Purpose.SMS: person.phone, Purpose.PHONE: person.phone}.get(purpose, "")
    event = ConsentEvent(
        person=person,
        purpose=purpose,
        basis=basis,
        action=action,
        method=method,
        wording=wording,
        occurred_at=occurred_at or timezone.now(),
        contact_hash=contact_hash(normalise_email(contact) if purpose == Purpose.EMAIL else contact),
    )
    event.full_clean()
    event.save()
    audit_record(actor=acting, action="consent.record", target=event, fields=["purpose", "basis", "action"])
    return event


def add_one_month(day: datetime.date) -> datetime.date:
    """The same day next month, or that month's last day (the ICO's 'one calendar month')."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


@transaction.atomic
def privacy_request_open(
    *, person: Person, kind: str, acting, received_on: datetime.date | None = None, details: str = ""
) -> PrivacyRequest:
    received_on = received_on or timezone.localdate()
    request = PrivacyRequest(
        person=person, kind=kind, received_on=received_on, due_on=add_one_month(received_on), details=details
    )
    request.full_clean()
    request.save()
    audit_record(actor=acting, action="privacy_request.open", target=request, fields=["kind", "due_on"])
    return request


@transaction.atomic
def person_for_account(*, user) -> Person:
    """The signed-in user's person record, created from the account's email address if they have none.

    A record that already holds the account's address (an imported member, say) is linked only when allauth has
    verified that the account owns the address; otherwise joining is refused with a message."""
    person = person_of(user)
    if person is not None:
        return person
    email = normalise_email(user.email)
    existing = (
        Person.objects.select_for_update().filter(email__iexact=email, erased_at__isnull=True).first()
        if email
        else None
    )
    if existing is not None:
        if existing.user_id is not None:
            raise ValidationError(
                _("Your email address is recorded against another account. Please ask a data steward to help.")
            )
        if not EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists():
            raise ValidationError(
                _("Someone with your email address is already recorded. Confirm your email address, then try again.")
            )
        person = existing
    else:
        first_name = (email.split("@")[0] if email else user.get_username())[:80]
        person = person_create(acting=user, reason="joined a group", first_name=first_name, email=email)
    person.user = user
    person.save(update_fields=["user", "updated_at"])
    audit_record(actor=user, action="person.link_account", target=person, fields=["user"], reason="joined a group")
    return person


@transaction.atomic
def privacy_request_close(*, request: PrivacyRequest, status: str, acting) -> PrivacyRequest:
    if status not in (PrivacyRequest.Status.DONE, PrivacyRequest.Status.REFUSED):
        raise ValueError(f"not a closing status: {status}")
    request.status = status
    request.handled_by = person_of(acting)
    request.completed_at = timezone.now()
    request.save(update_fields=["status", "handled_by", "completed_at"])
    audit_record(actor=acting, action="privacy_request.close", target=request, fields=["status", "handled_by"])
    return request


@transaction.atomic
def person_erase(*, person: Person, acting, reason: str):
    """Erase a person everywhere (core.privacy), after putting their email addresses and phone number on the
    suppression list, so that neither messages nor a later import can bring them back."""
    from groundgame.core import privacy
    from groundgame.core.messaging import suppressed_contact_add
    from groundgame.core.models import Channel

    account_email = person.user.email if person.user_id else ""
    for channel, value in ((Channel.EMAIL, person.email), (Channel.EMAIL, account_email), (Channel.SMS, person.phone)):
        if value:
            suppressed_contact_add(channel=channel, value=value, acting=acting, reason=reason)
    return privacy.erase_person(person, actor=acting, reason=reason)
