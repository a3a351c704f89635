"""Bodies, motions and ballots: eligibility and the frozen electorate, casting and changing votes, the published box,
receipt checks and the BLT ballot file recounted by the counting library."""

import datetime

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone

from groundgame.core import privacy
from groundgame.democracy import counting, selectors, services
from groundgame.democracy.models import Ballot, Body, CastBallot, Motion, RollEntry
from groundgame.democracy.receipts import receipt_code_normalise, receipt_hash
from groundgame.people.models import LocalGroup, Membership
from tests.people.factories import GroupFactory, MembershipFactory, PersonFactory

from .factories import BodyFactory, close, members_of, open_ballot

pytestmark = pytest.mark.django_db


def assert_refused(code: str, fn, **kwargs) -> None:
    with pytest.raises(ValidationError) as info:
        fn(**kwargs)
    assert info.value.code == code, info.value


# --- eligibility and the frozen electorate -----------------------------------------------------------------------


def test_only_members_of_the_body_for_long_enough_are_on_the_frozen_roll():
    body = BodyFactory(membership_days=30)
    (veteran,) = members_of(body, 1, days=60)
    (newcomer,) = members_of(body, 1, days=10)
    MembershipFactory(group=body.group, status=Membership.Status.REQUESTED)  # asked, not yet a member
    (other_group_member,) = members_of(BodyFactory(), 1, days=60)

    ballot = open_ballot(body)

    roll = set(RollEntry.objects.filter(ballot=ballot).values_list("person_id", flat=True))
    assert roll == {veteran.pk}
    assert other_group_member.pk not in roll and newcomer.pk not in roll
    assert ballot.status == Ballot.Status.OPEN and ballot.electorate_frozen_at is not None


def test_a_regional_body_includes_the_members_of_its_local_groups():
    region = BodyFactory(group=GroupFactory(level=LocalGroup.Level.REGIONAL))
    local = BodyFactory(group=GroupFactory(parent=region.group))
    (in_local,) = members_of(local, 1)
    (in_region,) = members_of(region, 1)

    eligible = set(selectors.eligible_people(body=region, at=timezone.now()).values_list("pk", flat=True))

    assert eligible == {in_local.pk, in_region.pk}
    assert set(selectors.eligible_people(body=local, at=timezone.now())) == {in_local}


def test_someone_who_joins_after_the_ballot_opens_cannot_vote_in_it():
    body = BodyFactory()
    members_of(body, 2)
    ballot = open_ballot(body)
    (late,) = members_of(body, 1, days=1)

    assert_refused("not_on_roll", services.vote_cast, ballot=ballot, person=late, choices=[1])
    assert selectors.ballot_turnout(ballot=ballot).electorate == 2


def test_the_movement_wide_body_counts_members_of_any_group_and_recorded_members():
    movement = BodyFactory(group=None, name="Whole movement", membership_days=30)
    (in_a_group,) = members_of(BodyFactory(), 1, days=40)
    recorded = PersonFactory(joined_on=datetime.date.today() - datetime.timedelta(days=100))
    PersonFactory(joined_on=datetime.date.today())  # too recent

    eligible = set(selectors.eligible_people(body=movement, at=timezone.now()).values_list("pk", flat=True))

    assert {in_a_group.pk, recorded.pk} <= eligible
    assert all(p.erased_at is None for p in selectors.eligible_people(body=movement, at=timezone.now()))


# --- casting a vote ----------------------------------------------------------------------------------------------


def test_casting_a_vote_marks_the_roll_and_puts_an_unlinked_ballot_in_the_box():
    body = BodyFactory()
    alice, _bob = members_of(body, 2)
    ballot = open_ballot(body)

    code = services.vote_cast(ballot=ballot, person=alice, choices=[1])

    assert len(receipt_code_normalise(code)) == 20
    row = CastBallot.objects.get(ballot=ballot)
    assert row.receipt_hash == receipt_hash(ballot_id=ballot.pk, code=code)
    assert row.choices == [1]
    assert selectors.has_voted(ballot=ballot, person=alice)
    assert selectors.ballot_turnout(ballot=ballot) == selectors.Turnout(electorate=2, voted=1, ballots=1)


def test_second_vote_by_same_member_is_rejected_and_writes_nothing():
    body = BodyFactory()
    (alice,) = members_of(body, 1)
    ballot = open_ballot(body)
    services.vote_cast(ballot=ballot, person=alice, choices=[1])

    assert_refused("already_voted", services.vote_cast, ballot=ballot, person=alice, choices=[2])
    assert list(CastBallot.objects.filter(ballot=ballot).values_list("choices", flat=True)) == [[1]]


@pytest.mark.parametrize(
    ("method", "options", "choices"),
    [
        (Ballot.Method.YES_NO_ABSTAIN, (), [1, 2]),  # two answers
        (Ballot.Method.YES_NO_ABSTAIN, (), [4]),  # no such option
        (Ballot.Method.IRV, ("Ann", "Bo", "Cy"), [1, 1]),  # ranked twice
        (Ballot.Method.IRV, ("Ann", "Bo", "Cy"), []),  # nothing ranked
        (Ballot.Method.APPROVAL, ("Ann", "Bo", "Cy"), [True]),  # not a position
    ],
)
def test_choices_that_do_not_fit_the_method_are_refused(method, options, choices):
    body = BodyFactory()
    (alice,) = members_of(body, 1)
    ballot = open_ballot(body, method=method, options=options)

    assert_refused("bad_choice", services.vote_cast, ballot=ballot, person=alice, choices=choices)
    assert not selectors.has_voted(ballot=ballot, person=alice)
    assert not CastBallot.objects.exists()


def test_no_vote_is_taken_before_opening_or_after_closing():
    body = BodyFactory()
    (alice,) = members_of(body, 1)
    now = timezone.now()
    draft = services.ballot_create(
        acting=None,
        body=body,
        question="Q?",
        method="yes_no_abstain",
        opens_at=now,
        closes_at=now + datetime.timedelta(days=1),
    )
    assert_refused("not_open", services.vote_cast, ballot=draft, person=alice, choices=[1])

    ballot = open_ballot(body)
    assert_refused("not_open", services.vote_cast, ballot=ballot, person=alice, choices=[1], now=ballot.closes_at)
    assert_refused("not_time", services.ballot_close, acting=None, ballot=ballot)  # not yet its closing time
    close(ballot)
    assert_refused("not_open", services.vote_cast, ballot=ballot, person=alice, choices=[1])


# --- changing a vote ---------------------------------------------------------------------------------------------


def test_a_voter_changes_their_vote_with_their_receipt_and_gets_a_new_one():
    body = BodyFactory(votes_changeable=True)
    alice, bob = members_of(body, 2)
    ballot = open_ballot(body)
    first = services.vote_cast(ballot=ballot, person=alice, choices=[1])
    services.vote_cast(ballot=ballot, person=bob, choices=[2])
    roll_before = list(RollEntry.objects.filter(ballot=ballot).order_by("pk").values())

    second = services.vote_change(ballot=ballot, person=alice, receipt_code=first, choices=[2])

    assert second != first
    assert CastBallot.objects.filter(ballot=ballot).count() == 2
    assert sorted(CastBallot.objects.values_list("choices", flat=True)) == [[2], [2]]
    assert list(RollEntry.objects.filter(ballot=ballot).order_by("pk").values()) == roll_before  # roll untouched
    close(ballot)
    assert selectors.receipt_check(ballot=ballot, code=first).found is False
    assert selectors.receipt_check(ballot=ballot, code=second) == selectors.ReceiptCheck(found=True, contents=("No",))


def test_a_change_needs_a_receipt_in_the_box_a_voter_who_voted_and_a_body_that_allows_it():
    body = BodyFactory(votes_changeable=True)
    alice, bob = members_of(body, 2)
    ballot = open_ballot(body)
    code = services.vote_cast(ballot=ballot, person=alice, choices=[1])

    assert_refused(
        "bad_receipt",
        services.vote_change,
        ballot=ballot,
        person=alice,
        receipt_code="0000-0000-0000-0000-0000",
        choices=[2],
    )
    assert_refused("not_voted", services.vote_change, ballot=ballot, person=bob, receipt_code=code, choices=[2])

    strict = BodyFactory(votes_changeable=False)
    (carol,) = members_of(strict, 1)
    strict_ballot = open_ballot(strict)
    carol_code = services.vote_cast(ballot=strict_ballot, person=carol, choices=[1])
    assert_refused(
        "changes_off", services.vote_change, ballot=strict_ballot, person=carol, receipt_code=carol_code, choices=[2]
    )
    assert sorted(CastBallot.objects.values_list("choices", flat=True)) == [[1], [1]]


# --- after close: the published box, receipts, the ballot file ---------------------------------------------------


def test_the_published_box_is_in_canonical_order_and_each_receipt_verifies_its_ballot():
    body = BodyFactory()
    voters = members_of(body, 6)
    ballot = open_ballot(body, method=Ballot.Method.APPROVAL, options=("Ann", "Bo", "Cy"))
    votes = [[3, 1], [2], [1, 2, 3], [], [2, 3], [1]]
    codes = [services.vote_cast(ballot=ballot, person=p, choices=c) for p, c in zip(voters, votes, strict=True)]
    with pytest.raises(ValidationError):
        selectors.ballot_box_published(ballot=ballot)  # not before close

    close(ballot)
    box = selectors.ballot_box_published(ballot=ballot)

    hashes = [digest for digest, _ in box.entries]
    assert hashes == sorted(hashes) == box.receipt_hashes and len(hashes) == 6
    names = {1: "Ann", 2: "Bo", 3: "Cy"}
    for code, vote in zip(codes, votes, strict=True):
        expected = tuple(names[p] for p in sorted(vote))
        assert (receipt_hash(ballot_id=ballot.pk, code=code), expected) in box.entries
        assert selectors.receipt_check(ballot=ballot, code=code.lower()) == selectors.ReceiptCheck(True, expected)
    assert selectors.receipt_check(ballot=ballot, code="AAAA-AAAA-AAAA-AAAA-AAAA").found is False


def test_a_body_can_publish_ballots_apart_from_their_receipts():
    body = BodyFactory(contents_by_receipt=False)
    voters = members_of(body, 3)
    ballot = open_ballot(body)
    codes = [services.vote_cast(ballot=ballot, person=p, choices=[c]) for p, c in zip(voters, [1, 2, 1], strict=True)]
    close(ballot)

    box = selectors.ballot_box_published(ballot=ballot)

    assert box.entries == [] and not box.by_receipt
    assert box.ballots == [("No",), ("Yes",), ("Yes",)]
    assert box.receipt_hashes == sorted(receipt_hash(ballot_id=ballot.pk, code=c) for c in codes)
    assert selectors.receipt_check(ballot=ballot, code=codes[0]) == selectors.ReceiptCheck(found=True, contents=None)


def test_the_blt_file_of_a_ranked_ballot_recounts_with_the_counting_library():
    body = BodyFactory()
    names = ("Ann Smith", 'Bo "Bob" Jones', "Cy Patel", "Di Evans")
    rankings = [[1, 2]] * 5 + [[2, 1, 3]] * 3 + [[3, 4]] * 4 + [[4, 3]] * 1
    voters = members_of(body, len(rankings))
    ballot = open_ballot(body, method=Ballot.Method.SCOTTISH_STV, options=names, seats=2, question="Delegates 2027")
    for person, ranking in zip(voters, rankings, strict=True):
        services.vote_cast(ballot=ballot, person=person, choices=ranking)
    close(ballot)

    text = selectors.ballot_blt(ballot=ballot)
    profile = counting.parse_blt(text)
    result = counting.count(profile, "scottish-stv", 2)

    assert text.splitlines()[0] == "4 2" and text.splitlines()[-1] == '"Delegates 2027"'
    assert profile.candidates == names and profile.title == "Delegates 2027" and int(profile.weights.sum()) == 13
    assert result.valid == 13 and result.quota == 5
    assert result.elected == ["Ann Smith", "Cy Patel"]
    assert selectors.ballot_count(ballot=ballot).elected == result.elected


def test_closed_ballots_are_counted_from_their_published_file_or_tallied():
    body = BodyFactory()
    voters = members_of(body, 5)
    approval = open_ballot(body, method=Ballot.Method.APPROVAL, options=("Ann", "Bo", "Cy"), seats=2)
    yes_no = open_ballot(body)
    for person, approved, answer in zip(voters, [[1, 2], [2], [2, 3], [1], []], [1, 1, 2, 3, 1], strict=True):
        services.vote_cast(ballot=approval, person=person, choices=approved)
        services.vote_cast(ballot=yes_no, person=person, choices=[answer])
    close(approval)
    close(yes_no)

    result = selectors.ballot_count(ballot=approval)

    assert result.elected == ["Bo", "Ann"]
    assert result.stages[0].totals == {"Ann": 2, "Bo": 3, "Cy": 1}
    assert selectors.ballot_tally(ballot=yes_no) == {"Yes": 3, "No": 1, "Abstain": 1}
    assert_refused("not_yes_no", selectors.ballot_tally, ballot=approval)


def test_yes_no_ballots_have_no_ballot_file():
    body = BodyFactory()
    members_of(body, 1)
    ballot = close(open_ballot(body))

    assert_refused("not_ranked", selectors.ballot_blt, ballot=ballot)


# --- motions -----------------------------------------------------------------------------------------------------


def test_a_motion_with_enough_supporters_in_time_goes_to_debate():
    body = BodyFactory(support_threshold=2, support_period_days=14)
    proposer, ann, bo = members_of(body, 3)
    motion = services.motion_create(acting=proposer, body=body, proposer=proposer, title="Rent caps", text="1. ...")
    services.motion_status_set(acting=proposer, motion=motion, status=Motion.Status.GATHERING)

    services.motion_support(motion=motion, person=ann)
    assert_refused("duplicate", services.motion_support, motion=motion, person=ann)
    services.motion_support(motion=motion, person=bo)

    motion.refresh_from_db()
    assert motion.status == Motion.Status.DEBATE
    outsider = PersonFactory()
    assert_refused("not_gathering", services.motion_support, motion=motion, person=outsider)
    services.motion_status_set(acting=None, motion=motion, status=Motion.Status.VOTING)
    assert_refused("step", services.motion_status_set, acting=None, motion=motion, status=Motion.Status.DRAFT)


def test_a_motion_lapses_when_support_comes_after_its_period_and_only_members_support():
    body = BodyFactory(support_threshold=2, support_period_days=14)
    proposer, ann = members_of(body, 2)
    (outsider,) = members_of(BodyFactory(), 1)
    motion = services.motion_create(acting=None, body=body, proposer=proposer, title="Parks", text="1. ...")
    services.motion_status_set(acting=None, motion=motion, status=Motion.Status.GATHERING)

    assert_refused("member", services.motion_support, motion=motion, person=outsider)
    late = timezone.now() + datetime.timedelta(days=15)
    assert_refused("lapsed", services.motion_support, motion=motion, person=ann, now=late)
    motion.refresh_from_db()
    assert motion.status == Motion.Status.GATHERING  # the refusal rolled back with the rest


# --- privacy -----------------------------------------------------------------------------------------------------


def test_the_roll_is_kept_on_erasure_and_deleted_90_days_after_close():
    body = BodyFactory()
    alice, bob = members_of(body, 2)
    ballot = open_ballot(body)
    services.vote_cast(ballot=ballot, person=alice, choices=[1])
    close(ballot)

    privacy.erase_person(alice, actor=None, reason="erasure request 1")
    assert RollEntry.objects.filter(ballot=ballot).count() == 2
    export = privacy.export_person(bob)["democracy.rollentry"]
    assert [row["voted"] for row in export] == [False]

    privacy.retention_enforce(ballot.closes_at + datetime.timedelta(days=89))
    assert RollEntry.objects.filter(ballot=ballot).count() == 2
    privacy.retention_enforce(ballot.closes_at + datetime.timedelta(days=91))
    assert not RollEntry.objects.filter(ballot=ballot).exists()
    assert CastBallot.objects.filter(ballot=ballot).count() == 1  # the box stays: it is not personal data


# --- permissions -------------------------------------------------------------------------------------------------


def test_organisers_run_their_bodys_ballots_and_only_people_on_the_roll_may_vote():
    body = BodyFactory()
    (member,) = members_of(body, 1)
    organiser = MembershipFactory(group=body.group, role=Membership.Role.ORGANISER).person
    outsider = MembershipFactory().person
    ballot = open_ballot(body)

    assert organiser.user.has_perm("democracy.manage_ballot", ballot)
    assert not member.user.has_perm("democracy.manage_ballot", ballot)
    assert member.user.has_perm("democracy.vote", ballot)
    assert not outsider.user.has_perm("democracy.vote", ballot)
    assert not organiser.user.has_perm("democracy.manage_body", BodyFactory(group=None, name="Movement"))


def test_the_admin_shows_bodies_and_ballots_but_not_the_roll_or_the_box(rf):
    body = BodyFactory()
    members_of(body, 1)
    ballot = open_ballot(body)
    request = rf.get("/admin/")

    assert admin.site.is_registered(Body) and admin.site.is_registered(Ballot)
    assert not admin.site.is_registered(RollEntry) and not admin.site.is_registered(CastBallot)
    ballot_admin = admin.site._registry[Ballot]
    assert "question" in ballot_admin.get_readonly_fields(request, ballot)  # read-only once open
    assert "question" not in ballot_admin.get_readonly_fields(request, None)
