"""How canvassing data is exported, erased and retained (the privacy registry). Wired up in CanvassingConfig.ready().

Electors are data subjects without a Person record unless a data steward links one (`Elector.person`, e.g. to
answer a subject access request); erasure then deletes the elector row (its register copy's other rows stay) and
strips the contact records about them of the link and of free text. Canvassers' records are found through the
proxy CanvasserContact (a registry entry follows one path to a person). Addresses are households shared by other
electors: kept on one person's erasure, deleted with their register copy (canvassing.services, on its delete-by
date). Free text in contact records is cleared two years after it was recorded.
"""

import datetime

from django.db.models import Q
from django.utils import timezone

from groundgame.core import privacy
from groundgame.core.privacy import Erasure

CONTACT_EXPORT = (
    "id", "campaign__name", "recorded_at", "outcome", "intention", "certainty", "issues", "follow_ups", "notes",
    "unlisted_name",
)  # fmt: skip


def connect() -> None:
    from .models import Address, CanvasserContact, ContactRecord, Elector, RegisterAccess, WalkList, WalkListClaim

    if privacy.entry_for(Elector) is not None:
        return
    privacy.register(
        Elector,
        category="register",
        person_field="person",
        personal_fields=[
            "title",
            "first_names",
            "surname",
            "markers",
            "franchise",
            "postal_voter",
            "proxy_voter",
            "attainer_date",
        ],  # fmt: skip
        erasure=Erasure.DELETE,
        export=lambda rows: list(
            rows.values(
                "campaign__name",
                "polling_district__code",
                "number",
                "suffix",
                "title",
                "first_names",
                "surname",
                "markers",
                "franchise",
                "postal_voter",
                "proxy_voter",
                "attainer_date",
                "address__street",
                "address__house_number",
                "address__postcode",
            )  # fmt: skip
        ),
    )
    privacy.register(
        Address,
        category="register",
        person_field="electors__person",
        personal_fields=["flat", "house_name", "house_number", "street", "postcode"],
        erasure=Erasure.KEEP,
        keep_reason="a household on the register, shared with other electors; deleted with its register copy",
    )
    privacy.register(
        ContactRecord,
        category="canvassing",
        person_field="elector__person",
        personal_fields=["elector", "intention", "certainty", "issues", "notes", "unlisted_name"],
        erasure=Erasure.ANONYMISE,
        anonymise={"elector": None, "notes": "", "unlisted_name": "", "redacted_at": lambda row: timezone.now()},
        already_erased=Q(redacted_at__isnull=False),
        retention=datetime.timedelta(days=730),
        retention_date_field="recorded_at",
        export=lambda rows: list(rows.values(*CONTACT_EXPORT)),
    )
    privacy.register(
        CanvasserContact,
        category="canvassing",
        person_field="canvasser",
        personal_fields=["canvasser"],
        erasure=Erasure.ANONYMISE,
        anonymise={"canvasser": None},
        export=lambda rows: list(rows.values("id", "campaign__name", "recorded_at", "outcome")),
    )
    privacy.register(
        RegisterAccess,
        category="register",
        person_field="person",
        personal_fields=["person"],
        erasure=Erasure.DELETE,
        export=lambda rows: list(rows.values("campaign__name", "granted_at", "revoked_at")),
    )
    privacy.register(
        WalkList,
        category="canvassing",
        person_field="assigned_to",
        personal_fields=["assigned_to"],
        erasure=Erasure.ANONYMISE,
        anonymise={"assigned_to": None},
        export=lambda rows: list(rows.values("name", "campaign__name", "status", "created_at")),
    )
    privacy.register(
        WalkListClaim,
        category="canvassing",
        person_field="claimed_by",
        personal_fields=["claimed_by", "claimed_at"],
        erasure=Erasure.ANONYMISE,
        anonymise={"claimed_by": None},
        export=lambda rows: list(rows.values("name", "campaign__name", "claimed_at", "released_at")),
    )
