"""Who may do what in listening, declared once with `rules`.

- Taking part (seeing a conversation, voting, adding statements, seeing its map): a conversation in a group is for
  the active members of that group and of the groups below it, its organisers (directly or through a group above)
  and administrators; a movement-wide conversation (no group) is for every active member.
- Running one (moderating statements, the organiser report, closing it, turning doorstep themes into statements):
  organisers of its group (or a group above), administrators; a movement-wide one: administrators only.
- Starting a conversation: anyone who organises a group, and administrators.
- Voting and adding statements: only while the conversation is open.
"""

import rules

from groundgame.people.rules import is_administrator, organised_group_ids, person_of

from .models import Conversation, Statement
from .selectors import takes_part_in


def _conversation(obj) -> Conversation | None:
    if isinstance(obj, Conversation):
        return obj
    if isinstance(obj, Statement):
        return obj.conversation
    return None


@rules.predicate
def organises_conversation(user, obj) -> bool:
    conversation = _conversation(obj)
    return (
        conversation is not None
        and conversation.group_id is not None
        and (conversation.group_id in organised_group_ids(user))
    )


@rules.predicate
def takes_part(user, obj) -> bool:
    conversation, person = _conversation(obj), person_of(user)
    if conversation is None or person is None:
        return False
    cache = user.__dict__.setdefault("_groundgame_listening_part", {})
    if conversation.pk not in cache:
        cache[conversation.pk] = takes_part_in(person=person, conversation=conversation)
    return cache[conversation.pk]


@rules.predicate
def is_open(user, obj) -> bool:
    conversation = _conversation(obj)
    return conversation is not None and conversation.status == Conversation.Status.OPEN


@rules.predicate
def organises_any_group(user) -> bool:
    return bool(organised_group_ids(user))


manages = organises_conversation | is_administrator

rules.add_perm("listening.view_conversation", rules.is_authenticated & (takes_part | manages))
rules.add_perm("listening.vote", rules.is_authenticated & takes_part & is_open)
rules.add_perm("listening.add_statement", rules.is_authenticated & (takes_part | manages) & is_open)
rules.add_perm("listening.manage_conversation", rules.is_authenticated & manages)
rules.add_perm("listening.start_conversation", rules.is_authenticated & (organises_any_group | is_administrator))
