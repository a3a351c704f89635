"""Polling-day pages: the plan (organisers), the dashboard, committee rooms with knock-up rounds and lifts, knock-up
lists on a knocker's phone, and the tellers' station picker (the telling app itself is in app_views.py).

Every view checks a `pollingday.*` rule on the campaign (rules.py): a campaign the user may not see at all answers
404, one they may see without the right 403, anonymous visitors are sent to sign in. Writes go through services;
pages with electors on them are never cached.
"""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from groundgame.canvassing.models import Campaign
from groundgame.people.rules import person_of

from . import forms, selectors, services
from .models import (
    CommitteeRoom,
    DistrictArrangement,
    KnockUpList,
    KnockUpMark,
    PollingDayPlan,
    PollingLift,
    PollingStation,
    TellerPass,
)

DASHBOARD_SECONDS = 5


def _campaign(user, slug: str, perm: str) -> Campaign:
    """The campaign (404 when the user may not see it; 403 without `perm`)."""
    campaign = Campaign.objects.select_related("host").filter(slug=slug).first()
    if campaign is None or not (user.has_perm("canvassing.view_campaign", campaign) or user.has_perm(perm, campaign)):
        raise Http404
    if not user.has_perm(perm, campaign):
        raise PermissionDenied
    return campaign


def _plan(campaign: Campaign) -> PollingDayPlan:
    plan = PollingDayPlan.objects.filter(campaign=campaign).select_related("campaign").first()
    if plan is None:
        raise Http404
    return plan


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- the plan -------------------------------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def plan(request, slug):
    """Set up polling day: the promise rule, stations and committee rooms per district, tellers' passes, rehearsal."""
    campaign = _campaign(request.user, slug, "pollingday.run")
    current = PollingDayPlan.objects.filter(campaign=campaign).first()
    if current is None:
        form = forms.PlanForm(request.POST or None, campaign=campaign)
        if request.method == "POST" and form.is_valid():
            try:
                services.plan_create(
                    campaign=campaign,
                    acting=request.user,
                    promise_intentions=form.cleaned_data["promise_intentions"],
                    promise_min_certainty=form.cleaned_data["promise_min_certainty"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Polling day is set up, in rehearsal. Check the stations and rooms."))
                return redirect("pollingday:plan", slug)
        return render(request, "pollingday/plan_create.html", {"campaign": campaign, "form": form})
    if request.method == "POST":
        form = forms.PlanForm(request.POST, campaign=campaign, plan=current)
        if form.is_valid():
            try:
                services.plan_update(plan=current, acting=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _errors(request, exc)
            else:
                messages.success(request, _("Saved."))
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
        return redirect("pollingday:plan", slug)
    arrangements = list(
        DistrictArrangement.objects.filter(plan=current).select_related("district", "station", "committee_room")
    )
    context = {
        "campaign": campaign,
        "plan": current,
        "form": forms.PlanForm(campaign=campaign, plan=current),
        "arrangements": arrangements,
        "stations": list(PollingStation.objects.filter(plan=current)),
        "rooms": list(CommitteeRoom.objects.filter(plan=current)),
        "promises": current.promises.count(),
        "passes": TellerPass.objects.filter(station__plan=current, revoked_at__isnull=True)
        .select_related("station", "person")
        .order_by("station__name", "-issued_at"),
        "place_form": forms.PlaceForm(),
    }
    return render(request, "pollingday/plan.html", context)


@never_cache
@login_required
@require_POST
def place_create(request, slug):
    campaign = _campaign(request.user, slug, "pollingday.run")
    current = _plan(campaign)
    form = forms.PlaceForm(request.POST)
    if form.is_valid():
        try:
            services.place_create(plan=current, acting=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(request, exc)
    else:
        messages.error(request, _("Give the station or room a name."))
    return redirect("pollingday:plan", slug)


@never_cache
@login_required
@require_POST
def arrangement_set(request, slug, pk):
    campaign = _campaign(request.user, slug, "pollingday.run")
    current = _plan(campaign)
    arrangement = get_object_or_404(DistrictArrangement, pk=pk, plan=current)
    station = PollingStation.objects.filter(plan=current, pk=request.POST.get("station") or 0).first()
    room = CommitteeRoom.objects.filter(plan=current, pk=request.POST.get("committee_room") or 0).first()
    if station is None or room is None:
        messages.error(request, _("Choose a polling station and a committee room of this polling day."))
    else:
        services.arrangement_set(arrangement=arrangement, acting=request.user, station=station, committee_room=room)
    return redirect("pollingday:plan", slug)


@never_cache
@login_required
@require_POST
def promises_refresh(request, slug):
    campaign = _campaign(request.user, slug, "pollingday.run")
    counts = services.promises_refresh(plan=_plan(campaign), acting=request.user)
    messages.success(
        request,
        _("%(total)s promises: %(added)s added, %(removed)s no longer promises.")
        % {"total": counts["total"], "added": counts["added"], "removed": counts["removed"]},
    )
    return redirect("pollingday:plan", slug)


@never_cache
@login_required
@require_POST
def mode_set(request, slug):
    campaign = _campaign(request.user, slug, "pollingday.run")
    current = _plan(campaign)
    try:
        if request.POST.get("mode") == "live":
            services.go_live(plan=current, acting=request.user)
            messages.success(
                request, _("Polling day is live: the rehearsal's entries are gone, from now on it counts.")
            )
        else:
            services.rehearse_again(plan=current, acting=request.user)
            messages.success(request, _("Back to rehearsal."))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("pollingday:plan", slug)


@never_cache
@login_required
@require_POST
def pass_revoke(request, slug, uuid):
    campaign = _campaign(request.user, slug, "pollingday.run")
    teller_pass = get_object_or_404(TellerPass, uuid=uuid, station__plan__campaign=campaign)
    services.teller_pass_revoke(teller_pass=teller_pass, acting=request.user)
    messages.success(request, _("The pass no longer works; the phone wipes what it holds when it next connects."))
    return redirect("pollingday:plan", slug)


# --- the dashboard -------------------------------------------------------------------------------------------------


@never_cache
@login_required
def dashboard(request, slug):
    """Counts per committee room and district, refreshing itself (htmx polls the fragment); JSON with ?format=json."""
    campaign = _campaign(request.user, slug, "pollingday.run")
    plan = _plan(campaign)
    # Every organiser's page asks every 15 s: one count per plan and mode every DASHBOARD_SECONDS serves them all.
    key = f"pollingday:dashboard:{plan.pk}:{plan.rehearsal}"
    board = cache.get_or_set(key, lambda: selectors.dashboard(plan), DASHBOARD_SECONDS)
    if request.GET.get("format") == "json":
        return JsonResponse(board.as_dict())
    template = "pollingday/_dashboard.html" if request.headers.get("HX-Request") else "pollingday/dashboard.html"
    return render(request, template, {"campaign": campaign, "board": board})


# --- telling: choosing a station ---------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def tell(request, slug):
    """A teller picks their station; POST gives this phone a pass and opens the telling app with it (the token in
    the URL fragment: never sent to a server, never in a log)."""
    campaign = _campaign(request.user, slug, "pollingday.tell")
    current = _plan(campaign)
    stations = list(PollingStation.objects.filter(plan=current).order_by("name"))
    if request.method == "POST":
        station = next((s for s in stations if str(s.pk) == request.POST.get("station")), None)
        if station is not None:
            teller_pass, token = services.teller_pass_issue(
                station=station, person=person_of(request.user), acting=request.user
            )
            return HttpResponseRedirect(f"{reverse('pollingday:app')}#pass={teller_pass.uuid}&token={token}")
        messages.error(request, _("Choose your polling station."))
    districts = defaultdict(list)
    for station_id, code in (
        DistrictArrangement.objects.filter(plan=current)
        .order_by("district__code")
        .values_list("station_id", "district__code")
    ):
        districts[station_id].append(code)
    return render(
        request,
        "pollingday/tell.html",
        {"campaign": campaign, "plan": current, "stations": [(s, districts[s.pk]) for s in stations]},
    )


# --- committee rooms and knock-up ----------------------------------------------------------------------------------


@never_cache
@login_required
def room(request, slug, pk):
    campaign = _campaign(request.user, slug, "pollingday.knock_up")
    current = _plan(campaign)
    committee_room = get_object_or_404(CommitteeRoom, pk=pk, plan=current)
    committee_room.plan = current
    latest = committee_room.rounds.order_by("-number").first()
    lists = []
    if latest is not None:
        lists = list(latest.lists.select_related("district", "assigned_to").order_by("position"))
        counts = dict(KnockUpList.objects.filter(round=latest).values_list("pk").annotate(n=Count("stops")))
        for item in lists:
            item.door_count = counts.get(item.pk, 0)
    context = {
        "campaign": campaign,
        "plan": current,
        "room": committee_room,
        "round": latest,
        "lists": lists,
        "lifts": selectors.open_lifts(committee_room),
        "may_run": request.user.has_perm("pollingday.run", campaign),
    }
    return render(request, "pollingday/room.html", context)


@never_cache
@login_required
@require_POST
def round_create(request, slug, pk):
    campaign = _campaign(request.user, slug, "pollingday.run")
    current = _plan(campaign)
    committee_room = get_object_or_404(CommitteeRoom, pk=pk, plan=current)
    knock_up_round = services.knock_up_round_create(committee_room=committee_room, acting=request.user)
    messages.success(
        request,
        _("Round %(number)s: %(lists)s knock-up lists.")
        % {"number": knock_up_round.number, "lists": knock_up_round.lists.count()},
    )
    return redirect("pollingday:room", slug, pk)


def _knock_up_list(request, slug, uuid) -> tuple[Campaign, KnockUpList]:
    campaign = _campaign(request.user, slug, "pollingday.knock_up")
    knock_up_list = get_object_or_404(
        KnockUpList.objects.select_related("round__committee_room__plan", "district"),
        uuid=uuid,
        round__committee_room__plan__campaign=campaign,
    )
    return campaign, knock_up_list


@never_cache
@login_required
def knock_up(request, slug, uuid):
    """A knock-up list on the knocker's phone: doors in walking order, the promises at each, one tap per outcome."""
    campaign, knock_up_list = _knock_up_list(request, slug, uuid)
    doors = selectors.knock_up_doors(knock_up_list)
    context = {
        "campaign": campaign,
        "knock_up_list": knock_up_list,
        "plan": knock_up_list.round.committee_room.plan,
        "doors": doors,
        "outcomes": KnockUpMark.Outcome.choices,
        "left": sum(1 for d in doors for p in d.promises if not p["voted"]),
    }
    return render(request, "pollingday/knock_up.html", context)


@never_cache
@login_required
@require_POST
def knock_up_mark(request, slug, uuid):
    campaign, knock_up_list = _knock_up_list(request, slug, uuid)
    try:
        elector_id = int(request.POST.get("elector", ""))
    except ValueError:
        raise Http404 from None
    try:
        services.knock_up_mark(
            knock_up_list=knock_up_list,
            elector_id=elector_id,
            outcome=request.POST.get("outcome", ""),
            knocker=person_of(request.user),
            acting=request.user,
            mark_id=request.POST.get("mark_id") or None,
        )
    except ValidationError as exc:
        if request.headers.get("HX-Request"):
            return JsonResponse({"detail": " ".join(exc.messages)}, status=400)
        _errors(request, exc)
    if request.headers.get("HX-Request"):
        promise = selectors.knock_up_promise(knock_up_list, elector_id)
        if promise is None:
            raise Http404
        context = {
            "campaign": campaign,
            "knock_up_list": knock_up_list,
            "promise": promise,
            "outcomes": KnockUpMark.Outcome.choices,
        }
        return render(request, "pollingday/_promise.html", context)
    return redirect(f"{reverse('pollingday:knock_up', args=[slug, uuid])}#elector-{elector_id}")


@never_cache
@login_required
@require_POST
def lift_update(request, slug, pk):
    campaign = _campaign(request.user, slug, "pollingday.knock_up")
    current = _plan(campaign)
    lift = get_object_or_404(PollingLift, pk=pk, plan=current)
    try:
        services.lift_update(
            lift=lift, status=request.POST.get("status", ""), acting=request.user, driver=person_of(request.user)
        )
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("pollingday:room", slug, lift.committee_room_id)
