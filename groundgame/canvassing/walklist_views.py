"""Walk lists for organisers, on a laptop: the campaign's polling districts, a district's lists (cut, merge), one
list's preview on a map with its doors in walking order (split, assign, release) and its PDF walk sheet.

Who: the campaign's organisers and administrators (`rules.runs_campaign`). A campaign the user may not see at all
answers 404; one they may see (through a register access grant) but not run answers 403; anonymous visitors are
sent to sign in. Electors' names appear only on the PDF, and only for users who may see the register
(`canvassing.view_electors`: the campaign's organisers and grant holders, not administrators as such). Writes go
through walklists.py; pages are never cached.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from groundgame.core.audit import audit_record

from . import pdf, walklists
from .models import Address, Campaign, PollingDistrict, WalkList
from .rules import may_see_electors, runs_campaign

DEFAULT_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'


# --- forms ------------------------------------------------------------------------------------------------------


class CutForm(forms.Form):
    target_size = forms.IntegerField(
        label=gettext_lazy("Doors per list"),
        min_value=walklists.MIN_TARGET,
        max_value=walklists.MAX_TARGET,
        initial=50,
        help_text=gettext_lazy("Lists come out within about 30% of this, keeping streets together."),
    )


class MergeForm(forms.Form):
    other = forms.ModelChoiceField(
        label=gettext_lazy("Merge with"),
        queryset=WalkList.objects.none(),
        to_field_name="uuid",
        empty_label=gettext_lazy("Choose a list"),
    )

    def __init__(self, *args, walk_list: WalkList, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].queryset = (
            WalkList.objects.filter(polling_district_id=walk_list.polling_district_id, status__in=walklists.EDITABLE)
            .exclude(pk=walk_list.pk)
            .order_by("name")
        )
        self.fields["other"].help_text = _("Its doors follow this list's, in their order; that list goes.")


class SplitForm(forms.Form):
    position = forms.TypedChoiceField(label=gettext_lazy("Start the new list at"), coerce=int)

    def __init__(self, *args, stops: list[walklists.Stop], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].choices = [(s.position, door_text(s)) for s in stops[1:]]


class AssignForm(forms.Form):
    person = forms.ModelChoiceField(
        label=gettext_lazy("Canvasser"), queryset=None, required=False, empty_label=gettext_lazy("Nobody")
    )
    session = forms.ModelChoiceField(
        label=gettext_lazy("Campaign session"), queryset=None, required=False, empty_label=gettext_lazy("None")
    )

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = walklists.assignable_people(campaign=campaign)
        self.fields["session"].queryset = walklists.assignable_sessions(campaign=campaign)
        self.fields["session"].label_from_instance = lambda e: (
            f"{e.title} ({timezone.localtime(e.starts_at):%d %b %H:%M})"
        )


def door_text(stop: walklists.Stop) -> str:
    a = stop.address
    number = f"{a.house_number}{a.house_suffix}" if a.house_number is not None else a.house_name
    where = " ".join(p for p in (number, a.street or a.locality) if p)
    return f"{stop.position}. " + ", ".join(p for p in (a.flat, where) if p)


# --- lookups ----------------------------------------------------------------------------------------------------


def _campaign(user, slug: str) -> Campaign:
    """The campaign (404 when the user may not see it at all; 403 when they may not run it)."""
    campaign = Campaign.objects.select_related("host").filter(slug=slug).first()
    if campaign is None or not user.has_perm("canvassing.view_campaign", campaign):
        raise Http404
    if not runs_campaign(user, campaign):
        raise PermissionDenied
    return campaign


def _district(campaign: Campaign, code: str) -> PollingDistrict:
    district = PollingDistrict.objects.filter(campaign=campaign, code=code).first()
    if district is None:
        raise Http404
    return district


def _walk_list(campaign: Campaign, uuid) -> WalkList:
    walk_list = (
        WalkList.objects.select_related("polling_district", "assigned_to", "session", "campaign")
        .filter(campaign=campaign, uuid=uuid)
        .first()
    )
    if walk_list is None:
        raise Http404
    return walk_list


def _district_url(walk_list: WalkList) -> str:
    return reverse("canvassing:walklists_district", args=[walk_list.campaign.slug, walk_list.polling_district.code])


def _list_url(walk_list: WalkList) -> str:
    return reverse("canvassing:walklist", args=[walk_list.campaign.slug, walk_list.uuid])


def _error(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- pages ------------------------------------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def overview(request, slug):
    """The campaign's polling districts: addresses, lists, doors on lists."""
    campaign = _campaign(request.user, slug)
    summaries = walklists.district_summaries(campaign=campaign)
    return render(request, "canvassing/walklists/overview.html", {"campaign": campaign, "districts": summaries})


@never_cache
@login_required
@require_GET
def district(request, slug, code):
    """A district's lists with door counts and streets, and the forms to cut it again."""
    campaign = _campaign(request.user, slug)
    pd = _district(campaign, code)
    summaries = walklists.walk_lists_of_district(district=pd)
    drafts = sum(1 for s in summaries if s.walk_list.status == WalkList.Status.DRAFT)
    context = {
        "campaign": campaign,
        "district": pd,
        "lists": summaries,
        "drafts": drafts,
        "doors_on_lists": sum(s.doors for s in summaries),
        "addresses": Address.objects.filter(polling_district=pd).count(),
        "cut_form": CutForm(),
    }
    return render(request, "canvassing/walklists/district.html", context)


@never_cache
@login_required
@require_POST
def cut(request, slug, code):
    campaign = _campaign(request.user, slug)
    pd = _district(campaign, code)
    form = CutForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("target_size", []):
            messages.error(request, error)
    else:
        try:
            made = walklists.walk_lists_cut(
                campaign=campaign,
                polling_districts=pd,
                target_size=form.cleaned_data["target_size"],
                acting=request.user,
            )
        except ValidationError as exc:
            _error(request, exc)
        else:
            doors = sum(w.door_count for w in made)
            messages.success(
                request,
                ngettext(
                    "Cut %(doors)d doors into %(count)d draft list.",
                    "Cut %(doors)d doors into %(count)d draft lists.",
                    len(made),
                )
                % {"doors": doors, "count": len(made)},
            )
    return redirect("canvassing:walklists_district", campaign.slug, pd.code)


@never_cache
@login_required
@require_GET
def walk_list(request, slug, uuid):
    """One list: its doors in walking order on a map (markers numbered) and as a list; split, merge, assign."""
    campaign = _campaign(request.user, slug)
    wl = _walk_list(campaign, uuid)
    stops = walklists.walk_list_stops(walk_list=wl, with_electors=False)
    markers = [
        {"n": s.position, "lat": s.address.latitude, "lon": s.address.longitude, "label": door_text(s)}
        for s in stops
        if s.address.location_quality == Address.LocationQuality.POSTCODE  # a district centroid is no door's place
    ]
    streets: list[tuple[str, list[walklists.Stop]]] = []
    for stop in stops:
        name = stop.address.street or stop.address.locality or _("(no street)")
        if streets and streets[-1][0] == name:
            streets[-1][1].append(stop)
        else:
            streets.append((name, [stop]))
    editable = wl.status in walklists.EDITABLE
    context = {
        "campaign": campaign,
        "walk_list": wl,
        "stops": stops,
        "streets": streets,
        "markers": markers,
        "unlocated": len(stops) - len(markers),
        "editable": editable,
        "releasable": wl.status in (WalkList.Status.READY, WalkList.Status.CLAIMED),
        "split_form": SplitForm(stops=stops) if editable and len(stops) > 1 else None,
        "merge_form": MergeForm(walk_list=wl) if editable else None,
        "assign_form": AssignForm(campaign=campaign, initial={"person": wl.assigned_to_id, "session": wl.session_id})
        if wl.status != WalkList.Status.DONE
        else None,
        "shows_electors": may_see_electors(request.user, campaign),
        "tile_url": getattr(settings, "GROUNDGAME_MAP_TILE_URL", DEFAULT_TILE_URL),
        "attribution": getattr(settings, "GROUNDGAME_MAP_ATTRIBUTION", DEFAULT_ATTRIBUTION),
    }
    return render(request, "canvassing/walklists/walk_list.html", context)


@never_cache
@login_required
@require_POST
def merge(request, slug, uuid):
    campaign = _campaign(request.user, slug)
    wl = _walk_list(campaign, uuid)
    form = MergeForm(request.POST, walk_list=wl)
    if not form.is_valid():
        messages.error(request, _("Choose a draft or ready list of the same polling district to merge with."))
        return redirect(_list_url(wl))
    other = form.cleaned_data["other"]
    try:
        walklists.walk_list_merge(walk_list=wl, other=other, acting=request.user)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("%(other)s merged into %(name)s.") % {"other": other.name, "name": wl.name})
    return redirect(_list_url(wl))


@never_cache
@login_required
@require_POST
def split(request, slug, uuid):
    campaign = _campaign(request.user, slug)
    wl = _walk_list(campaign, uuid)
    form = SplitForm(request.POST, stops=walklists.walk_list_stops(walk_list=wl, with_electors=False))
    if not form.is_valid():
        messages.error(request, _("Choose the door the new list starts at."))
        return redirect(_list_url(wl))
    try:
        new = walklists.walk_list_split(walk_list=wl, at_position=form.cleaned_data["position"], acting=request.user)
    except ValidationError as exc:
        _error(request, exc)
        return redirect(_list_url(wl))
    messages.success(request, _("Split: the doors from there on are now %(name)s.") % {"name": new.name})
    return redirect(_list_url(wl))


@never_cache
@login_required
@require_POST
def assign(request, slug, uuid):
    campaign = _campaign(request.user, slug)
    wl = _walk_list(campaign, uuid)
    form = AssignForm(request.POST, campaign=campaign)
    if not form.is_valid():
        messages.error(request, _("Choose an active member of the campaign's groups, or an upcoming session."))
        return redirect(_list_url(wl))
    try:
        wl = walklists.walk_list_assign(
            walk_list=wl, person=form.cleaned_data["person"], session=form.cleaned_data["session"], acting=request.user
        )
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Saved who works %(name)s.") % {"name": wl.name})
    return redirect(_list_url(wl))


@never_cache
@login_required
@require_POST
def mark_ready(request, slug, uuid):
    """`ready=1`: draft -> ready (canvassers may open it on their phones); `ready=0`: back to draft."""
    campaign = _campaign(request.user, slug)
    wl = _walk_list(campaign, uuid)
    ready = request.POST.get("ready", "1") != "0"
    try:
        walklists.walk_list_mark_ready(walk_list=wl, ready=ready, acting=request.user)
    except ValidationError as exc:
        _error(request, exc)
    else:
        text = _("%(name)s is ready to go out.") if ready else _("%(name)s is a draft again.")
        messages.success(request, text % {"name": wl.name})
    return redirect(_list_url(wl))


@never_cache
@login_required
@require_POST
def release(request, slug, uuid):
    campaign = _campaign(request.user, slug)
    wl = _walk_list(campaign, uuid)
    try:
        walklists.walk_list_release(walk_list=wl, done=request.POST.get("done") == "1", acting=request.user)
    except ValidationError as exc:
        _error(request, exc)
    else:
        if request.POST.get("done") == "1":
            text = _("%(name)s is released and marked done.")
        else:
            text = _("%(name)s is released: a phone that held it loses it at its next sync; it is ready again.")
        messages.success(request, text % {"name": wl.name})
    return redirect(_list_url(wl))


@never_cache
@login_required
@require_GET
def sheet_pdf(request, slug, uuid):
    """The printable walk sheet; electors' names only for users who may see the register (an audit row says who
    downloaded which list, with names or without)."""
    campaign = _campaign(request.user, slug)
    wl = _walk_list(campaign, uuid)
    names = may_see_electors(request.user, campaign)
    stops = walklists.walk_list_stops(walk_list=wl, with_electors=names)
    body = pdf.walk_sheet_pdf(walk_list=wl, stops=stops, show_electors=names)
    audit_record(
        actor=request.user,
        action="walk_list.print",
        target=wl,
        fields=["stops"],
        reason="with electors" if names else "doors only",
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="walk-sheet-{slugify(wl.name) or wl.uuid}.pdf"'
    return response
