"""Motion pages: drafting, submitting and supporting a motion (to debate at the threshold, lapsing by the periodic
task), the timeline, amendments (accepted by the mover, or put to a vote that applies them when carried), moderated
comments, a ballot on the motion moving it to voting and result, and the personal data of the new models."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from groundgame.core import privacy
from groundgame.core.models import AuditEvent
from groundgame.democracy import selectors, services, tasks
from groundgame.democracy.models import Amendment, Ballot, Body, Comment, Motion, MotionSupport
from tests.people.factories import MembershipFactory

from .factories import BodyFactory, close, members_of, open_ballot
from .test_ballot_pages import sign_in, vote_all

pytestmark = pytest.mark.django_db

TEXT = "Conference resolves:\nto build a movement;\nto win the next election;\nto keep every promise."


@pytest.fixture
def body():
    return BodyFactory(support_threshold=2, support_period_days=10)


def gathering(body, proposer, text=TEXT) -> Motion:
    motion = services.motion_create(acting=None, body=body, proposer=proposer, title="Our plan", text=text)
    return services.motion_status_set(acting=None, motion=motion, status=Motion.Status.GATHERING)


def in_debate(body, proposer, text=TEXT) -> Motion:
    motion = gathering(body, proposer, text)
    for supporter in members_of(body, body.support_threshold):
        services.motion_support(motion=motion, person=supporter)
    motion.refresh_from_db()
    assert motion.status == Motion.Status.DEBATE
    return motion


# --- drafting, submitting, supporting ----------------------------------------------------------------------------


def test_a_member_drafts_a_motion_privately_then_submits_it_for_support(client, body):
    mover, other = members_of(body, 2)
    sign_in(client, mover)

    response = client.post(
        reverse("democracy:motion_create", args=[body.pk]),
        {"title": "Our plan", "text": TEXT, "rationale": "Because."},
    )

    motion = Motion.objects.get()
    assert response["Location"] == motion.get_absolute_url()
    assert (motion.status, motion.proposer, motion.rationale) == (Motion.Status.DRAFT, mover, "Because.")
    sign_in(client, other)
    assert client.get(motion.get_absolute_url()).status_code == 404  # a draft is the mover's own
    sign_in(client, mover)
    client.post(reverse("democracy:motion_submit", args=[motion.pk]))
    motion.refresh_from_db()
    assert motion.status == Motion.Status.GATHERING and motion.support_opened_at is not None
    sign_in(client, other)
    assert client.get(motion.get_absolute_url()).status_code == 200


def test_the_motion_page_numbers_its_lines_and_shows_the_timeline(client, body):
    (mover,) = members_of(body, 1)
    motion = gathering(body, mover)
    sign_in(client, mover)

    page = client.get(motion.get_absolute_url()).content.decode()

    assert 'id="line-4"' in page and "to keep every promise." in page
    assert 'timeline__step--done"' in page and 'timeline__step--current" aria-current="step"' in page
    assert "0 of 2 supporters" in page


def test_supporting_to_the_threshold_sends_the_motion_to_debate(client, body):
    mover, first, second = members_of(body, 3)
    motion = gathering(body, mover)
    url = reverse("democracy:motion_support", args=[motion.pk])

    sign_in(client, first)
    client.post(url)
    client.post(url)  # twice: refused, counted once
    motion.refresh_from_db()
    assert motion.status == Motion.Status.GATHERING and MotionSupport.objects.count() == 1
    sign_in(client, second)
    client.post(url)

    motion.refresh_from_db()
    assert motion.status == Motion.Status.DEBATE
    steps = {step["status"]: step["state"] for step in selectors.motion_timeline(motion)}
    assert steps == {"draft": "done", "gathering": "done", "debate": "current", "voting": "todo", "result": "todo"}


def test_a_motion_without_enough_support_in_time_lapses_by_the_periodic_task(body):
    (mover,) = members_of(body, 1)
    motion = gathering(body, mover)
    fresh = gathering(body, mover)
    fresh.support_opened_at = timezone.now()
    fresh.save()
    motion.support_opened_at = timezone.now() - datetime.timedelta(days=11)
    motion.save()

    assert tasks.motions_lapse.func() == [motion.pk]

    motion.refresh_from_db()
    assert motion.status == Motion.Status.LAPSED
    assert selectors.motion_timeline(motion)[1]["state"] == "lapsed"


def test_the_body_page_lists_motions_with_supporters_in_few_queries(client, body, django_assert_max_num_queries):
    mover, supporter = members_of(body, 2)
    for _ in range(5):
        services.motion_support(motion=gathering(body, mover), person=supporter)
    sign_in(client, mover)

    with django_assert_max_num_queries(14):
        page = client.get(body.get_absolute_url()).content.decode()

    assert page.count("1 of 2 supporters") == 5


# --- amendments --------------------------------------------------------------------------------------------------


def test_the_mover_accepts_an_amendment_and_the_text_changes_with_a_record(client, body):
    mover, amender = members_of(body, 2)
    motion = in_debate(body, mover)
    sign_in(client, amender)
    form = client.get(reverse("democracy:amendment_create", args=[motion.pk]) + "?line=3").content.decode()
    assert 'value="to win the next election;"' in form or "to win the next election;</textarea>" in form

    client.post(
        reverse("democracy:amendment_create", args=[motion.pk]),
        {"line_from": "3", "line_to": "3", "replacement": "to win the next two elections;", "rationale": "Ambition."},
    )
    amendment = Amendment.objects.get()
    assert (amendment.number, amendment.original) == (1, "to win the next election;")
    sign_in(client, amender)
    assert client.post(reverse("democracy:amendment_accept", args=[amendment.pk])).status_code == 403
    sign_in(client, mover)
    client.post(reverse("democracy:amendment_accept", args=[amendment.pk]))

    motion.refresh_from_db()
    amendment.refresh_from_db()
    assert motion.lines[2] == "to win the next two elections;" and len(motion.lines) == 4
    assert amendment.status == Amendment.Status.ACCEPTED and amendment.decided_at is not None
    record = AuditEvent.objects.get(action="motion.amend")
    assert record.fields == ["text"] and record.target_id == str(motion.pk)


def test_an_amendment_naming_lines_outside_the_text_is_refused(client, body):
    mover, amender = members_of(body, 2)
    motion = in_debate(body, mover)
    sign_in(client, amender)

    response = client.post(
        reverse("democracy:amendment_create", args=[motion.pk]), {"line_from": "3", "line_to": "9", "replacement": "x"}
    )

    assert response.status_code == 200 and "The motion has 4 lines." in response.content.decode()
    assert not Amendment.objects.exists()


def test_an_amendment_the_mover_does_not_accept_goes_to_a_vote_and_is_applied_when_carried(client, body):
    mover, amender, *voters = members_of(body, 5)
    motion = in_debate(body, mover, text="Line one\nLine two\nLine three")
    amendment = services.amendment_propose(
        motion=motion, proposer=amender, line_from=2, line_to=3, replacement="Lines two and three"
    )
    sign_in(client, mover)

    response = client.post(reverse("democracy:amendment_to_vote", args=[amendment.pk]))

    amendment.refresh_from_db()
    ballot = amendment.ballot
    assert response["Location"] == ballot.get_absolute_url()
    assert (ballot.status, ballot.method, ballot.motion) == (Ballot.Status.OPEN, Ballot.Method.YES_NO_ABSTAIN, motion)
    assert amendment.status == Amendment.Status.VOTING
    motion.refresh_from_db()
    assert motion.status == Motion.Status.DEBATE  # an amendment's ballot does not move the motion
    vote_all(ballot, voters, [[1], [1], [2]])
    close(ballot)

    amendment.refresh_from_db()
    motion.refresh_from_db()
    assert amendment.status == Amendment.Status.CARRIED
    assert motion.text == "Line one\nLines two and three"


def test_an_amendment_voted_down_leaves_the_text_and_a_stale_one_cannot_be_applied(body):
    mover, amender, *voters = members_of(body, 4)
    motion = in_debate(body, mover, text="A\nB\nC")
    down = services.amendment_propose(motion=motion, proposer=amender, line_from=1, line_to=1, replacement="Z")
    stale = services.amendment_propose(motion=motion, proposer=amender, line_from=2, line_to=2, replacement="Y")
    first = services.amendment_propose(motion=motion, proposer=amender, line_from=2, line_to=3, replacement="X")
    services.amendment_accept(acting=None, amendment=first)
    ballot = services.amendment_to_vote(acting=None, amendment=down)
    vote_all(ballot, voters, [[2], [2]])
    close(ballot)

    down.refresh_from_db()
    motion.refresh_from_db()
    assert down.status == Amendment.Status.REJECTED and motion.text == "A\nX"
    with pytest.raises(Exception, match="changed since"):
        services.amendment_accept(acting=None, amendment=stale)


# --- comments ----------------------------------------------------------------------------------------------------


def test_in_a_strict_body_comments_wait_for_an_organiser_who_approves_or_hides_them(client):
    body = BodyFactory(moderation=Body.Moderation.STRICT)
    mover, author, reader = members_of(body, 3)
    organiser = MembershipFactory(group=body.group, role="organiser").person
    motion = gathering(body, mover)
    sign_in(client, author)
    client.post(reverse("democracy:comment_create", args=[motion.pk]), {"text": "Needs costing."})
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.HELD

    sign_in(client, reader)
    assert "Needs costing." not in client.get(motion.get_absolute_url()).content.decode()
    sign_in(client, author)
    assert "Waiting for approval" in client.get(motion.get_absolute_url()).content.decode()
    sign_in(client, organiser)
    assert "Needs costing." in client.get(motion.get_absolute_url()).content.decode()
    client.post(reverse("democracy:comment_moderate", args=[comment.pk]), {"action": "approve"})
    sign_in(client, reader)
    assert "Needs costing." in client.get(motion.get_absolute_url()).content.decode()

    sign_in(client, organiser)
    client.post(reverse("democracy:comment_moderate", args=[comment.pk]), {"action": "hide"})
    sign_in(client, reader)
    assert "Needs costing." not in client.get(motion.get_absolute_url()).content.decode()
    assert AuditEvent.objects.filter(action="comment.hide", fields=["status"]).exists()


def test_in_a_permissive_body_comments_appear_at_once(client, body):
    mover, author = members_of(body, 2)
    motion = gathering(body, mover)
    sign_in(client, author)

    client.post(reverse("democracy:comment_create", args=[motion.pk]), {"text": "Yes, and soon."})

    sign_in(client, mover)
    assert "Yes, and soon." in client.get(motion.get_absolute_url()).content.decode()


# --- the motion's own ballot -------------------------------------------------------------------------------------


def test_a_ballot_on_the_motion_moves_it_to_voting_then_to_result(client, body):
    mover, *voters = members_of(body, 3)
    organiser = MembershipFactory(group=body.group, role="organiser").person
    motion = in_debate(body, mover)
    sign_in(client, organiser)
    form = client.get(reverse("democracy:ballot_create", args=[body.pk]) + f"?motion={motion.pk}").content.decode()
    assert "Shall we adopt the motion" in form

    now = timezone.now()
    ballot = services.ballot_create(
        acting=None,
        body=body,
        motion=motion,
        question="Adopt?",
        method=Ballot.Method.YES_NO_ABSTAIN,
        opens_at=now,
        closes_at=now + datetime.timedelta(days=1),
    )
    services.ballot_open(acting=None, ballot=ballot)
    motion.refresh_from_db()
    assert motion.status == Motion.Status.VOTING
    close(ballot)
    motion.refresh_from_db()
    assert motion.status == Motion.Status.RESULT
    assert all(step["state"] == "done" for step in selectors.motion_timeline(motion))


def test_a_motion_still_gathering_support_cannot_go_to_a_vote(body):
    (mover,) = members_of(body, 1)
    motion = gathering(body, mover)
    now = timezone.now()
    with pytest.raises(Exception, match="after its debate has begun"):
        services.ballot_create(
            acting=None,
            body=body,
            motion=motion,
            question="Adopt?",
            method=Ballot.Method.YES_NO_ABSTAIN,
            opens_at=now,
            closes_at=now + datetime.timedelta(days=1),
        )


# --- personal data -----------------------------------------------------------------------------------------------


def test_erasure_unlinks_amendment_proposers_and_blanks_comment_authors_words(body):
    mover, person = members_of(body, 2)
    motion = gathering(body, mover)
    amendment = services.amendment_propose(motion=motion, proposer=person, line_from=1, line_to=1, replacement="x")
    comment = services.comment_create(motion=motion, author=person, text="My words.")

    assert privacy.entry_for(Amendment) is not None and privacy.entry_for(Comment) is not None
    privacy.erase_person(person, actor=None, reason="test")

    amendment.refresh_from_db()
    comment.refresh_from_db()
    assert amendment.proposer is None and amendment.replacement == "x"
    assert comment.author is None and comment.text == ""
    audit = AuditEvent.objects.filter(action="comment.create").values_list("fields", flat=True)
    assert list(audit) == [["author", "text"]]


def test_a_motion_with_undecided_amendments_cannot_go_to_a_vote_yet(body):
    mover, amender = members_of(body, 2)
    motion = in_debate(body, mover)
    amendment = services.amendment_propose(motion=motion, proposer=amender, line_from=1, line_to=1, replacement="x")
    now = timezone.now()
    ballot = {
        "acting": None,
        "body": body,
        "motion": motion,
        "question": "Adopt?",
        "method": Ballot.Method.YES_NO_ABSTAIN,
        "opens_at": now,
        "closes_at": now + datetime.timedelta(days=1),
    }
    with pytest.raises(Exception, match="amendments must be decided"):
        services.ballot_create(**ballot)

    services.amendment_accept(acting=None, amendment=amendment)

    assert services.ballot_create(**ballot).motion == motion


def test_the_motion_page_takes_a_bounded_number_of_queries(client, body, django_assert_max_num_queries):
    mover, amender, *commenters = members_of(body, 6)
    motion = in_debate(body, mover)
    for line in (1, 2, 3):
        services.amendment_propose(motion=motion, proposer=amender, line_from=line, line_to=line, replacement="x")
    for person in commenters:
        services.comment_create(motion=motion, author=person, text="A view.")
    sign_in(client, mover)

    with django_assert_max_num_queries(16):
        page = client.get(motion.get_absolute_url()).content.decode()

    assert page.count('data-testid="amendment"') == 3 and page.count("A view.") == 4


def test_the_index_lists_the_members_bodies_and_open_ballots_with_a_vote_button(client, body):
    (member,) = members_of(body, 1)
    movement = BodyFactory(group=None, name="The whole movement")
    other = BodyFactory()
    ballot = open_ballot(body)
    sign_in(client, member)

    page = client.get(reverse("democracy:index")).content.decode()

    assert body.name in page and movement.name in page and other.name not in page
    assert reverse("democracy:vote", args=[ballot.pk]) in page


def test_with_htmx_moderating_a_comment_swaps_just_that_comment(client, body):
    mover, author = members_of(body, 2)
    organiser = MembershipFactory(group=body.group, role="organiser").person
    comment = services.comment_create(motion=gathering(body, mover), author=author, text="Off topic.")
    sign_in(client, organiser)
    assert "htmx.min.js" in client.get(comment.motion.get_absolute_url()).content.decode()

    response = client.post(
        reverse("democracy:comment_moderate", args=[comment.pk]), {"action": "hide"}, headers={"HX-Request": "true"}
    )

    fragment = response.content.decode()
    assert response.status_code == 200 and fragment.lstrip().startswith(
        f'<li class="comment comment--hidden" id="comment-{comment.pk}"'
    )
    assert "Hidden by an organiser" in fragment and ">Show<" in fragment and ">Hide<" not in fragment
