"""How polling-day data is exported, erased and retained (the privacy registry). Wired up in PollingDayConfig.ready().

Who voted and who promised is about electors (data subjects reached through `Elector.person` when a data steward
linked one): those rows are deleted on erasure and RETENTION after they were made, long enough for an election
petition (21 days, or 28 after expenses are returned) and the campaign's own review. The volunteers on them
(tellers, knockers, drivers, pass holders) are anonymised on their erasure: the counts stay.
"""

import datetime

from groundgame.core import privacy
from groundgame.core.privacy import Erasure

RETENTION = datetime.timedelta(days=180)
CATEGORY = "polling_day"


def connect() -> None:
    from .models import (
        CommitteeRoom,
        KnockUpList,
        KnockUpMark,
        KnockUpMarkByKnocker,
        PollingLift,
        PollingLiftByDriver,
        PollingStation,
        Promise,
        TellerPass,
        TellingEntry,
        TellingEntryByTeller,
    )

    if privacy.entry_for(Promise) is not None:
        return
    privacy.exempt(PollingStation, reason="a public building where people vote: its address is not about a person")
    privacy.exempt(CommitteeRoom, reason="a campaign centre: its address is the campaign's, not a person's")
    about_electors = {
        Promise: ("added_at", ["elector", "postal"], ("plan__campaign__name", "district__code", "postal", "added_at")),
        TellingEntry: ("recorded_at", ["elector", "text"], ("plan__campaign__name", "station__name", "recorded_at")),
        KnockUpMark: ("recorded_at", ["elector", "outcome"], ("plan__campaign__name", "outcome", "recorded_at")),
        PollingLift: ("requested_at", ["elector"], ("plan__campaign__name", "station__name", "status", "requested_at")),
    }
    for model, (date_field, fields, export) in about_electors.items():
        privacy.register(
            model,
            category=CATEGORY,
            person_field="elector__person",
            personal_fields=fields,
            erasure=Erasure.DELETE,
            retention=RETENTION,
            retention_date_field=date_field,
            export=lambda rows, export=export: list(rows.values(*export)),
        )
    volunteers = {
        TellingEntryByTeller: ("teller", ("plan__campaign__name", "station__name", "kind", "recorded_at")),
        KnockUpMarkByKnocker: ("knocker", ("plan__campaign__name", "outcome", "recorded_at")),
        PollingLiftByDriver: ("driver", ("plan__campaign__name", "station__name", "status", "requested_at")),
        TellerPass: ("person", ("station__name", "issued_at", "expires_at", "revoked_at")),
        KnockUpList: ("assigned_to", ("name", "round__committee_room__name", "round__number")),
    }
    for model, (field, export) in volunteers.items():
        privacy.register(
            model,
            category=CATEGORY,
            person_field=field,
            personal_fields=[field],
            erasure=Erasure.ANONYMISE,
            anonymise={field: None},
            export=lambda rows, export=export: list(rows.values(*export)),
        )
