"""Conversations, statements, votes, routing, the background recompute, the pages and privacy."""

import csv
import io
from collections import Counter

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from groundgame.core import privacy
from groundgame.listening import selectors, services, tasks
from groundgame.listening.models import Conversation, OpinionMap, Statement, StatementVote
from groundgame.listening.opinion import adjusted_rand_index
from tests.people.factories import MembershipFactory, PersonWithUserFactory

pytestmark = pytest.mark.django_db


def test_voting_again_replaces_the_vote(camps):
    person, statement = camps.members[0], camps.statements[0]
    services.vote_cast(statement=statement, participant=person, value=1)
    services.vote_cast(statement=statement, participant=person, value=-1)
    assert list(StatementVote.objects.filter(participant=person).values_list("value", flat=True)) == [-1]


def test_the_database_allows_one_vote_per_participant_and_statement(camps):
    person, statement = camps.members[0], camps.statements[0]
    services.vote_cast(statement=statement, participant=person, value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        StatementVote.objects.create(statement=statement, conversation=camps.conversation, participant=person, value=0)


def test_the_database_rejects_a_vote_value_other_than_agree_disagree_pass(camps):
    with pytest.raises(IntegrityError), transaction.atomic():
        StatementVote.objects.create(
            statement=camps.statements[0], conversation=camps.conversation, participant=camps.members[0], value=2
        )


def test_a_vote_marks_the_conversation_for_recompute(camps):
    assert camps.conversation.votes_changed_at is None
    services.vote_cast(statement=camps.statements[0], participant=camps.members[0], value=0)
    camps.conversation.refresh_from_db()
    assert camps.conversation.votes_changed_at is not None


def test_strict_moderation_holds_new_statements_and_permissive_shows_them(camps):
    held = services.statement_submit(conversation=camps.conversation, text="More  buses", author=camps.members[0])
    assert held.status == Statement.Status.PENDING and held.text == "More buses"
    camps.conversation.moderation = Conversation.Moderation.PERMISSIVE
    camps.conversation.save()
    shown = services.statement_submit(conversation=camps.conversation, text="Fewer cars", author=camps.members[0])
    assert shown.status == Statement.Status.APPROVED


def test_the_same_statement_twice_is_refused(camps):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.statement_submit(conversation=camps.conversation, text="statement NUMBER 0", author=camps.members[0])


def test_pending_statements_are_not_offered_for_votes(camps):
    pending = services.statement_submit(conversation=camps.conversation, text="Pending one", author=camps.members[0])
    seen = set()
    person = camps.members[1]
    while True:
        statement, _left = selectors.next_statement(conversation=camps.conversation, person=person)
        if statement is None:
            break
        seen.add(statement.pk)
        services.vote_cast(statement=statement, participant=person, value=0)
    assert pending.pk not in seen
    assert seen == {s.pk for s in camps.statements}


def test_routing_favours_statements_with_few_votes(camps):
    crowded, fresh = camps.statements[0], camps.statements[1]
    for person in camps.members[:20]:
        services.vote_cast(statement=crowded, participant=person, value=1)
    newcomers = [MembershipFactory(group=camps.group).person for _ in range(40)]
    first = Counter(selectors.next_statement(conversation=camps.conversation, person=p)[0].pk for p in newcomers)
    assert first[fresh.pk] > first[crowded.pk]


def test_routing_favours_statements_that_divide_the_groups(camps):
    camps.vote_all()
    services.opinion_map_recompute(conversation=camps.conversation)
    divisive = camps.statements[0]  # the camps split on every statement: make one agreed by all
    agreed = Statement.objects.create(
        conversation=camps.conversation, text="Everyone likes this", status=Statement.Status.APPROVED
    )
    split = Statement.objects.create(
        conversation=camps.conversation, text="This splits", status=Statement.Status.APPROVED
    )
    stored = camps.conversation.opinion_map
    stored.data["statements"][str(agreed.pk)] = {"divisiveness": 0.0}
    stored.data["statements"][str(split.pk)] = {"divisiveness": 0.9}
    stored.save()
    assert divisive  # the camps' own statements are all voted on by now
    picks = Counter()
    for _ in range(30):
        person = MembershipFactory(group=camps.group).person
        for statement in camps.statements:
            services.vote_cast(statement=statement, participant=person, value=0)
        picks[selectors.next_statement(conversation=camps.conversation, person=person)[0].pk] += 1
    assert picks[split.pk] > picks[agreed.pk]


def test_recompute_finds_the_two_camps_and_stores_no_person_ids(camps):
    camps.vote_all()
    stored = services.opinion_map_recompute(conversation=camps.conversation)
    assert stored.group_count == 2 and stored.participants == len(camps.members)
    points = stored.data["points"]
    assert len(points) == len(camps.members) and all(len(p) == 3 for p in points)
    assert set(stored.data) == {"points", "groups", "consensus", "divisive", "statements", "silhouettes"}
    assert all(isinstance(x, float) and isinstance(y, float) and isinstance(g, int) for x, y, g in points)
    assert set(stored.data["statements"]) == {str(s.pk) for s in camps.statements}
    table = selectors.vote_table(camps.conversation)
    from groundgame.listening.opinion import opinion_map

    result = opinion_map(table, seed=camps.conversation.pk)
    by_id = {m.pk: camps.camp_of(m) for m in camps.members}
    assert adjusted_rand_index([by_id[p] for p in result.participant_ids], result.group_of) == pytest.approx(1.0)


def test_recompute_is_incremental(camps):
    camps.vote_all()
    assert services.opinion_map_recompute(conversation=camps.conversation) is not None
    assert services.opinion_map_recompute(conversation=camps.conversation) is None  # no new votes
    services.vote_cast(statement=camps.statements[0], participant=camps.members[0], value=0)
    assert services.opinion_map_recompute(conversation=camps.conversation) is not None


def test_a_conversation_over_the_memory_cap_is_not_computed(camps, monkeypatch):
    camps.vote_all()
    monkeypatch.setattr(services, "MEMORY_CAP_MIB", 1)
    with pytest.raises(services.TooLarge):
        services.opinion_map_recompute(conversation=camps.conversation)
    assert services.opinion_maps_recompute_due()["too_large"] == [camps.conversation.pk]
    assert not OpinionMap.objects.exists()


def test_the_background_task_recomputes_only_changed_conversations(camps):
    camps.vote_all()
    assert tasks.recompute_opinion_maps.call()["recomputed"] == [camps.conversation.pk]
    assert tasks.recompute_opinion_maps.call() == {"recomputed": [], "unchanged": 1, "too_large": []}


def test_conversations_are_seen_by_members_of_the_group_and_not_by_others(camps):
    outsider = MembershipFactory().person
    movement = services.conversation_create(topic="Everyone", seed_statements=["One"], acting=camps.organiser)
    mine = selectors.conversations_for(person=camps.members[0], organised=frozenset(), admin=False)
    theirs = selectors.conversations_for(person=outsider, organised=frozenset(), admin=False)
    assert {c.pk for c in mine} == {camps.conversation.pk, movement.pk}
    assert {c.pk for c in theirs} == {movement.pk}


# --- pages -------------------------------------------------------------------------------------------------------


def login(client, person):
    client.force_login(person.user)
    return client


def test_htmx_vote_returns_the_next_card_not_a_page(client, camps):
    person = camps.members[0]
    login(client, person)
    page = client.get(reverse("listening:conversation", args=[camps.conversation.pk]))
    assert page.status_code == 200 and 'id="vote-card"' in page.text and "hx-post" in page.text
    statement = page.context["statement"]
    response = client.post(
        reverse("listening:vote", args=[camps.conversation.pk, statement.pk]), {"value": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "<html" not in response.text and 'id="vote-card"' in response.text
    assert response.context["statement"].pk != statement.pk
    assert StatementVote.objects.get(participant=person, statement=statement).value == 1


def test_an_invalid_vote_is_refused(client, camps):
    login(client, camps.members[0])
    url = reverse("listening:vote", args=[camps.conversation.pk, camps.statements[0].pk])
    assert client.post(url, {"value": "7"}).status_code == 400
    assert not StatementVote.objects.exists()


def test_the_map_page_draws_the_participants_and_the_group_cards(client, camps):
    camps.vote_all()
    services.opinion_map_recompute(conversation=camps.conversation)
    login(client, camps.members[0])
    with_queries = client.get(reverse("listening:map", args=[camps.conversation.pk]))
    assert with_queries.status_code == 200
    assert with_queries.text.count('class="lst-dot') == len(camps.members)
    assert with_queries.text.count("lst-group-card lst-group-card--") == 2
    assert "Statement number" in with_queries.text


def test_the_map_page_makes_a_bounded_number_of_queries(client, camps, django_assert_max_num_queries):
    camps.vote_all()
    services.opinion_map_recompute(conversation=camps.conversation)
    login(client, camps.members[0])
    with django_assert_max_num_queries(15):
        client.get(reverse("listening:map", args=[camps.conversation.pk]))


def test_the_organiser_report_has_a_row_per_statement_and_neutralises_formulas(client, camps):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    camps.vote_all()
    Statement.objects.create(conversation=camps.conversation, text="=HYPERLINK(1)", status=Statement.Status.APPROVED)
    services.opinion_map_recompute(conversation=camps.conversation)
    if not Authenticator.objects.filter(user=camps.organiser.user).exists():
        TOTP.activate(camps.organiser.user, generate_totp_secret())
    login(client, camps.organiser)
    response = client.get(reverse("listening:report", args=[camps.conversation.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows) == 1 + len(camps.statements) + 1
    assert "'=HYPERLINK(1)" in [r[1] for r in rows]
    first = rows[1]
    assert int(first[3]) + int(first[4]) + int(first[5]) == len(camps.members)


# --- privacy -----------------------------------------------------------------------------------------------------


def test_votes_and_statements_are_registered_with_the_privacy_registry():
    assert privacy.entry_for(StatementVote) is not None
    assert privacy.entry_for(Statement) is not None
    assert privacy.entry_for(Conversation) is not None
    assert OpinionMap in privacy.exemptions()


def test_erasure_deletes_votes_and_unlinks_statements(camps):
    person = camps.members[0]
    camps.vote_all([person])
    statement = services.statement_submit(conversation=camps.conversation, text="Mine", author=person)
    export = privacy.export_person(person)
    assert len(export["listening.statementvote"]) == len(camps.statements)
    steward = PersonWithUserFactory()
    privacy.erase_person(person, actor=steward.user, reason="test")
    assert not StatementVote.objects.filter(participant=person).exists()
    statement.refresh_from_db()
    assert statement.author is None and statement.text == "Mine"


def test_a_rejected_statement_leaves_the_map_and_marks_it_for_recompute(camps):
    camps.vote_all()
    services.opinion_map_recompute(conversation=camps.conversation)
    removed = camps.statements[0]
    services.statement_moderate(statement=removed, approve=False, acting=camps.organiser)
    assert removed.pk not in selectors.vote_table(camps.conversation).statement_ids
    stored = services.opinion_map_recompute(conversation=camps.conversation)
    assert stored is not None and str(removed.pk) not in stored.data["statements"]


def test_the_conversations_page_makes_a_bounded_number_of_queries(client, camps, django_assert_max_num_queries):
    for i in range(5):
        services.conversation_create(
            topic=f"Topic {i}", group=camps.group, seed_statements=["x"], acting=camps.organiser
        )
    client.force_login(camps.members[0].user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("listening:index"))
    assert response.status_code == 200 and response.text.count('class="lst-item"') == 6
