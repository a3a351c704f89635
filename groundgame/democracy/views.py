"""The democracy pages: bodies and their motions (support, amendments, comments), ballots (create, open, close,
vote, receipts) and results (with everything needed to recount them).

Every view checks a `democracy.*` rule on the object it acts on (rules.py). An object the user may not see at all
answers 404 (a draft motion or ballot is not theirs to know of); one they may see but not act on answers 403;
anonymous visitors are sent to sign in, except on a closed ballot's result and verification pages, which are
public. Writes go through democracy.services; the voting pages are never cached.

Secrecy (docs/democracy.md): the receipt code is shown in the response to the vote itself and is stored nowhere,
not even in the session (a session row names the voter). Nothing about a vote is logged or put in messages.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from groundgame.people.rules import is_administrator, organised_group_ids, person_of

from . import selectors, services
from .forms import AmendmentForm, BallotForm, CommentForm, MotionForm, ReceiptLookupForm, VoteForm
from .models import Amendment, Ballot, Body, Comment, Motion, MotionSupport


def _require(user, perm: str, obj=None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def _person(request):
    person = person_of(request.user)
    if person is None:
        raise PermissionDenied
    return person


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _form_errors(form, exc: ValidationError) -> None:
    form.add_error(None, exc.messages)


def _body(request, pk: int) -> Body:
    body = get_object_or_404(Body.objects.select_related("group"), pk=pk)
    _require(request.user, "democracy.view_body", body)
    return body


def _motion(request, pk: int) -> Motion:
    motion = Motion.objects.select_related("body", "body__group", "proposer").filter(pk=pk).first()
    if motion is None or not request.user.has_perm("democracy.view_motion", motion):
        raise Http404
    return motion


def _ballot(request, pk: int) -> Ballot:
    ballot = Ballot.objects.select_related("body", "body__group", "motion").filter(pk=pk).first()
    if ballot is None or not request.user.has_perm("democracy.view_ballot", ballot):
        raise Http404
    return ballot


def _closed_ballot(pk: int) -> Ballot:
    """A closed ballot, for the public result and verification pages (404 for any other)."""
    ballot = Ballot.objects.select_related("body", "motion").filter(pk=pk, status=Ballot.Status.CLOSED).first()
    if ballot is None:
        raise Http404
    return ballot


# --- bodies ------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def index(request):
    """The bodies the user takes part in or runs, with their open ballots and recent results."""
    person = person_of(request.user)
    bodies = selectors.bodies_for(
        person=person, organised=organised_group_ids(request.user), admin=is_administrator(request.user)
    )
    ids = [b.pk for b in bodies]
    open_ballots = list(
        Ballot.objects.filter(body_id__in=ids, status=Ballot.Status.OPEN).select_related("body").order_by("closes_at")
    )
    roll = dict(selectors.roll_of(person=person, ballots=open_ballots)) if person else {}
    results = list(
        Ballot.objects.filter(body_id__in=ids, status=Ballot.Status.CLOSED)
        .select_related("body")
        .order_by("-closed_at")[:10]
    )
    context = {
        "bodies": bodies,
        "open_ballots": open_ballots,
        "on_roll": set(roll),
        "voted": {ballot_id for ballot_id, voted in roll.items() if voted},
        "results": results,
    }
    return render(request, "democracy/index.html", context)


@login_required
@require_GET
def body(request, pk: int):
    """A body's motions (newest first) and ballots, and what the user may do there."""
    body = _body(request, pk)
    person = person_of(request.user)
    manages = request.user.has_perm("democracy.manage_body", body)
    motions = list(selectors.motions_of(body=body, include_drafts_of=person, all_drafts=manages))
    ballots = Ballot.objects.filter(body=body).order_by("-opens_at")
    if not manages:
        ballots = ballots.exclude(status=Ballot.Status.DRAFT)
    context = {
        "body": body,
        "motions": motions,
        "ballots": list(ballots),
        "manages": manages,
        "can_propose": request.user.has_perm("democracy.propose_motion", body),
    }
    return render(request, "democracy/body.html", context)


# --- motions -----------------------------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def motion_create(request, pk: int):
    """Draft a motion for the body (a member of it); it is submitted for support from its page."""
    body = _body(request, pk)
    _require(request.user, "democracy.propose_motion", body)
    # A draft may start from elsewhere (a doorstep theme in listening): ?title=...&text=... fill the form.
    initial = {name: request.GET.get(name, "")[:limit] for name, limit in (("title", 200), ("text", 5000))}
    form = MotionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            motion = services.motion_create(
                acting=request.user, body=body, proposer=_person(request), **form.cleaned_data
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Your draft is saved. Submit it when you are ready to gather support."))
            return redirect(motion)
    return render(request, "democracy/motion_form.html", {"body": body, "form": form})


@login_required
@require_GET
def motion(request, pk: int):
    """A motion: its timeline, numbered text, supporters, amendments, comments and ballots."""
    motion = _motion(request, pk)
    user, person = request.user, person_of(request.user)
    manages = user.has_perm("democracy.manage_body", motion.body)
    supporters = MotionSupport.objects.filter(motion=motion).count()
    supported = person is not None and MotionSupport.objects.filter(motion=motion, person=person).exists()
    comments = Comment.objects.filter(motion=motion).select_related("author")
    if not manages:
        mine = person.pk if person else None
        comments = [c for c in comments if c.status == Comment.Status.VISIBLE or c.author_id == mine]
    amendments = list(Amendment.objects.filter(motion=motion).select_related("proposer", "ballot"))
    can_take_part = user.has_perm("democracy.support_motion", motion)
    context = {
        "motion": motion,
        "body": motion.body,
        "lines": list(enumerate(motion.lines, start=1)),
        "timeline": selectors.motion_timeline(motion),
        "supporters": supporters,
        "supported": supported,
        "is_mover": user.has_perm("democracy.submit_motion", motion),
        "can_support": can_take_part and motion.status == Motion.Status.GATHERING and not supported,
        "can_amend": can_take_part and motion.status in services.AMENDABLE,
        "can_comment": can_take_part and motion.status != Motion.Status.DRAFT,
        "manages": manages,
        "amendments": amendments,
        "comments": comments,
        "comment_form": CommentForm(),
        "ballots": list(motion.ballots.exclude(status=Ballot.Status.DRAFT) if not manages else motion.ballots.all()),
        "support_deadline": services.motion_support_deadline(motion),
    }
    return render(request, "democracy/motion.html", context)


@login_required
@require_POST
def motion_submit(request, pk: int):
    """The proposer submits their draft: it starts gathering support."""
    motion = _motion(request, pk)
    _require(request.user, "democracy.submit_motion", motion)
    try:
        services.motion_status_set(acting=request.user, motion=motion, status=Motion.Status.GATHERING)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Submitted: members can support your motion now."))
    return redirect(motion)


@login_required
@require_POST
def motion_support(request, pk: int):
    motion = _motion(request, pk)
    _require(request.user, "democracy.support_motion", motion)
    try:
        services.motion_support(motion=motion, person=_person(request))
    except ValidationError as exc:
        _errors(request, exc)
    else:
        motion.refresh_from_db()
        if motion.status == Motion.Status.DEBATE:
            messages.success(request, _("Thank you: with your support the motion goes forward to debate."))
        else:
            messages.success(request, _("Thank you: you support this motion."))
    return redirect(motion)


# --- amendments --------------------------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def amendment_create(request, pk: int):
    """Propose an amendment: lines of the motion and their replacement."""
    motion = _motion(request, pk)
    _require(request.user, "democracy.amend_motion", motion)
    lines = motion.lines
    initial = {}
    if request.GET.get("line", "").isdigit():
        line = min(max(int(request.GET["line"]), 1), len(lines))
        initial = {"line_from": line, "line_to": line, "replacement": lines[line - 1] if lines else ""}
    form = AmendmentForm(request.POST or None, lines=len(lines), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            amendment = services.amendment_propose(motion=motion, proposer=_person(request), **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Amendment %(number)d proposed.") % {"number": amendment.number})
            return redirect(amendment)
    context = {"motion": motion, "form": form, "lines": list(enumerate(lines, start=1))}
    return render(request, "democracy/amendment_form.html", context)


def _amendment(request, pk: int) -> Amendment:
    amendment = Amendment.objects.select_related("motion", "motion__body", "motion__body__group").filter(pk=pk).first()
    if amendment is None or not request.user.has_perm("democracy.view_motion", amendment.motion):
        raise Http404
    _require(request.user, "democracy.decide_amendment", amendment)
    return amendment


@login_required
@require_POST
def amendment_accept(request, pk: int):
    amendment = _amendment(request, pk)
    try:
        services.amendment_accept(acting=request.user, amendment=amendment)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(
            request, _("Amendment %(number)d accepted: the text is changed.") % {"number": amendment.number}
        )
    return redirect(amendment)


@login_required
@require_POST
def amendment_to_vote(request, pk: int):
    amendment = _amendment(request, pk)
    try:
        ballot = services.amendment_to_vote(acting=request.user, amendment=amendment)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect(amendment)
    messages.success(request, _("Amendment %(number)d goes to a vote of the members.") % {"number": amendment.number})
    return redirect(ballot)


# --- comments ----------------------------------------------------------------------------------------------------


@login_required
@require_POST
def comment_create(request, pk: int):
    motion = _motion(request, pk)
    _require(request.user, "democracy.comment", motion)
    form = CommentForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(motion.get_absolute_url() + "#comments")
    try:
        comment = services.comment_create(motion=motion, author=_person(request), text=form.cleaned_data["text"])
    except ValidationError as exc:
        _errors(request, exc)
    else:
        if comment.status == Comment.Status.HELD:
            messages.info(request, _("Thank you: your comment will appear once an organiser has approved it."))
        else:
            messages.success(request, _("Your comment is posted."))
    return redirect(motion.get_absolute_url() + "#comments")


@login_required
@require_POST
def comment_moderate(request, pk: int):
    comment = Comment.objects.select_related("motion", "motion__body").filter(pk=pk).first()
    if comment is None or not request.user.has_perm("democracy.view_motion", comment.motion):
        raise Http404
    _require(request.user, "democracy.moderate", comment)
    try:
        services.comment_moderate(acting=request.user, comment=comment, action=request.POST.get("action", ""))
    except ValidationError as exc:
        _errors(request, exc)
    else:
        if request.headers.get("HX-Request") == "true":  # htmx: the comment, swapped in place
            return render(request, "democracy/_comment.html", {"comment": comment, "manages": True})
    return redirect(comment.motion.get_absolute_url() + "#comments")


# --- ballots -----------------------------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def ballot_create(request, pk: int):
    """An organiser creates a ballot of the body (on a motion in debate with ?motion=<id>)."""
    body = _body(request, pk)
    _require(request.user, "democracy.manage_body", body)
    motion = None
    motion_id = request.GET.get("motion") or request.POST.get("motion")
    if motion_id and str(motion_id).isdigit():
        motion = Motion.objects.filter(pk=motion_id, body=body).first()
    initial = {"question": _("Shall we adopt the motion “%(title)s”?") % {"title": motion.title}} if motion else {}
    if motion:
        initial["method"] = Ballot.Method.YES_NO_ABSTAIN
    form = BallotForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ballot = services.ballot_create(
                acting=request.user,
                body=body,
                motion=motion,
                question=data["question"],
                method=data["method"],
                options=data["option_names"],
                seats=data["seats"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                quorum_percent=data["quorum_percent"],
                quorum_count=data["quorum_count"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request, _("The ballot is drafted. Open it when you are ready; it opens by itself at its time.")
            )
            return redirect(ballot)
    return render(request, "democracy/ballot_form.html", {"body": body, "form": form, "motion": motion})


@never_cache
@login_required
@require_GET
def ballot(request, pk: int):
    """A ballot: question, options, times, quorum, turnout; vote or result links; organisers open or close it."""
    ballot = _ballot(request, pk)
    person = person_of(request.user)
    entry = ballot.roll.filter(person=person).values_list("voted", flat=True).first() if person else None
    context = {
        "ballot": ballot,
        "body": ballot.body,
        "options": list(ballot.options.all()),
        "manages": request.user.has_perm("democracy.manage_ballot", ballot),
        "on_roll": entry is not None,
        "has_voted": bool(entry),
        "turnout": selectors.ballot_turnout(ballot=ballot) if ballot.status != Ballot.Status.DRAFT else None,
        "amendment": Amendment.objects.filter(ballot=ballot).first(),
    }
    return render(request, "democracy/ballot.html", context)


@login_required
@require_POST
def ballot_open(request, pk: int):
    ballot = _ballot(request, pk)
    _require(request.user, "democracy.manage_ballot", ballot)
    try:
        services.ballot_open(acting=request.user, ballot=ballot, bring_forward=True)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("The ballot is open; its electorate is frozen."))
    return redirect(ballot)


@login_required
@require_POST
def ballot_close(request, pk: int):
    ballot = _ballot(request, pk)
    _require(request.user, "democracy.manage_ballot", ballot)
    try:
        services.ballot_close(acting=request.user, ballot=ballot)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect(ballot)
    messages.success(request, _("The ballot is closed and counted."))
    return redirect("democracy:result", pk=ballot.pk)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def vote(request, pk: int):
    """The voting page for the ballot's method; after voting, the receipt code, shown once (in this response only).

    A voter who has voted may change their vote before close if the body allows it, with their receipt code."""
    ballot = _ballot(request, pk)
    _require(request.user, "democracy.vote", ballot)
    person = _person(request)
    options = list(ballot.options.all())
    has_voted = selectors.has_voted(ballot=ballot, person=person)
    is_open = ballot.status == Ballot.Status.OPEN
    changing = has_voted and ballot.body.votes_changeable
    form = VoteForm(request.POST or None, ballot=ballot, options=options, changing=changing)
    if request.method == "POST" and is_open and (changing or not has_voted) and form.is_valid():
        try:
            if changing:
                code = services.vote_change(
                    ballot=ballot,
                    person=person,
                    receipt_code=form.cleaned_data["receipt_code"],
                    choices=form.cleaned_data["positions"],
                )
            else:
                code = services.vote_cast(ballot=ballot, person=person, choices=form.cleaned_data["positions"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            context = {"ballot": ballot, "code": code, "changed": changing}
            return render(request, "democracy/receipt.html", context)
    context = {
        "ballot": ballot,
        "form": form,
        "options": options,
        "has_voted": has_voted,
        "is_open": is_open,
        "changing": changing,
        "rank_text": _rank_text() if ballot.is_ranked else None,
    }
    return render(request, "democracy/vote.html", context)


def _rank_text() -> dict[str, str]:
    """The tap-to-rank script's labels, translated (rank.js fills in %(name)s and %(n)s)."""
    return {
        "help": _("Tap them in the order you prefer them. Use the arrows to change the order."),
        "ranking": _("Your ranking"),
        "pool": _("Not ranked yet: tap to add"),
        "empty": _("Nobody ranked yet: tap a candidate below to make them your first choice."),
        "up": _("Move %(name)s up"),
        "down": _("Move %(name)s down"),
        "remove": _("Take %(name)s out of your ranking"),
        "add": _("Rank %(name)s next"),
        "ranked": _("%(name)s is number %(n)s"),
        "removed": _("%(name)s is no longer ranked"),
    }


# --- results and verification (public once closed) ---------------------------------------------------------------


@require_GET
def result(request, pk: int):
    """A closed ballot's stored result: turnout and quorum, the winners, the stage table and transfer chart (ranked
    counts) or bars (yes/no/abstain, approval), Schulze strengths; links to recount it."""
    ballot = _closed_ballot(pk)
    stored = getattr(ballot, "result", None)
    if stored is None:
        raise Http404
    transcript = selectors.transcript_data(stored)
    context = {
        "ballot": ballot,
        "body": ballot.body,
        "stored": stored,
        "transcript": transcript,
        "turnout_percent": (stored.voted * 100 / stored.electorate) if stored.electorate else 0,
        "stv": selectors.stv_stages(transcript)
        if ballot.method in {Ballot.Method.SCOTTISH_STV, Ballot.Method.MEEK, Ballot.Method.IRV}
        else None,
        "bars": selectors.result_bars(transcript)
        if ballot.method in {Ballot.Method.YES_NO_ABSTAIN, Ballot.Method.APPROVAL, Ballot.Method.SCHULZE}
        else None,
        "has_file": ballot.is_ranked or ballot.method == Ballot.Method.APPROVAL,
        "amendment": Amendment.objects.filter(ballot=ballot).first(),
    }
    return render(request, "democracy/result.html", context)


def _download(content: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def ballot_file(request, pk: int):
    """The anonymised ballot file (BLT) of a closed ranked or approval ballot."""
    ballot = _closed_ballot(pk)
    if not (ballot.is_ranked or ballot.method == Ballot.Method.APPROVAL):
        raise Http404
    return _download(selectors.ballot_blt(ballot=ballot), "text/plain; charset=utf-8", f"ballot-{ballot.pk}.blt")


@require_GET
def transcript(request, pk: int):
    """The full count transcript, exactly as stored at close (the counting library's JSON)."""
    ballot = _closed_ballot(pk)
    stored = getattr(ballot, "result", None)
    if stored is None:
        raise Http404
    return _download(stored.transcript, "application/json", f"ballot-{ballot.pk}-transcript.json")


@require_GET
def box(request, pk: int):
    """The published ballot box: each ballot beside its receipt hash (or, in bodies that do not show contents by
    receipt, the hashes and the ballots as two separately sorted lists), and the turnout to compare."""
    ballot = _closed_ballot(pk)
    published = selectors.ballot_box_published(ballot=ballot)
    turnout = selectors.ballot_turnout(ballot=ballot)
    data = {
        "ballot": ballot.pk,
        "question": ballot.question,
        "method": ballot.method,
        "options": list(ballot.options.order_by("position").values_list("name", flat=True)),
        "receipt_hash": "sha256('groundgame-receipt:v1:<ballot id>:<code without dashes, upper case>')",
        "electorate": turnout.electorate,
        "voted": turnout.voted,
        "contents_by_receipt": published.by_receipt,
    }
    if published.by_receipt:
        data["ballots"] = [{"receipt_hash": h, "choices": list(c)} for h, c in published.entries]
    else:
        data["receipt_hashes"] = published.receipt_hashes
        data["ballots"] = [list(c) for c in published.ballots]
    response = JsonResponse(data, json_dumps_params={"indent": 1, "ensure_ascii": False})
    response["Content-Disposition"] = f'inline; filename="ballot-{ballot.pk}-box.json"'
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def receipt_lookup(request, pk: int):
    """Enter a receipt code: is that ballot in the published box (and, if the body shows it, as what)?

    The code is posted, never put in the URL: a URL lands in access logs and browser history, which would pair
    a visitor's address with the code, so with the ballot's contents."""
    ballot = Ballot.objects.select_related("body").filter(pk=pk).exclude(status=Ballot.Status.DRAFT).first()
    if ballot is None:
        raise Http404
    form = ReceiptLookupForm(request.POST or None)
    check = None
    if ballot.status == Ballot.Status.CLOSED and form.is_valid():
        check = selectors.receipt_check(ballot=ballot, code=form.cleaned_data["code"])
    context = {"ballot": ballot, "form": form, "check": check, "closed": ballot.status == Ballot.Status.CLOSED}
    return render(request, "democracy/receipt_lookup.html", context)
