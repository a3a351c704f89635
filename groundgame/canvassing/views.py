"""Organisers' canvassing pages: campaigns, register copies, register access and the list of electors.

Every view checks a `canvassing.*` rule on the campaign it acts on (rules.py). A campaign the user may not see at
all answers 404 (another group's campaign is not theirs to know of, even by editing the URL); one they may see but
not act on answers 403; anonymous visitors are sent to sign in. Writes go through services; pages with register
data are never cached. The register upload is in import_views.py.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from groundgame.people.rules import is_organiser_anywhere

from . import forms, selectors, services
from .models import Campaign, RegisterAccess, RegisterCopy
from .register import FRANCHISE

ELECTORS_PER_PAGE = 50


def _require(user, perm: str, obj=None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def campaign_or_404(user, slug: str, perm: str = "canvassing.view_campaign") -> Campaign:
    """The campaign (404 when the user may not see it at all; 403 without `perm` on it). For the other canvassing
    views too: `campaign_or_404(request.user, slug, "canvassing.view_electors")`."""
    campaign = Campaign.objects.select_related("host").filter(slug=slug).first()
    if campaign is None or not user.has_perm("canvassing.view_campaign", campaign):
        raise Http404
    _require(user, perm, campaign)
    return campaign


def _data(request):
    return request.POST if request.method == "POST" else None


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- campaigns --------------------------------------------------------------------------------------------------


@never_cache
@login_required
def campaign_list(request):
    """The campaigns the user runs or canvasses for, soonest polling day first."""
    _require(request.user, "canvassing.use_canvassing")
    campaigns = list(selectors.campaigns_for(user=request.user))
    context = {
        "campaigns": campaigns,
        "may_create": is_organiser_anywhere(request.user) or selectors.host_groups_for(user=request.user).exists(),
    }
    return render(request, "canvassing/campaign_list.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request):
    hosts = selectors.host_groups_for(user=request.user)
    if not hosts.exists():
        raise PermissionDenied
    form = forms.CampaignForm(_data(request), hosts=hosts)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        _require(request.user, "canvassing.create_campaign", data["host"])
        try:
            campaign = services.campaign_create(
                acting=request.user,
                host=data["host"],
                name=data["name"],
                kind=data["kind"],
                polling_date=data["polling_date"],
                constituencies=data["constituencies"],
                parties=data["parties"],
                areas=data["areas"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The campaign was created, with the default survey."))
            return redirect("canvassing:campaign", slug=campaign.slug)
    elif request.method == "GET" and hosts.count() == 1:
        host = hosts.first()
        form.initial.update(
            {"constituencies": forms.constituencies_text(host.constituencies.order_by("name")), "name": host.name}
        )
    return render(request, "canvassing/campaign_form.html", {"form": form}, status=400 if form.errors else 200)


@never_cache
@login_required
def campaign_detail(request, slug: str):
    campaign = campaign_or_404(request.user, slug)
    user = request.user
    context = {
        "campaign": campaign,
        "constituencies": list(campaign.constituencies.select_related("boundary_set").order_by("name")),
        "overview": selectors.register_overview(campaign=campaign),
        "districts": list(selectors.polling_districts_for(campaign=campaign)),
        "survey": selectors.latest_survey(campaign=campaign),
        "may_manage": user.has_perm("canvassing.manage_register", campaign),
        "may_change": user.has_perm("canvassing.change_campaign", campaign),
        "may_grant": user.has_perm("canvassing.manage_register_access", campaign),
        "may_see_electors": user.has_perm("canvassing.view_electors", campaign),
        "sections": campaign_sections(),
    }
    return render(request, "canvassing/campaign_detail.html", context)


CAMPAIGN_SECTIONS = (
    "canvassing/walklists/_campaign_section.html",
    "canvassing/app/_campaign_section.html",
    "canvassing/results/_campaign_section.html",
    "pollingday/_campaign_section.html",
)
"""Templates other canvassing pages add to the campaign page, when they exist (each gets the page's context:
campaign, may_manage, may_see_electors...)."""


def campaign_sections() -> list[str]:
    found = []
    for name in CAMPAIGN_SECTIONS:
        try:
            get_template(name)
        except TemplateDoesNotExist:
            continue
        found.append(name)
    return found


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request, slug: str):
    campaign = campaign_or_404(request.user, slug, "canvassing.change_campaign")
    form = forms.CampaignForm(_data(request), hosts=None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.campaign_update(
                campaign=campaign,
                acting=request.user,
                constituencies=data["constituencies"],
                name=data["name"],
                kind=data["kind"],
                polling_date=data["polling_date"],
                areas=data["areas"],
                parties=data["parties"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The campaign was updated."))
            return redirect("canvassing:campaign", slug=campaign.slug)
    context = {"form": form, "campaign": campaign}
    return render(request, "canvassing/campaign_form.html", context, status=400 if form.errors else 200)


# --- register copies ------------------------------------------------------------------------------------------


@never_cache
@login_required
def register_copies(request, slug: str):
    """Every copy of the register the campaign has held: supplier, dates, purpose, delete-by, what each import
    did and what the deletion did or will do."""
    campaign = campaign_or_404(request.user, slug, "canvassing.manage_register")
    context = {
        "campaign": campaign,
        "copies": list(selectors.register_copies(campaign=campaign)),
        "franchise": sorted(FRANCHISE.items()),
    }
    return render(request, "canvassing/register_copies.html", context)


def _copy(campaign: Campaign, copy_id: int) -> RegisterCopy:
    copy = RegisterCopy.objects.filter(campaign=campaign, pk=copy_id).first()
    if copy is None:
        raise Http404
    return copy


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def register_copy_edit(request, slug: str, copy_id: int):
    """Correct the record of a copy (supplier, dates, purpose, delete-by date)."""
    campaign = campaign_or_404(request.user, slug, "canvassing.manage_register")
    copy = _copy(campaign, copy_id)
    if copy.status == RegisterCopy.Status.DELETED:
        messages.info(request, _("This copy was deleted; its record can no longer be changed."))
        return redirect("canvassing:register_copies", slug=slug)
    form = forms.RegisterCopyForm(_data(request), copy=copy)
    if request.method == "POST" and form.is_valid():
        details = form.details()
        try:
            services.register_copy_update(copy=copy, acting=request.user, **details.__dict__)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The register copy's record was updated."))
            return redirect("canvassing:register_copies", slug=slug)
    context = {"form": form, "campaign": campaign, "copy": copy}
    return render(request, "canvassing/register_copy_form.html", context, status=400 if form.errors else 200)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def register_copy_delete(request, slug: str, copy_id: int):
    """Delete a copy now (before its delete-by date): what it would remove first, then a confirmed POST."""
    campaign = campaign_or_404(request.user, slug, "canvassing.manage_register")
    copy = _copy(campaign, copy_id)
    if copy.status == RegisterCopy.Status.DELETED:
        messages.info(request, _("This copy was already deleted."))
        return redirect("canvassing:register_copies", slug=slug)
    form = forms.ConfirmDeleteForm(_data(request))
    if request.method == "POST" and form.is_valid():
        counts = services.register_copy_delete(copy=copy, acting=request.user, reason="deleted by an organiser")
        messages.success(
            request,
            _("The copy was deleted: %(electors)d electors and %(addresses)d households.")
            % {"electors": counts.electors, "addresses": counts.addresses},
        )
        return redirect("canvassing:register_copies", slug=slug)
    context = {
        "form": form,
        "campaign": campaign,
        "copy": copy,
        "counts": services.register_copy_deletion_counts(copy=copy),
    }
    return render(request, "canvassing/register_copy_delete.html", context, status=400 if form.errors else 200)


# --- register access ------------------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def register_access(request, slug: str):
    """Who may see the campaign's electors; grant access to a member of the host group."""
    campaign = campaign_or_404(request.user, slug, "canvassing.manage_register_access")
    people = selectors.grantable_people(campaign=campaign)
    form = forms.GrantForm(_data(request), people=people)
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data["person"]
        try:
            services.register_access_grant(campaign=campaign, person=person, acting=request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("%(name)s may now see the register.") % {"name": person.first_name})
            return redirect("canvassing:register_access", slug=slug)
    context = {"campaign": campaign, "form": form, "grants": list(selectors.register_access_rows(campaign=campaign))}
    return render(request, "canvassing/register_access.html", context, status=400 if form.errors else 200)


@never_cache
@login_required
@require_POST
def register_access_revoke(request, slug: str, access_id: int):
    campaign = campaign_or_404(request.user, slug, "canvassing.manage_register_access")
    access = RegisterAccess.objects.select_related("person").filter(campaign=campaign, pk=access_id).first()
    if access is None:
        raise Http404
    services.register_access_revoke(access=access, acting=request.user)
    messages.success(request, _("%(name)s can no longer see the register.") % {"name": access.person.first_name})
    return redirect("canvassing:register_access", slug=slug)


# --- electors ---------------------------------------------------------------------------------------------------


@never_cache
@login_required
def electors(request, slug: str):
    """The register, 50 electors a page, searchable: for organisers and people granted register access."""
    campaign = campaign_or_404(request.user, slug, "canvassing.view_electors")
    districts = list(selectors.polling_districts_for(campaign=campaign).values_list("code", flat=True))
    form = forms.ElectorSearchForm(request.GET or None, districts=districts)
    rows = selectors.electors_for(user=request.user, campaign=campaign)
    if form.is_valid():
        rows = rows.search(form.cleaned_data["q"])
        if form.cleaned_data["district"]:
            rows = rows.in_district(form.cleaned_data["district"])
    page = Paginator(rows, ELECTORS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"campaign": campaign, "form": form, "page": page, "query": request.GET.copy()}
    context["query"].pop("page", None)
    return render(request, "canvassing/electors.html", context)
