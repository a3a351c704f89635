"""People pages: public group pages, organisers' member lists, person records, the member directory, and the
data stewards' privacy dashboard.

Every view checks a `rules` permission on the object it acts on. Pages about people answer 404 to anyone who may not
see the person (whether someone is recorded is itself personal data); group pages, which are public, answer 403 to
a signed-in user without the right, and everything that needs an account sends anonymous visitors to sign in.
Pages showing personal data are never cached.
"""

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from groundgame.core import privacy as core_privacy
from groundgame.core.audit import audit_record, audit_record_many
from groundgame.core.models import AuditEvent
from groundgame.places import selectors as places

from . import selectors, services
from .forms import (
    AuditFilterForm,
    CloseRequestForm,
    DecideForm,
    DirectoryForm,
    EraseForm,
    NoteForm,
    PersonForm,
    PrivacyRequestForm,
    RoleForm,
)
from .models import LocalGroup, Membership, Person, PrivacyRequest
from .rules import is_administrator, organises_person, person_of

DIRECTORY_PAGE_SIZE = 50
AUDIT_PAGE_SIZE = 50


def _require(user, perm: str, obj=None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def _group_membership(user, perm: str, slug: str, membership_id: int) -> tuple[LocalGroup, Membership]:
    """The group (403 without `perm` on it) and one of ITS memberships (404 for another group's, even by id)."""
    group = get_object_or_404(LocalGroup, slug=slug)
    _require(user, perm, group)
    membership = selectors.group_membership(group=group, pk=membership_id)
    if membership is None:
        raise Http404
    return group, membership


# --- groups (public) -------------------------------------------------------------------------------------------------


@require_GET
def group_list(request):
    """Every group, national -> regional -> local."""
    return render(request, "people/group_list.html", {"tree": selectors.group_tree()})


@require_GET
def group_detail(request, slug: str):
    """A group's public page: what it is, where, how many members, and a way to join."""
    group = get_object_or_404(LocalGroup.objects.select_related("parent"), slug=slug)
    _require(request.user, "people.view_group", group)
    context = {
        "group": group,
        "constituencies": group.constituencies.select_related("boundary_set").order_by("name"),
        "children": group.children.order_by("name"),
        "member_count": selectors.group_active_member_count(group=group),
        "membership": selectors.membership_of(user=request.user, group=group),
        "can_join": request.user.has_perm("people.join_group", group),
        "can_view_members": request.user.has_perm("people.view_group_members", group),
    }
    return render(request, "people/group_detail.html", context)


@login_required
@require_POST
def group_join(request, slug: str):
    """Ask to join (or, for an open group, join). A signed-in user with no person record gets one."""
    group = get_object_or_404(LocalGroup, slug=slug)
    _require(request.user, "people.join_group", group)
    try:
        person = services.person_for_account(user=request.user)
        membership = services.membership_request(person=person, group=group, acting=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(group)
    if membership.status == Membership.Status.ACTIVE:
        messages.success(request, _("You're a member of %(group)s.") % {"group": group.name})
    else:
        messages.success(request, _("Request sent: an organiser of %(group)s will reply.") % {"group": group.name})
    return redirect(group)


# --- groups (organisers) ---------------------------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def group_members(request, slug: str):
    """An organiser's view of the group: active members with their roles, and join requests to decide."""
    group = get_object_or_404(LocalGroup, slug=slug)
    _require(request.user, "people.view_group_members", group)
    active, requested = selectors.group_members_by_status(group=group)
    context = {
        "group": group,
        "active": active,
        "requested": requested,
        "roles": Membership.Role.choices,
        "can_decide": request.user.has_perm("people.decide_membership", group),
        "can_change_roles": request.user.has_perm("people.change_group", group),
        "can_export": request.user.has_perm("people.export_group_members", group),
    }
    return render(request, "people/group_members.html", context)


@login_required
@require_POST
def membership_decide(request, slug: str, membership_id: int):
    group, membership = _group_membership(request.user, "people.decide_membership", slug, membership_id)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or decline the request."))
        return redirect("people:group_members", slug=group.slug)
    approve = form.cleaned_data["approve"]
    try:
        services.membership_decide(
            membership=membership, approve=approve, acting=request.user, decided_by=person_of(request.user)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        name = str(membership.person)
        if approve:
            messages.success(request, _("%(name)s is now a member.") % {"name": name})
        else:
            messages.success(request, _("%(name)s's request was declined.") % {"name": name})
    return redirect("people:group_members", slug=group.slug)


@login_required
@require_POST
def membership_role(request, slug: str, membership_id: int):
    group, membership = _group_membership(request.user, "people.change_group", slug, membership_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role."))
        return redirect("people:group_members", slug=group.slug)
    try:
        services.membership_set_role(membership=membership, role=form.cleaned_data["role"], acting=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(name)s is now: %(role)s.") % {"name": membership.person, "role": membership.get_role_display()},
        )
    return redirect("people:group_members", slug=group.slug)


# Exported columns and, for the audit log, the field of Person each comes from ("memberships": the person's
# memberships, which is where a role or a group comes from).
GROUP_EXPORT_COLUMNS = {
    "first_name": "first_name",
    "last_name": "last_name",
    "email": "email",
    "phone": "phone",
    "postcode": "postcode",
    "status": "status",
    "role": "memberships",
}


@never_cache
@login_required
@require_GET
def group_members_csv(request, slug: str):
    """The group's active members as CSV; one audit event per person exported."""
    group = get_object_or_404(LocalGroup, slug=slug)
    _require(request.user, "people.export_group_members", group)
    active, _requested = selectors.group_members_by_status(group=group)
    rows = [
        {**{name: getattr(m.person, name) for name in GROUP_EXPORT_COLUMNS if name != "role"}, "role": m.role}
        for m in active
    ]
    _audit_export(request.user, [m.person for m in active], GROUP_EXPORT_COLUMNS.values(), f"group {group.pk} export")
    return _csv_response(f"{group.slug}-members.csv", list(GROUP_EXPORT_COLUMNS), rows)


# --- people ----------------------------------------------------------------------------------------------------------


def _person_or_404(request, pk: int) -> Person:
    person = selectors.person_for(user=request.user, pk=pk)
    if person is None:
        raise Http404
    return person


@never_cache
@login_required
@require_GET
def person_detail(request, pk: int):
    """A person's record: details, groups, lawful basis per purpose, and the notes the viewer may read."""
    person = _person_or_404(request, pk)
    authority = _edit_authority(request.user, person)
    context = {
        "person": person,
        "memberships": selectors.memberships_visible_to(user=request.user, person=person),
        "skills": list(person.skills.all()),
        "consent": selectors.consent_summary(person=person),
        "notes": selectors.notes_visible_to(user=request.user, person=person),
        "note_form": _note_form(request.user, person),
        "can_edit": authority is not None and person.erased_at is None,
        "can_view_audit": request.user.has_perm("people.view_audit_log"),
    }
    return render(request, "people/person_detail.html", context)


def _edit_authority(user, person: Person) -> str | None:
    """Why `user` may edit `person` (the audit reason), or None. Data stewards edit under an open rectification
    request; everyone else needs people.change_person."""
    if user.has_perm("people.change_person", person):
        return ""
    if user.has_perm("people.handle_privacy_requests"):
        request = selectors.open_rectification_request(person=person)
        if request is not None:
            return f"privacy request {request.pk}"
    return None


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request, pk: int):
    person = _person_or_404(request, pk)
    authority = _edit_authority(request.user, person)
    if authority is None or person.erased_at is not None:
        raise PermissionDenied
    can_change_status = bool(authority) or organises_person(request.user, person) or is_administrator(request.user)
    form = PersonForm(request.POST or None, person=person, can_change_status=can_change_status)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(person=person, acting=request.user, reason=authority, **form.changes())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(person)
    return render(request, "people/person_edit.html", {"person": person, "form": form, "authority": authority})


def _note_form(user, person: Person, data=None) -> NoteForm | None:
    if person.erased_at is not None or not user.has_perm("people.add_note", person):
        return None
    return NoteForm(data, can_write_steward_notes=user.has_perm("people.view_steward_notes", person))


@never_cache
@login_required
@require_POST
def person_note_add(request, pk: int):
    person = _person_or_404(request, pk)
    form = _note_form(request.user, person, request.POST)
    if form is None:
        raise PermissionDenied
    if not form.is_valid():
        messages.error(
            request,
            _("The note was not saved: %(errors)s")
            % {"errors": " ".join(e for errors in form.errors.values() for e in errors)},
        )
        return redirect(person)
    services.person_note_add(
        person=person,
        acting=request.user,
        author=person_of(request.user),
        text=form.cleaned_data["text"],
        visibility=form.cleaned_data["visibility"],
    )
    messages.success(request, _("Note added."))
    return redirect(f"{person.get_absolute_url()}#notes-heading")


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- the member directory --------------------------------------------------------------------------------------------


def _directory_query(request) -> tuple[DirectoryForm, selectors.DirectoryResult | None]:
    form = DirectoryForm(request.GET or None, groups=selectors.groups_visible_to(user=request.user).order_by("name"))
    if not form.is_bound:
        return form, selectors.directory_search(user=request.user, filters=selectors.DirectoryFilters())
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    filters = selectors.DirectoryFilters(
        text=data["q"].strip(), group=data["group"], role=data["role"], skill=data["skill"]
    )
    if data["postcode"]:
        try:
            filters.near = places.locate_postcode(data["postcode"])
        except places.UnknownPostcode as exc:
            form.add_error("postcode", str(exc))
            return form, None
        filters.within_km = float(data["km"])
    return form, selectors.directory_search(user=request.user, filters=filters)


@never_cache
@login_required
@require_GET
def directory(request):
    """Organisers' member directory: search by name or email, filter by group, role, skill and distance."""
    _require(request.user, "people.use_directory")
    form, result = _directory_query(request)
    context = {"form": form, "page": None, "people": [], "distances": {}, "total": 0}
    if result is not None:
        page = Paginator(result.ids, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
        people = selectors.directory_page(user=request.user, ids=list(page.object_list))
        for person in people:
            person.distance_km = result.distances.get(person.pk)
        query = request.GET.copy()
        query.pop("page", None)
        context.update(
            page=page,
            people=people,
            total=len(result.ids),
            by_distance=result.by_distance,
            query=query.urlencode(),
        )
    return render(request, "people/directory.html", context)


DIRECTORY_EXPORT_COLUMNS = {
    "first_name": "first_name",
    "last_name": "last_name",
    "email": "email",
    "phone": "phone",
    "postcode": "postcode",
    "status": "status",
    "groups": "memberships",
    "distance_km": "postcode",
}


@never_cache
@login_required
@require_GET
def directory_csv(request):
    """The filtered directory as CSV (every page); one audit event per person exported."""
    _require(request.user, "people.use_directory")
    form, result = _directory_query(request)
    if result is None:
        return redirect(f"{reverse('people:directory')}?{request.GET.urlencode()}")
    columns = [c for c in DIRECTORY_EXPORT_COLUMNS if c != "distance_km" or result.by_distance]
    person_columns = [c for c in columns if DIRECTORY_EXPORT_COLUMNS[c] == c]
    people, rows = [], []
    for start in range(0, len(result.ids), 500):
        for person in selectors.directory_page(user=request.user, ids=result.ids[start : start + 500]):
            people.append(person)
            row = {name: getattr(person, name) for name in person_columns}
            row["groups"] = "; ".join(f"{m.group.name} ({m.get_role_display()})" for m in person.visible_memberships)
            row["distance_km"] = result.distances.get(person.pk)
            rows.append(row)
    _audit_export(request.user, people, [DIRECTORY_EXPORT_COLUMNS[c] for c in columns], "member directory export")
    return _csv_response("members.csv", columns, rows)


# --- exports ---------------------------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PHONE = re.compile(r"\+\d{8,15}")


def _cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (CSV injection); phone numbers stay as they are."""
    if value is None:
        return ""
    if isinstance(value, list | dict):
        value = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    text = str(value)
    if text.startswith(_FORMULA_START) and not _PHONE.fullmatch(text):
        return "'" + text
    return text


def _csv_text(columns: list[str], rows: Iterable[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(name)) for name in columns])
    return out.getvalue()


def _csv_response(filename: str, columns: list[str], rows: Iterable[dict]) -> HttpResponse:
    response = HttpResponse(_csv_text(columns, rows).encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _audit_export(user, people: list[Person], fields: Iterable[str], reason: str) -> None:
    """One "people.export" event per person exported, naming the fields exported (never their values)."""
    audit_record_many(
        actor=user, action="people.export", targets=people, fields=list(dict.fromkeys(fields)), reason=reason
    )


# --- privacy: the data stewards' dashboard ---------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def privacy_dashboard(request):
    _require(request.user, "people.handle_privacy_requests")
    return _render_dashboard(request, PrivacyRequestForm())


def _render_dashboard(request, form, status: int = 200):
    today = timezone.localdate()
    open_requests = list(selectors.privacy_requests_open())
    for item in open_requests:
        item.overdue = item.due_on < today
        item.days_left = (item.due_on - today).days
    context = {
        "form": form,
        "open_requests": open_requests,
        "overdue_count": sum(1 for r in open_requests if r.overdue),
        "closed_requests": selectors.privacy_requests_closed(),
        "can_view_audit": request.user.has_perm("people.view_audit_log"),
        "retention": core_privacy.retention_status(),
    }
    return render(request, "people/privacy_dashboard.html", context, status=status)


@never_cache
@login_required
@require_POST
def privacy_request_open(request):
    _require(request.user, "people.handle_privacy_requests")
    form = PrivacyRequestForm(request.POST)
    if form.is_valid():
        person = selectors.person_find(user=request.user, text=form.cleaned_data["person"])
        if person is None:
            form.add_error("person", _("No one with that number or email address is recorded."))
        elif person.erased_at is not None:
            form.add_error("person", _("This person's data has already been erased."))
        else:
            try:
                item = services.privacy_request_open(
                    person=person,
                    kind=form.cleaned_data["kind"],
                    acting=request.user,
                    received_on=form.cleaned_data["received_on"],
                    details=form.cleaned_data["details"],
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Request opened; it is due on %(date)s.") % {"date": item.due_on})
                return redirect("people:privacy_request", pk=item.pk)
    return _render_dashboard(request, form, status=400)


def _privacy_request_or_404(request, pk: int, kind: str | None = None) -> PrivacyRequest:
    _require(request.user, "people.handle_privacy_requests")
    item = selectors.privacy_request(pk=pk)
    if item is None or (kind is not None and item.kind != kind):
        raise Http404
    return item


@never_cache
@login_required
@require_GET
def privacy_request_detail(request, pk: int):
    item = _privacy_request_or_404(request, pk)
    context = {
        "item": item,
        "overdue": item.status == PrivacyRequest.Status.OPEN and item.due_on < timezone.localdate(),
        "close_form": CloseRequestForm(),
    }
    return render(request, "people/privacy_request.html", context)


@never_cache
@login_required
@require_GET
def privacy_request_export(request, pk: int):
    """The subject access export: a ZIP of export.json (everything registered about the person, their consent
    history and the audit events about their records) and one CSV per part. Audited."""
    item = _privacy_request_or_404(request, pk, kind=PrivacyRequest.Kind.ACCESS)
    person = item.person
    data = core_privacy.export_person(person)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export.json", json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False))
        for label, rows in data.items():
            columns = list(dict.fromkeys(name for row in rows for name in row))
            archive.writestr(f"{label}.csv", _csv_text(columns, rows) if columns else "")
    entry = core_privacy.entry_for(Person)
    audit_record(
        actor=request.user,
        action="people.subject_access_export",
        target=person,
        fields=list(entry.personal_fields) if entry else [],
        reason=f"privacy request {item.pk}",
    )
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="subject-access-{person.pk}-{timezone.localdate()}.zip"'
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def privacy_request_erase(request, pk: int):
    """Erase the person's data everywhere (after a confirmation), then close the request as done."""
    item = _privacy_request_or_404(request, pk, kind=PrivacyRequest.Kind.ERASURE)
    if item.status != PrivacyRequest.Status.OPEN:
        messages.error(request, _("This request is already closed."))
        return redirect("people:privacy_request", pk=item.pk)
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            services.person_erase(person=item.person, acting=request.user, reason=f"privacy request {item.pk}")
            services.privacy_request_close(request=item, status=PrivacyRequest.Status.DONE, acting=request.user)
        messages.success(request, _("The person's data was erased and the request closed."))
        return redirect("people:privacy")
    parts = [(entry, entry.rows_for(item.person).count()) for entry in core_privacy.entries()]
    context = {"item": item, "form": form, "parts": [(e, n) for e, n in parts if n]}
    return render(request, "people/privacy_erase.html", context)


@never_cache
@login_required
@require_POST
def privacy_request_close(request, pk: int):
    item = _privacy_request_or_404(request, pk)
    form = CloseRequestForm(request.POST)
    if item.status != PrivacyRequest.Status.OPEN:
        messages.error(request, _("This request is already closed."))
    elif form.is_valid():
        services.privacy_request_close(request=item, status=form.cleaned_data["status"], acting=request.user)
        messages.success(request, _("Request closed: %(status)s.") % {"status": item.get_status_display()})
        return redirect("people:privacy")
    else:
        messages.error(request, _("Choose done or refused."))
    return redirect("people:privacy_request", pk=item.pk)


@never_cache
@login_required
@require_GET
def audit_log(request):
    """The audit log (ids and field names only), newest first, filtered by record or actor."""
    _require(request.user, "people.view_audit_log")
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.all()
    if form.is_valid():
        if form.cleaned_data["target_type"]:
            events = events.filter(target_type=form.cleaned_data["target_type"].strip().lower())
        if form.cleaned_data["target_id"]:
            events = events.filter(target_id=form.cleaned_data["target_id"].strip())
        if form.cleaned_data["actor"]:
            events = events.filter(actor_id=form.cleaned_data["actor"])
    page = Paginator(events.order_by("-occurred_at", "-id"), AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    actor_ids = {e.actor_id for e in page.object_list if e.actor_id}
    actors = get_user_model().objects.in_bulk(actor_ids)
    for event in page.object_list:
        event.actor = actors.get(event.actor_id)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "people/audit_log.html", {"form": form, "page": page, "query": query.urlencode()})
