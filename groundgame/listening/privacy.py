"""How listening data is exported, erased and retained (the privacy registry). Wired up in ListeningConfig.ready().

- StatementVote (who voted what on which statement: a political opinion): exported; deleted on erasure.
- Statement (its author): the statement is part of a conversation others voted on, so erasure unlinks the author
  and keeps the text.
- Conversation (who started it): erasure unlinks them.
- OpinionMap: aggregates; its points carry no person id and are stored out of id order.
"""

from groundgame.core import privacy
from groundgame.core.privacy import Erasure


def _export_votes(rows):
    return list(rows.values("conversation__topic", "statement__text", "value", "voted_at"))


def connect() -> None:
    from .models import Conversation, OpinionMap, Statement, StatementVote

    if privacy.entry_for(StatementVote) is not None:
        return
    privacy.register(
        StatementVote,
        category="listening: votes on statements",
        person_field="participant",
        personal_fields=["participant", "value"],
        erasure=Erasure.DELETE,
        export=_export_votes,
    )
    privacy.register(
        Statement,
        category="listening: statements",
        person_field="author",
        personal_fields=["author"],
        erasure=Erasure.ANONYMISE,
        anonymise={"author": None},
    )
    privacy.register(
        Conversation,
        category="listening: conversations",
        person_field="created_by",
        personal_fields=["created_by"],
        erasure=Erasure.ANONYMISE,
        anonymise={"created_by": None},
    )
    privacy.exempt(
        OpinionMap,
        reason="Aggregates of a conversation's votes: points without person ids, counts and statement ids.",
    )
