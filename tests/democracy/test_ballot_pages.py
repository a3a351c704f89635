"""Ballot pages: creating and opening ballots, voting by each method (ranked with the no-JS rank selects), the
receipt shown once, changing a vote, the stored result with quorum and transcript, the results page, the public
receipt lookup and downloads, and the periodic task that opens and closes ballots at their times."""

import datetime
import json
import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse
from django.utils import timezone

from groundgame.democracy import counting, selectors, services, tasks
from groundgame.democracy.models import Ballot, BallotResult, CastBallot, RollEntry
from groundgame.democracy.receipts import receipt_hash
from groundgame.people.models import Membership
from tests.people.factories import MembershipFactory

from .factories import BodyFactory, close, members_of, open_ballot

pytestmark = pytest.mark.django_db

CODE = re.compile(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){4}")


def sign_in(client, person):
    organises = Membership.objects.organising().filter(person=person).exists()
    if organises and not Authenticator.objects.filter(user=person.user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(person.user, generate_totp_secret())
    client.force_login(person.user)


def receipt_of(response) -> str:
    match = CODE.search(response.content.decode())
    assert match, "the receipt page shows the code"
    return match.group(0)


@pytest.fixture
def body():
    return BodyFactory()


@pytest.fixture
def organiser(body):
    return MembershipFactory(group=body.group, role=Membership.Role.ORGANISER).person


# --- creating and opening ----------------------------------------------------------------------------------------


def test_an_organiser_creates_a_ranked_ballot_with_quorum_then_opens_it_freezing_the_roll(client, body, organiser):
    voters = members_of(body, 3)
    sign_in(client, organiser)
    now = timezone.localtime()
    response = client.post(
        reverse("democracy:ballot_create", args=[body.pk]),
        {
            "question": "Delegates to conference",
            "method": Ballot.Method.SCOTTISH_STV,
            "options": "Ann\nBob\n\nCat\n",
            "seats": "2",
            "opens_at": (now + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "quorum_percent": "40",
            "quorum_count": "",
        },
    )
    ballot = Ballot.objects.get()
    assert response.status_code == 302 and response["Location"] == ballot.get_absolute_url()
    assert list(ballot.options.values_list("name", flat=True)) == ["Ann", "Bob", "Cat"]
    assert (ballot.status, ballot.seats, ballot.quorum_percent, ballot.quorum_count) == ("draft", 2, 40, None)

    client.post(reverse("democracy:ballot_open", args=[ballot.pk]))  # "open now", before its opening time

    ballot.refresh_from_db()
    assert ballot.status == Ballot.Status.OPEN and ballot.opens_at <= timezone.now()
    roll = set(RollEntry.objects.filter(ballot=ballot).values_list("person_id", flat=True))
    assert roll == {p.pk for p in voters} | {organiser.pk}


def test_a_ballot_form_with_too_few_options_says_so(client, body, organiser):
    sign_in(client, organiser)
    now = timezone.localtime()
    response = client.post(
        reverse("democracy:ballot_create", args=[body.pk]),
        {
            "question": "Who?",
            "method": Ballot.Method.IRV,
            "options": "Only one",
            "seats": "1",
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 200
    assert "two or more options" in response.content.decode()
    assert not Ballot.objects.exists()


# --- voting ------------------------------------------------------------------------------------------------------


def test_voting_yes_no_shows_the_receipt_once_and_stores_nothing_in_the_session(client, body):
    (voter,) = members_of(body, 1)
    ballot = open_ballot(body)
    sign_in(client, voter)

    response = client.post(reverse("democracy:vote", args=[ballot.pk]), {"choice": "2"})

    assert response.status_code == 200
    code = receipt_of(response)
    assert "no-store" in response["Cache-Control"]
    assert CastBallot.objects.get().receipt_hash == receipt_hash(ballot_id=ballot.pk, code=code)
    assert CastBallot.objects.get().choices == [2]
    assert RollEntry.objects.get(ballot=ballot, person=voter).voted
    assert code not in json.dumps(dict(client.session.items()), default=str)
    again = client.get(reverse("democracy:vote", args=[ballot.pk]))
    assert code not in again.content.decode()


def test_approval_voting_takes_any_number_of_ticks(client, body):
    (voter,) = members_of(body, 1)
    ballot = open_ballot(body, method=Ballot.Method.APPROVAL, options=("Red", "Green", "Blue"))
    sign_in(client, voter)

    client.post(reverse("democracy:vote", args=[ballot.pk]), {"choice": ["3", "1"]})

    assert CastBallot.objects.get().choices == [1, 3]


def test_ranked_voting_without_javascript_orders_options_by_their_rank_numbers(client, body):
    (voter,) = members_of(body, 1)
    ballot = open_ballot(body, method=Ballot.Method.IRV, options=("Ann", "Bob", "Cat", "Dee"))
    sign_in(client, voter)
    page = client.get(reverse("democracy:vote", args=[ballot.pk])).content.decode()
    assert 'name="rank_1"' in page and 'name="rank_4"' in page and "rank.js" in page

    response = client.post(
        reverse("democracy:vote", args=[ballot.pk]), {"rank_1": "3", "rank_2": "", "rank_3": "1", "rank_4": "2"}
    )

    assert response.status_code == 200 and receipt_of(response)
    assert CastBallot.objects.get().choices == [3, 4, 1]


def test_a_rank_number_used_twice_or_no_ranking_is_refused_with_a_message(client, body):
    (voter,) = members_of(body, 1)
    ballot = open_ballot(body, method=Ballot.Method.IRV, options=("Ann", "Bob", "Cat"))
    sign_in(client, voter)
    url = reverse("democracy:vote", args=[ballot.pk])

    twice = client.post(url, {"rank_1": "1", "rank_2": "1", "rank_3": ""})
    empty = client.post(url, {"rank_1": "", "rank_2": "", "rank_3": ""})

    assert "Give each rank number to one option only." in twice.content.decode()
    assert "Rank at least one option." in empty.content.decode()
    assert not CastBallot.objects.exists()
    assert not RollEntry.objects.get(person=voter).voted


def test_a_voter_changes_their_vote_with_their_receipt_code_and_gets_a_new_one(client, body):
    (voter,) = members_of(body, 1)
    ballot = open_ballot(body)
    sign_in(client, voter)
    url = reverse("democracy:vote", args=[ballot.pk])
    first = receipt_of(client.post(url, {"choice": "1"}))

    page = client.get(url).content.decode()
    assert 'name="receipt_code"' in page
    wrong = client.post(url, {"choice": "2", "receipt_code": "0000-0000-0000-0000-0000"})
    assert "does not match a ballot" in wrong.content.decode()
    second = receipt_of(client.post(url, {"choice": "2", "receipt_code": first.lower()}))

    assert second != first
    assert list(CastBallot.objects.values_list("choices", flat=True)) == [[2]]
    assert CastBallot.objects.get().receipt_hash == receipt_hash(ballot_id=ballot.pk, code=second)


def test_a_voter_in_a_body_without_changes_cannot_vote_twice(client):
    body = BodyFactory(votes_changeable=False)
    (voter,) = members_of(body, 1)
    ballot = open_ballot(body)
    sign_in(client, voter)
    url = reverse("democracy:vote", args=[ballot.pk])
    client.post(url, {"choice": "1"})

    response = client.post(url, {"choice": "2"})

    assert "cannot be changed" in response.content.decode()
    assert list(CastBallot.objects.values_list("choices", flat=True)) == [[1]]


# --- closing: the stored result, quorum, transcript --------------------------------------------------------------


def vote_all(ballot, people, choices):
    return [services.vote_cast(ballot=ballot, person=p, choices=c) for p, c in zip(people, choices, strict=True)]


def test_closing_stores_the_result_with_the_exact_transcript_anyone_can_recount(body):
    voters = members_of(body, 6)
    ballot = open_ballot(body, method=Ballot.Method.SCOTTISH_STV, options=("Ann", "Bob", "Cat", "Dee"), seats=2)
    vote_all(ballot, voters, [[1, 2], [1, 3], [1, 2], [2], [3, 4], [4, 3]])

    close(ballot)

    result = BallotResult.objects.get(ballot=ballot)
    recount = counting.count(counting.parse_blt(selectors.ballot_blt(ballot=ballot)), "scottish-stv", 2)
    assert result.transcript == recount.to_json()
    assert result.elected == recount.elected and (result.electorate, result.voted) == (6, 6)
    assert result.quorum_met


def test_quorum_by_percentage_and_by_number_is_recorded_on_the_result(body):
    voters = members_of(body, 10)
    short = open_ballot(body)
    short.quorum_percent, short.quorum_count = 50, None
    short.save()
    vote_all(short, voters[:4], [[1]] * 4)
    enough = open_ballot(body, question="Again?")
    enough.quorum_percent, enough.quorum_count = 50, 5
    enough.save()
    vote_all(enough, voters[:5], [[1]] * 5)

    assert not close(short).result.quorum_met  # 40% < 50%
    assert close(enough).result.quorum_met  # 50% and 5 voters
    assert Ballot(quorum_count=6).quorum_met(electorate=10, voted=5) is False


def test_a_yes_no_result_is_carried_only_when_yes_beats_no(body):
    voters = members_of(body, 5)
    ballot = open_ballot(body)
    vote_all(ballot, voters, [[1], [1], [2], [3], [3]])

    result = close(ballot).result

    data = json.loads(result.transcript)
    assert data["stages"][0]["totals"] == {"Yes": 2, "No": 1, "Abstain": 2}
    assert result.elected == ["Yes"] and data["valid"] == 5


def test_the_periodic_task_opens_and_closes_ballots_at_their_times(body):
    members_of(body, 2)
    now = timezone.now()
    due = services.ballot_create(
        acting=None,
        body=body,
        question="Due?",
        method=Ballot.Method.YES_NO_ABSTAIN,
        opens_at=now - datetime.timedelta(minutes=5),
        closes_at=now + datetime.timedelta(hours=1),
    )
    later = services.ballot_create(
        acting=None,
        body=body,
        question="Later?",
        method=Ballot.Method.YES_NO_ABSTAIN,
        opens_at=now + datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(hours=2),
    )

    assert services.ballots_due_run(now=now) == {"opened": [due.pk], "closed": []}
    assert services.ballots_due_run(now=now + datetime.timedelta(minutes=90)) == {
        "opened": [later.pk],
        "closed": [due.pk],
    }
    due.refresh_from_db()
    assert due.status == Ballot.Status.CLOSED and due.result.electorate == 2
    assert tasks.ballots_open_and_close.func() == {"opened": [], "closed": []}


# --- the results page, downloads and the receipt lookup ----------------------------------------------------------


@pytest.fixture
def stv_ballot(body):
    voters = members_of(body, 7)
    ballot = open_ballot(body, method=Ballot.Method.SCOTTISH_STV, options=("Ann", "Bob", "Cat", "Dee"), seats=2)
    codes = vote_all(ballot, voters, [[1, 2], [1, 2], [1, 3], [1, 2], [2, 3], [3, 4], [4, 3]])
    return close(ballot), codes


def test_the_results_page_is_public_with_stage_table_transfer_chart_and_recount_links(client, stv_ballot):
    ballot, _codes = stv_ballot
    transcript = json.loads(ballot.result.transcript)

    page = client.get(reverse("democracy:result", args=[ballot.pk])).content.decode()

    assert "Elected" in page and all(name in page for name in transcript["elected"])
    assert page.count('class="stage"') == len(transcript["stages"]) > 1
    assert "stage-table" in page and "Non-transferable" in page
    for name in ("ballot_file", "transcript", "box", "receipt_lookup"):
        assert reverse(f"democracy:{name}", args=[ballot.pk]) in page


def test_the_downloads_are_the_blt_file_the_stored_transcript_and_the_box(client, stv_ballot):
    ballot, codes = stv_ballot

    blt = client.get(reverse("democracy:ballot_file", args=[ballot.pk]))
    transcript = client.get(reverse("democracy:transcript", args=[ballot.pk]))
    box = client.get(reverse("democracy:box", args=[ballot.pk])).json()

    assert blt.content.decode() == selectors.ballot_blt(ballot=ballot)
    assert transcript.content.decode() == ballot.result.transcript
    assert (box["electorate"], box["voted"], len(box["ballots"])) == (7, 7, 7)
    hashes = [row["receipt_hash"] for row in box["ballots"]]
    assert hashes == sorted(hashes) and receipt_hash(ballot_id=ballot.pk, code=codes[0]) in hashes


def test_the_receipt_lookup_finds_the_ballot_and_shows_its_contents_when_the_body_allows(client, stv_ballot):
    ballot, codes = stv_ballot
    url = reverse("democracy:receipt_lookup", args=[ballot.pk])

    found = client.post(url, {"code": codes[2].lower().replace("-", " ")}).content.decode()
    missing = client.post(url, {"code": "7KQ2-M9XD-4TRB-HW3N-P8CE"}).content.decode()
    in_the_url = client.get(url, {"code": codes[2]}).content.decode()

    assert "Your ballot is in the box." in found and "Ann" in found and "Cat" in found
    assert "No ballot in this box has that receipt code." in missing
    assert "Your ballot is in the box." not in in_the_url  # codes are posted, never read from a URL


def test_without_contents_by_receipt_the_lookup_only_confirms_the_ballot_was_counted(client):
    body = BodyFactory(contents_by_receipt=False)
    (voter,) = members_of(body, 1)
    ballot = open_ballot(body, method=Ballot.Method.IRV, options=("Ann", "Bob"))
    code = services.vote_cast(ballot=ballot, person=voter, choices=[2, 1])
    close(ballot)

    page = client.post(reverse("democracy:receipt_lookup", args=[ballot.pk]), {"code": code}).content.decode()
    box = client.get(reverse("democracy:box", args=[ballot.pk])).json()

    assert "Your ballot is in the box." in page and "Your ranking" not in page
    assert "receipt_hashes" in box and box["ballots"] == [["Bob", "Ann"]]


def test_a_results_page_for_a_ballot_not_yet_closed_is_not_found(client, body):
    ballot = open_ballot(body)
    assert client.get(reverse("democracy:result", args=[ballot.pk])).status_code == 404
    lookup = client.get(reverse("democracy:receipt_lookup", args=[ballot.pk])).content.decode()
    assert "published when the ballot closes" in lookup


def test_yes_no_and_approval_results_show_bars_and_quorum(client, body):
    voters = members_of(body, 4)
    ballot = open_ballot(body)
    ballot.quorum_count = 4
    ballot.save()
    vote_all(ballot, voters[:3], [[1], [1], [2]])
    close(ballot)

    page = client.get(reverse("democracy:result", args=[ballot.pk])).content.decode()

    assert "Quorum not met" in page and "bar-row" in page and "3 of 4" in page


def test_the_results_page_takes_a_fixed_number_of_queries(client, stv_ballot, django_assert_max_num_queries):
    ballot, _codes = stv_ballot
    with django_assert_max_num_queries(8):
        assert client.get(reverse("democracy:result", args=[ballot.pk])).status_code == 200


def test_the_ballot_page_shows_turnout_and_the_vote_button_to_the_roll(client, body):
    voters = members_of(body, 2)
    ballot = open_ballot(body)
    services.vote_cast(ballot=ballot, person=voters[0], choices=[1])
    sign_in(client, voters[1])

    page = client.get(ballot.get_absolute_url()).content.decode()

    assert "1 of 2" in page and reverse("democracy:vote", args=[ballot.pk]) in page


def test_a_ballot_that_cannot_be_counted_does_not_hold_up_the_others(body, monkeypatch):
    members_of(body, 2)
    first, second = open_ballot(body, question="First?"), open_ballot(body, question="Second?")
    real = services._result_store

    def failing(ballot, now):
        if ballot.pk == first.pk:
            raise counting.CountError("broken")
        return real(ballot, now)

    monkeypatch.setattr(services, "_result_store", failing)
    done = services.ballots_due_run(now=timezone.now() + datetime.timedelta(days=8))

    assert done == {"opened": [], "closed": [second.pk]}
    first.refresh_from_db()
    assert first.status == Ballot.Status.OPEN and not BallotResult.objects.filter(ballot=first).exists()
