"""The listening pages: conversations, one-statement-at-a-time voting (htmx swaps the card, no page reload),
statement submission and moderation, the opinion map, the organiser report, doorstep insight.

A conversation the user may not see answers 404 (its existence is not theirs to know); one they may see but not act
on answers 403; anonymous visitors are sent to sign in. Writes go through listening.services.
"""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from groundgame.democracy.selectors import body_of_group
from groundgame.people.models import LocalGroup
from groundgame.people.rules import is_administrator, organised_group_ids, person_of

from . import insight as doorstep
from . import selectors, services
from .forms import ConversationForm, StatementForm
from .models import Conversation, Statement, StatementVote


def _conversation(request, pk: int) -> Conversation:
    conversation = Conversation.objects.select_related("group").filter(pk=pk).first()
    if conversation is None or not request.user.has_perm("listening.view_conversation", conversation):
        raise Http404
    return conversation


def _require(user, perm: str, obj=None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def _card_context(request, conversation: Conversation) -> dict:
    person = person_of(request.user)
    can_vote = person is not None and request.user.has_perm("listening.vote", conversation)
    statement, left = selectors.next_statement(conversation=conversation, person=person) if can_vote else (None, 0)
    voted = StatementVote.objects.filter(conversation=conversation, participant=person).count() if person else 0
    return {"conversation": conversation, "statement": statement, "left": left, "voted": voted, "can_vote": can_vote}


@login_required
@require_GET
def index(request):
    person = person_of(request.user)
    conversations = selectors.conversations_for(
        person=person, organised=organised_group_ids(request.user), admin=is_administrator(request.user)
    )
    can_start = request.user.has_perm("listening.start_conversation")
    return render(request, "listening/index.html", {"conversations": conversations, "can_start": can_start})


@login_required
@require_http_methods(["GET", "POST"])
def conversation_create(request):
    _require(request.user, "listening.start_conversation")
    admin = is_administrator(request.user)
    groups = LocalGroup.objects.all() if admin else LocalGroup.objects.filter(pk__in=organised_group_ids(request.user))
    form = ConversationForm(request.POST or None, groups=groups.order_by("name"), movement_wide=admin)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        conversation = services.conversation_create(
            topic=data["topic"],
            description=data["description"],
            group=data["group"],
            moderation=data["moderation"],
            seed_statements=data["seed_statements"],
            acting=person_of(request.user),
        )
        messages.success(request, _("Conversation started."))
        return redirect(conversation)
    return render(request, "listening/conversation_form.html", {"form": form})


@login_required
@never_cache
@require_GET
def conversation(request, pk: int):
    """The voting page: one statement at a time."""
    conversation = _conversation(request, pk)
    context = _card_context(request, conversation)
    context |= {
        "form": StatementForm(),
        "can_add": request.user.has_perm("listening.add_statement", conversation),
        "manages": request.user.has_perm("listening.manage_conversation", conversation),
    }
    return render(request, "listening/conversation.html", context)


@login_required
@require_POST
def vote(request, pk: int, statement_pk: int):
    """Vote on a statement; to htmx, the next card (no page reload); otherwise back to the voting page."""
    conversation = _conversation(request, pk)
    _require(request.user, "listening.vote", conversation)
    statement = get_object_or_404(Statement, pk=statement_pk, conversation=conversation)
    try:
        value = int(request.POST.get("value", ""))
        services.vote_cast(statement=statement, participant=person_of(request.user), value=value)
    except (ValueError, ValidationError):
        return HttpResponse(_("That vote could not be recorded."), status=400)
    if request.headers.get("HX-Request"):
        response = render(request, "listening/_card.html", _card_context(request, conversation))
        response["Cache-Control"] = "no-store"
        return response
    return redirect(conversation)


@login_required
@require_POST
def statement_submit(request, pk: int):
    conversation = _conversation(request, pk)
    _require(request.user, "listening.add_statement", conversation)
    form = StatementForm(request.POST)
    if form.is_valid():
        manages = request.user.has_perm("listening.manage_conversation", conversation)
        try:
            statement = services.statement_submit(
                conversation=conversation,
                text=form.cleaned_data["text"],
                author=person_of(request.user),
                approved=manages,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            if statement.status == Statement.Status.APPROVED:
                messages.success(request, _("Thank you: your statement is in the conversation."))
            else:
                messages.success(request, _("Thank you: your statement will appear once an organiser has approved it."))
    else:
        for error in form.errors.get("text", []):
            messages.error(request, error)
    return redirect(conversation)


@login_required
@require_GET
def opinion_map(request, pk: int):
    conversation = _conversation(request, pk)
    context = selectors.map_context(conversation) | {
        "conversation": conversation,
        "manages": request.user.has_perm("listening.manage_conversation", conversation),
    }
    return render(request, "listening/map.html", context)


@login_required
@require_GET
def moderate(request, pk: int):
    conversation = _conversation(request, pk)
    _require(request.user, "listening.manage_conversation", conversation)
    pending = conversation.statements.filter(status=Statement.Status.PENDING).order_by("created_at")
    return render(request, "listening/moderate.html", {"conversation": conversation, "pending": pending})


@login_required
@require_POST
def statement_moderate(request, pk: int, statement_pk: int):
    conversation = _conversation(request, pk)
    _require(request.user, "listening.manage_conversation", conversation)
    statement = get_object_or_404(Statement, pk=statement_pk, conversation=conversation)
    approve = request.POST.get("decision") == "approve"
    services.statement_moderate(statement=statement, approve=approve, acting=person_of(request.user))
    messages.success(request, _("Statement approved.") if approve else _("Statement rejected."))
    return redirect("listening:moderate", conversation.pk)


@login_required
@require_GET
def report(request, pk: int):
    """The organiser report: one CSV row per approved statement (aggregates only)."""
    conversation = _conversation(request, pk)
    _require(request.user, "listening.manage_conversation", conversation)
    rows = selectors.report_rows(conversation)
    groups = max((len(r["group_agree"]) for r in rows), default=0)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="conversation-{conversation.pk}-report.csv"'
    writer = csv.writer(response)
    header = [_("id"), _("statement"), _("seed"), _("agree"), _("disagree"), _("pass")]
    header += [_("group %(letter)s agrees (%%)") % {"letter": chr(ord("A") + g)} for g in range(groups)]
    header += [_("consensus"), _("divisive"), _("represents group")]
    writer.writerow(header)
    for r in rows:
        cells = [r["id"], _safe(r["text"]), "yes" if r["seed"] else "", r["agree"], r["disagree"], r["pass"]]
        cells += [round(100 * p) for p in r["group_agree"]] + [""] * (groups - len(r["group_agree"]))
        cells += ["yes" if r["consensus"] else "", "yes" if r["divisive"] else "", r["represents"]]
        writer.writerow(cells)
    return response


def _safe(text: str) -> str:
    """No spreadsheet formulas from member-written text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required
@require_http_methods(["GET", "POST"])
def insight(request, pk: int):
    """Doorstep insight: themes in what canvassers heard, for this conversation's organisers; a theme can become a
    statement."""
    conversation = _conversation(request, pk)
    _require(request.user, "listening.manage_conversation", conversation)
    if request.method == "POST":
        text = request.POST.get("text", "")
        try:
            services.statement_submit(
                conversation=conversation, text=text, author=person_of(request.user), approved=True
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The theme is now a statement in the conversation."))
        return redirect("listening:insight", conversation.pk)
    themes = doorstep.themes_for_conversation(conversation=conversation)
    body = body_of_group(group=conversation.group)
    if body is not None and not request.user.has_perm("democracy.propose_motion", body):
        body = None
    context = {"conversation": conversation, "themes": themes, "motion_body": body}
    return render(request, "listening/insight.html", context)
