"""Every write in listening: conversations, statements (with moderation), votes, and the opinion-map recompute."""

from __future__ import annotations

import os
import time

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from groundgame.core.audit import audit_record
from groundgame.people.models import LocalGroup, Person

from . import selectors
from .models import Conversation, OpinionMap, Statement, StatementVote
from .opinion import opinion_map

# The recompute's memory cap (MiB), checked before the maths runs. The estimate is generous: the benchmark
# (bench/opinion_map.py) peaks at about 160 MiB for 800,000 votes, the whole process included.
MEMORY_CAP_MIB = int(os.environ.get("GROUNDGAME_LISTENING_MEMORY_MIB", "1024"))
BASE_MIB = 120
BYTES_PER_VOTE = 400
BYTES_PER_CELL = 0.5  # (participants x statements): the dense views the maths never builds, counted anyway


class TooLarge(Exception):
    """The conversation is too large to recompute under the memory cap."""


def estimated_mib(*, votes: int, participants: int, statements: int) -> float:
    return BASE_MIB + (votes * BYTES_PER_VOTE + participants * statements * BYTES_PER_CELL) / 2**20


@transaction.atomic
def conversation_create(
    *,
    topic: str,
    acting: Person,
    group: LocalGroup | None = None,
    description: str = "",
    moderation: str = Conversation.Moderation.STRICT,
    seed_statements: list[str] = (),
) -> Conversation:
    """A new open conversation with its seed statements (approved: the organiser wrote them)."""
    conversation = Conversation(
        topic=topic.strip(), description=description.strip(), group=group, moderation=moderation, created_by=acting
    )
    conversation.full_clean()
    conversation.save()
    seen = set()
    for text in seed_statements:
        text = " ".join(text.split())
        if text and text.lower() not in seen:
            seen.add(text.lower())
            Statement.objects.create(
                conversation=conversation, text=text, author=acting, status=Statement.Status.APPROVED, is_seed=True
            )
    audit_record(actor=acting, action="listening.conversation.create", target=conversation)
    return conversation


@transaction.atomic
def conversation_close(*, conversation: Conversation, acting: Person) -> Conversation:
    conversation.status = Conversation.Status.CLOSED
    conversation.save(update_fields=["status"])
    audit_record(actor=acting, action="listening.conversation.close", target=conversation)
    return conversation


def statement_submit(*, conversation: Conversation, text: str, author: Person, approved: bool = False) -> Statement:
    """A member's statement: shown at once in a permissive conversation (or when `approved`, for organisers),
    otherwise waiting for moderation."""
    text = " ".join(text.split())
    if conversation.status != Conversation.Status.OPEN:
        raise ValidationError(_("This conversation is closed."))
    if not text:
        raise ValidationError(_("Write a statement first."))
    if conversation.statements.filter(text__iexact=text).exists():
        raise ValidationError(_("That statement is already in this conversation."))
    permissive = conversation.moderation == Conversation.Moderation.PERMISSIVE
    statement = Statement(
        conversation=conversation,
        text=text,
        author=author,
        status=Statement.Status.APPROVED if (permissive or approved) else Statement.Status.PENDING,
    )
    statement.full_clean()
    try:
        with transaction.atomic():
            statement.save()
    except IntegrityError:
        raise ValidationError(_("That statement is already in this conversation.")) from None
    return statement


@transaction.atomic
def statement_moderate(*, statement: Statement, approve: bool, acting: Person) -> Statement:
    statement.status = Statement.Status.APPROVED if approve else Statement.Status.REJECTED
    statement.save(update_fields=["status"])
    audit_record(
        actor=acting,
        action="listening.statement.approve" if approve else "listening.statement.reject",
        target=statement,
    )
    if statement.votes.exists():
        Conversation.objects.filter(pk=statement.conversation_id).update(votes_changed_at=timezone.now())
    return statement


@transaction.atomic
def vote_cast(*, statement: Statement, participant: Person, value: int) -> StatementVote:
    """Record (or replace) `participant`'s vote on `statement`; the conversation is marked for a recompute."""
    if value not in StatementVote.Value.values:
        raise ValidationError(_("Not a valid vote."))
    if statement.status != Statement.Status.APPROVED:
        raise ValidationError(_("This statement is not open for votes."))
    conversation = statement.conversation
    if conversation.status != Conversation.Status.OPEN:
        raise ValidationError(_("This conversation is closed."))
    now = timezone.now()
    vote, _created = StatementVote.objects.update_or_create(
        statement=statement,
        participant=participant,
        defaults={"value": value, "voted_at": now, "conversation": conversation},
    )
    Conversation.objects.filter(pk=conversation.pk).update(votes_changed_at=now)
    return vote


def opinion_map_recompute(*, conversation: Conversation, force: bool = False) -> OpinionMap | None:
    """Recompute the conversation's opinion map if votes changed since the last one (or `force`). Refuses (TooLarge)
    a conversation whose estimated memory exceeds the cap. Returns the map, or None when nothing changed."""
    conversation.refresh_from_db(fields=["votes_changed_at"])
    existing = selectors.opinion_map_of(conversation)
    changed_at = conversation.votes_changed_at
    if not force and existing is not None and existing.votes_seen_at == changed_at:
        return None
    counts = selectors.approved_statements(conversation).count()
    votes = StatementVote.objects.filter(conversation=conversation).count()
    participants = StatementVote.objects.filter(conversation=conversation).values("participant").distinct().count()
    need = estimated_mib(votes=votes, participants=participants, statements=counts)
    if need > MEMORY_CAP_MIB:
        raise TooLarge(f"conversation {conversation.pk}: about {need:.0f} MiB needed, cap {MEMORY_CAP_MIB} MiB")
    start = time.perf_counter()
    table = selectors.vote_table(conversation)
    result = opinion_map(table, seed=conversation.pk)
    data = _stored(result)
    with transaction.atomic():
        stored, _created = OpinionMap.objects.update_or_create(
            conversation=conversation,
            defaults={
                "computed_at": timezone.now(),
                "votes_seen_at": changed_at,
                "participants": len(result.participant_ids),
                "group_count": result.group_count,
                "seconds": time.perf_counter() - start,
                "data": data,
            },
        )
    return stored


def _stored(result) -> dict:
    """The map as JSON: points without person ids (shuffled out of id order), groups with their representative
    statements, consensus and divisive statement ids, and per-statement figures for routing and the report."""
    placed = result.group_of >= 0
    order = sorted(range(int(placed.sum())), key=lambda i: hash((i * 2654435761) % 2**32))
    xy = result.projection[placed]
    groups_of = result.group_of[placed]
    points = [[round(float(xy[i, 0]), 4), round(float(xy[i, 1]), 4), int(groups_of[i])] for i in order]
    groups = []
    for g in range(result.group_count):
        groups.append(
            {
                "size": int((result.group_of == g).sum()),
                "repness": [
                    {
                        "statement_id": rep.statement_id,
                        "repful_for": rep.repful_for,
                        "p_success": round(rep.p_success, 4),
                        "n_success": rep.n_success,
                        "n_trials": rep.n_trials,
                        "repness": round(rep.repness, 4),
                    }
                    for rep in result.repness.get(g, [])
                ],
            }
        )
    statements = {}
    for j, statement_id in enumerate(result.statement_ids.tolist()):
        statements[str(statement_id)] = {
            "votes": int(result.n_votes[j]),
            "divisiveness": round(float(result.divisiveness[j]), 4),
            "consensus": round(float(result.consensus_scores[j]), 4),
            "group_agree": [round(float(result.stats.p_agree[g, j]), 4) for g in range(result.group_count)],
        }
    return {
        "points": points,
        "groups": groups,
        "consensus": result.consensus(),
        "divisive": result.divisive(),
        "statements": statements,
        "silhouettes": {str(k): round(v, 4) for k, v in result.silhouettes.items()},
    }


def opinion_maps_recompute_due() -> dict:
    """Recompute every open conversation whose votes changed since its map (the background task's body)."""
    done, skipped, too_large = [], 0, []
    for conversation in Conversation.objects.filter(votes_changed_at__isnull=False).select_related("opinion_map"):
        try:
            stored = opinion_map_recompute(conversation=conversation)
        except TooLarge:
            too_large.append(conversation.pk)
            continue
        if stored is None:
            skipped += 1
        else:
            done.append(conversation.pk)
    return {"recomputed": done, "unchanged": skipped, "too_large": too_large}
