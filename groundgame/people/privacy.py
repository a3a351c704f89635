"""How people data is exported, erased and retained (the privacy registry), and the lawful-basis, address
and unsubscribe hooks the platform's one messaging service calls. Wired up in PeopleConfig.ready()."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from groundgame.core import messaging, privacy
from groundgame.core.messaging import Basis
from groundgame.core.privacy import Erasure

CHANNEL_PURPOSE = {"email": "email", "sms": "sms"}


def register_models() -> None:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    from .models import ConsentEvent, Membership, Person, PersonNote, PrivacyRequest, StaffRole

    privacy.register(
        Person,
        category="member records",
        person_field="",
        personal_fields=[
            "first_name",
            "last_name",
            "email",
            "phone",
            "postcode",
            "interests",
            "languages",
            "accessibility_needs",
            "user",
        ],  # fmt: skip
        erasure=Erasure.ANONYMISE,
        anonymise={
            "first_name": "Erased",
            "last_name": "",
            "email": "",
            "phone": "",
            "postcode": "",
            "interests": "",
            "languages": lambda row: [],
            "accessibility_needs": "",
            "joined_on": None,
            "user": None,
            "erased_at": lambda row: timezone.now(),
        },
        already_erased=_erased(),
    )
    privacy.register(
        Person.skills.through,
        category="member records",
        person_field="person",
        personal_fields=["skill"],
        erasure=Erasure.DELETE,
    )
    privacy.register(
        PersonNote, category="notes", person_field="person", personal_fields=["text"], erasure=Erasure.DELETE
    )
    privacy.register(
        Membership,
        category="group membership",
        person_field="person",
        personal_fields=["group", "role", "status"],
        erasure=Erasure.DELETE,
    )
    privacy.register(
        StaffRole, category="roles", person_field="person", personal_fields=["role"], erasure=Erasure.DELETE
    )
    privacy.register(
        ConsentEvent,
        category="consent evidence",
        person_field="person",
        personal_fields=["contact_hash"],
        erasure=Erasure.KEEP,
        keep_reason="minimum proof of consent the law needs: a keyed hash of the contact detail, the dates and the "
        "wording id; the person it points to is an anonymous tombstone after erasure",
    )
    privacy.register(
        PrivacyRequest,
        category="privacy requests",
        person_field="person",
        personal_fields=["details"],
        erasure=Erasure.KEEP,
        keep_reason="accountability: proof that the request (including an erasure request) was handled",
        retention=datetime.timedelta(days=6 * 365),
        retention_date_field="received_on",
    )
    privacy.register(
        EmailAddress,
        category="accounts",
        person_field="user__person",
        personal_fields=["email"],
        erasure=Erasure.DELETE,
    )
    privacy.register(
        Authenticator,
        category="accounts",
        person_field="user__person",
        personal_fields=["data"],
        erasure=Erasure.DELETE,
        export=lambda rows: list(rows.values("type", "created_at", "last_used_at")),  # never export the secret
    )
    privacy.register(
        get_user_model(),
        category="accounts",
        person_field="person",
        personal_fields=["username", "email", "first_name", "last_name"],
        erasure=Erasure.ANONYMISE,
        anonymise={
            "username": lambda row: f"erased-{row.pk}",
            "email": "",
            "first_name": "",
            "last_name": "",
            "is_active": False,
            "password": "!",
        },
        # Never export credentials: the password hash stays out of the subject access export.
        export=lambda rows: list(
            rows.values("username", "email", "first_name", "last_name", "date_joined", "last_login", "is_active")
        ),
    )


def _erased():
    from django.db.models import Q

    return Q(erased_at__isnull=False)


def basis_for(recipient, channel: str, purpose: str) -> Basis | None:
    """A valid basis for the channel itself (email updates, texts) and for the message's purpose."""
    from .models import Person
    from .selectors import consent_current

    if not isinstance(recipient, Person) or recipient.erased_at is not None:
        return None
    needed = _purposes_for(channel, purpose)
    evidence = None
    for each in sorted(needed):
        event = consent_current(person=recipient, purpose=each)
        if event is None or event.action != event.Action.GIVEN:
            return None
        evidence = evidence or event
    return Basis(name=evidence.basis, evidence_id=evidence.pk)


def _purposes_for(channel: str, purpose: str) -> set[str]:
    """The purposes a message needs a basis for (and an unsubscribe withdraws): its own, and, unless it is a service
    message (a booking's confirmation), the channel's (email updates, texts)."""
    from .models import SERVICE_PURPOSES

    if purpose in SERVICE_PURPOSES:
        return {purpose}
    return {CHANNEL_PURPOSE.get(channel, channel), purpose}


def address_for(recipient, channel: str) -> str | None:
    return {"email": recipient.email, "sms": recipient.phone}.get(channel) or None


def unsubscribe(recipient_id: int, channel: str, purpose: str) -> None:
    """Withdraw consent for the channel (and the message's purpose) from an unsubscribe link."""
    from .models import ConsentEvent, Person
    from .services import consent_record

    person = Person.objects.filter(pk=recipient_id, erased_at__isnull=True).first()
    if person is None:
        return
    for each in sorted(_purposes_for(channel, purpose)):
        current = ConsentEvent.objects.filter(person=person, purpose=each).order_by("-occurred_at", "-pk").first()
        if current is not None and current.action == ConsentEvent.Action.GIVEN:
            consent_record(
                person=person,
                purpose=each,
                basis=current.basis,
                action=ConsentEvent.Action.WITHDRAWN,
                method=ConsentEvent.Method.UNSUBSCRIBE,
                acting=None,
            )


def connect() -> None:
    register_models()
    messaging.set_basis_checker(basis_for)
    messaging.set_address_resolver(address_for)
    messaging.set_unsubscribe_handler(unsubscribe)
