"""How democracy data is exported, erased and retained (the privacy registry). Wired up in DemocracyConfig.ready().

- RollEntry (who could vote, and whether they did): kept on erasure while a result may still be challenged (the
  roll is the proof that only the electorate voted, and each once); retention deletes the roll 90 days after the
  ballot closed. It holds no choice: what anyone voted is not in it.
- CastBallot (the box): no personal data. No person, no time, a random key, a receipt hash and the choices;
  nothing joins a row to a voter, so there is nothing to export or erase for anyone.
- Motion (its proposer) and MotionSupport (who supported it): the motion is a public document of the body, so
  erasure unlinks the person and keeps the text and the count of supporters.
- Amendment (its proposer): a public document of the body too; erasure unlinks the proposer.
- Comment (its author and words): erasure unlinks the author and blanks the text (the page says it was removed).
- BallotResult: counts and the transcript, no person.
"""

import datetime

from groundgame.core import privacy
from groundgame.core.privacy import Erasure

CHALLENGE_PERIOD = datetime.timedelta(days=90)


def _export_roll(rows):
    return list(rows.values("id", "ballot_id", "ballot__question", "ballot__closes_at", "voted"))


def connect() -> None:
    from .models import (
        Amendment,
        Ballot,
        BallotOption,
        BallotResult,
        Body,
        CastBallot,
        Comment,
        Motion,
        MotionSupport,
        RollEntry,
    )

    privacy.register(
        RollEntry,
        category="member ballots: voter roll",
        person_field="person",
        personal_fields=["person", "voted"],
        erasure=Erasure.KEEP,
        keep_reason=(
            "The voter roll proves who could vote and that each voted once; it is kept until the result can no "
            "longer be challenged (90 days after the ballot closes), then deleted. It records no choices."
        ),
        retention=CHALLENGE_PERIOD,
        retention_date_field="ballot_closes_at",
        export=_export_roll,
    )
    privacy.register(
        Motion,
        category="member democracy: motions",
        person_field="proposer",
        personal_fields=["proposer"],
        erasure=Erasure.ANONYMISE,
        anonymise={"proposer": None},
    )
    privacy.register(
        MotionSupport,
        category="member democracy: motions",
        person_field="person",
        personal_fields=["person"],
        erasure=Erasure.ANONYMISE,
        anonymise={"person": None},
    )
    privacy.register(
        Amendment,
        category="member democracy: motions",
        person_field="proposer",
        personal_fields=["proposer"],
        erasure=Erasure.ANONYMISE,
        anonymise={"proposer": None},
    )
    privacy.register(
        Comment,
        category="member democracy: comments",
        person_field="author",
        personal_fields=["author", "text"],
        erasure=Erasure.ANONYMISE,
        anonymise={"author": None, "text": ""},
    )
    privacy.exempt(
        CastBallot,
        reason=(
            "The ballot box holds no personal data: no person, no timestamp, a random key, a receipt hash and the "
            "choices. Nothing links a row to a voter (docs/democracy.md), so no one's data can be found in it."
        ),
    )
    for model in (Body, Ballot, BallotOption, BallotResult):
        privacy.exempt(model, reason="Public records of the body's rules and ballots; no personal fields.")
