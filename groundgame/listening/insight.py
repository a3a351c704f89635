"""Doorstep insight: themes in what canvassers heard (ContactRecord notes), per area and over time, for the
organisers of a conversation's group. Read-only on canvassing (the import direction allowed by CONVENTIONS.md);
notes already redacted are left out.

The one read of canvassing data is `doorstep_notes` below; it belongs in canvassing/selectors.py (see the report)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from groundgame.people.models import LocalGroup

from .models import Conversation
from .opinion.themes import find_themes

MAX_NOTES = 5_000


@dataclass(frozen=True)
class Note:
    text: str
    area: str
    month: str


def doorstep_notes(*, groups) -> list[Note]:
    """Non-empty, unredacted notes from the campaigns hosted by `groups` (None: every campaign), newest first."""
    from groundgame.canvassing.selectors import doorstep_notes as canvass_notes

    rows = canvass_notes(groups=groups, limit=MAX_NOTES)
    return [Note(text=n, area=district or campaign, month=f"{when:%Y-%m}") for n, district, campaign, when in rows]


@dataclass(frozen=True)
class ThemeView:
    terms: list[str]
    count: int
    example: str
    areas: list[tuple[str, int]]
    months: list[tuple[str, int]]
    suggestion: str


def themes_for_conversation(*, conversation: Conversation, use_embeddings: bool | None = None) -> list[ThemeView]:
    groups = None if conversation.group_id is None else LocalGroup.objects.subtree_of(conversation.group)
    notes = doorstep_notes(groups=groups)
    themes = find_themes([n.text for n in notes], seed=conversation.pk, use_embeddings=use_embeddings)
    views = []
    for theme in themes:
        members = [notes[i] for i in theme.members]
        example = notes[theme.example].text
        views.append(
            ThemeView(
                terms=theme.terms,
                count=len(members),
                example=example,
                areas=Counter(n.area for n in members).most_common(5),
                months=sorted(Counter(n.month for n in members).items()),
                suggestion=example if len(example) <= 280 else example[:277] + "...",
            )
        )
    return views
