"""Member import from a CSV file, in the browser: upload, map the columns, check (a dry run), import.

The pages drive `people.importing` (which validates, reports and writes, all-or-nothing) for an organiser:

1. `import_upload`: the file goes to a private folder, ``GROUNDGAME_HOME/imports/<token>/<file name>`` (never
   served; the folder 0700, the file 0600), and its token, the user's id and the file name into the user's session.
   Only that user, in that session, can continue: any other token answers 404, like a page about someone the user
   may not see. Uploads older than a day are deleted whenever someone uploads, and hourly (people/tasks.py);
   importing or discarding deletes the upload at once.
2. `import_mapping`: the columns with sample values and, for each, the field it fills (guessed by
   `importing.suggest_mapping`); the group everyone joins, among the groups the user organises (every group for
   administrators). The mapping is kept in the session (column names and field names only).
3. `import_check`: a dry run, computed afresh on each visit and never stored: the row/field error report, or the
   counts and the merge review (rows matching people already recorded: update them or leave them as they are).
4. `import_commit`: `importing.commit`, all-or-nothing; the audit rows are its own ("people.import" and one
   "person.create"/"person.update" per person). Nothing before this step writes to the database except the
   session entry above: the file's contents, the sample rows and the report are never stored.

Who may import: `people.import_members` (organisers and administrators). A matched person is updated only if the
user may change their record (`people.change_person`: they belong to a group the user organises); anyone else is
left as they are, and the page names them only as "a record outside your groups" (whether someone is recorded is
itself personal data).
"""

import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, SuspiciousFileOperation
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from groundgame.core.uploads import remove_stale_folders

from . import importing, selectors
from .models import ConsentWording, LocalGroup, Person, Purpose
from .rules import person_of

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UPLOAD_AGE_SECONDS = 24 * 60 * 60
MAX_UPLOADS_PER_SESSION = 5
SAMPLE_ROWS = 5
SAMPLE_VALUES = 3  # per column on the mapping page
MAX_ERRORS_SHOWN = 200
SESSION_KEY = "people_member_imports"
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
_ZIP_MAGIC = b"PK\x03\x04"  # an .xlsx or .ods workbook
CLAIM = ".importing"  # a file beside the upload while it is being imported

PERM = "people.import_members"

FIELD_NAMES = {
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "email": gettext_lazy("Email address"),
    "phone": gettext_lazy("Phone number"),
    "postcode": gettext_lazy("Postcode"),
    "status": gettext_lazy("Status"),
    "joined_on": gettext_lazy("Date joined"),
    "skills": gettext_lazy("Skills"),
    "languages": gettext_lazy("Languages"),
    "interests": gettext_lazy("Interests"),
    "accessibility_needs": gettext_lazy("Accessibility needs"),
    "group": gettext_lazy("Group"),
    "consented_on": gettext_lazy("Date consent was given"),
}
"""Short names of the fields (what a merge would change)."""
FIELD_LABELS = FIELD_NAMES | {
    "status": gettext_lazy("Status (member, supporter, volunteer)"),
    "skills": gettext_lazy("Skills (separated by ;)"),
    "group": gettext_lazy("Group (its short name, instead of the group chosen below)"),
}
"""The mapping select's options, with a hint where the values have a form."""
MATCHED_ON = {"email": gettext_lazy("email address"), "phone": gettext_lazy("phone number")}
REFUSAL_REASONS = {
    importing.SUPPRESSED: gettext_lazy("The email address or phone number is on the suppression list."),
    importing.ERASED: gettext_lazy("The email address or phone number belonged to a person whose data was erased."),
}


def _require(user) -> None:
    if not user.has_perm(PERM):
        raise PermissionDenied


# --- where uploads live ------------------------------------------------------------------------------------------


def upload_dir() -> Path:
    """The private folder of uploads (outside STATIC_ROOT and any served folder)."""
    return Path(settings.GROUNDGAME_HOME) / "imports"


@dataclass
class Upload:
    token: str
    entry: dict  # the session entry: user, filename, created, and later mapping and group

    @property
    def filename(self) -> str:
        return self.entry["filename"]

    @property
    def path(self) -> Path:
        return upload_dir() / self.token / self.filename


def _uploads(request) -> dict:
    return request.session.get(SESSION_KEY, {})


def _save(request, uploads: dict) -> None:
    request.session[SESSION_KEY] = uploads


def _upload_or_404(request, token: str) -> Upload:
    """The signed-in user's own upload, from their session; 404 for any other token."""
    if not _TOKEN.fullmatch(token):
        raise Http404
    entry = _uploads(request).get(token)
    if entry is None or entry.get("user") != request.user.pk:
        raise Http404
    upload = Upload(token, entry)
    if not upload.path.is_file():
        _forget(request, token)
        raise Http404
    return upload


def _forget(request, token: str) -> None:
    """Delete an upload's file and its session entry."""
    if _TOKEN.fullmatch(token):
        shutil.rmtree(upload_dir() / token, ignore_errors=True)
    uploads = _uploads(request)
    if uploads.pop(token, None) is not None:
        _save(request, uploads)


def remove_stale_uploads(now: float) -> int:
    """Delete every upload (anyone's) older than MAX_UPLOAD_AGE_SECONDS: abandoned imports, signed-out sessions.
    Runs on each upload and hourly (people/tasks.py); returns how many it deleted."""
    return remove_stale_folders(upload_dir(), now=now, max_age_seconds=MAX_UPLOAD_AGE_SECONDS, name=_TOKEN)


def _store(request, file) -> Upload:
    """Write the uploaded file to a new private folder and remember it in the session."""
    now = time.time()
    remove_stale_uploads(now)
    token = secrets.token_hex(16)
    try:
        name = get_valid_filename(os.path.basename(file.name or ""))[-100:]
    except SuspiciousFileOperation:  # nothing usable in the name ("..")
        name = ""
    name = name or "members.csv"
    if name.startswith("."):
        name = "members" + name
    base = upload_dir()
    base.mkdir(mode=0o700, parents=True, exist_ok=True)
    (base / token).mkdir(mode=0o700)
    upload = Upload(token, {"user": request.user.pk, "filename": name, "created": now})
    descriptor = os.open(upload.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        for chunk in file.chunks():
            out.write(chunk)
    uploads = _uploads(request)
    for stale in sorted(uploads, key=lambda t: uploads[t].get("created", 0))[: -MAX_UPLOADS_PER_SESSION + 1]:
        _forget(request, stale)
        uploads.pop(stale, None)
    uploads[token] = upload.entry
    _save(request, uploads)
    return upload


def _claim(upload: Upload) -> bool:
    """Mark the upload as being imported; False if it already is (a second click on Import, another tab)."""
    try:
        os.close(os.open(upload.path.parent / CLAIM, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        return False
    return True


def _unclaim(upload: Upload) -> None:
    (upload.path.parent / CLAIM).unlink(missing_ok=True)


def _file_problem(path: Path) -> str | None:
    """Why the stored file cannot be imported at all (not CSV text, empty...), or None."""
    with path.open("rb") as handle:
        if handle.read(4) == _ZIP_MAGIC:
            return _("This looks like a spreadsheet workbook. Save it as “CSV UTF-8” and upload that file.")
    try:
        importing.preview(path, rows=1)
    except importing.ImportFileError as exc:
        return _("This file can't be read: %(problem)s") % {"problem": exc}
    return None


# --- the groups a user may import into -------------------------------------------------------------------------


def import_groups(user):
    """Groups the user may import members into: those they organise (all groups for administrators)."""
    return selectors.groups_visible_to(user=user).order_by("name")


def _updatable(user, ids) -> dict[int, Person]:
    """Of these people, those the user may update (people.change_person: in a group they organise, or themselves),
    with their names, in one query."""
    people = {
        p.pk: p for p in selectors.people_visible_to(user=user).filter(pk__in=ids).only("first_name", "last_name")
    }
    me = person_of(user)
    if me is not None and me.pk in ids:
        people[me.pk] = me
    return people


# --- forms -------------------------------------------------------------------------------------------------------


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy("Saved as “CSV UTF-8”, the first line naming the columns; at most 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
    )
    replaces = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s; the most you can upload is %(limit)s. Split it into smaller files.")
                % {"size": filesizeformat(file.size), "limit": filesizeformat(MAX_UPLOAD_BYTES)}
            )
        if file.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return file


def field_choices() -> list:
    """The select's options: "don't import", then the person's fields, then consent (per recorded wording)."""
    details = [(name, FIELD_LABELS[name]) for name in importing.FIELDS if name in FIELD_LABELS]
    versions: dict[str, list[int]] = {}
    for purpose, version in ConsentWording.objects.order_by("purpose", "-version").values_list("purpose", "version"):
        versions.setdefault(purpose, []).append(version)
    consent = []
    for purpose, label in Purpose.choices:
        name = importing.CONSENT_PREFIX + purpose
        known = versions.get(purpose, [])
        if len(known) > 1:
            consent.append(
                (
                    name,
                    _("%(purpose)s: yes/no (latest wording, v%(version)s)") % {"purpose": label, "version": known[0]},
                )
            )
            consent += [
                (f"{name}:{v}", _("%(purpose)s: yes/no (wording v%(version)s)") % {"purpose": label, "version": v})
                for v in known[1:]
            ]
        else:
            consent.append((name, _("%(purpose)s: yes/no") % {"purpose": label}))
    return [("", _("— Don't import —")), (_("Details"), details), (_("Consent"), consent)]


@dataclass
class ColumnChoice:
    """One column of the file on the mapping page: its name, a few of its values, and its select."""

    name: str
    samples: list[str]
    field: forms.BoundField | None  # None: a column with no name cannot be imported


class MappingForm(forms.Form):
    """One select per column of the file (the field it fills), and the group everyone joins."""

    group = forms.ModelChoiceField(
        label=gettext_lazy("Add everyone to this group"),
        queryset=LocalGroup.objects.none(),
        help_text=gettext_lazy("Rows with a group column join the group they name instead (one you organise)."),
    )

    def __init__(self, *args, header: list[str], mapping: dict[str, str], groups, group_id: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.header = header
        self.fields["group"].queryset = groups
        if group_id is not None:
            self.fields["group"].initial = group_id
        elif len(groups) == 1:
            self.fields["group"].initial = groups[0].pk
            self.fields["group"].empty_label = None
        choices = field_choices()
        valid = {value for value, _label in _flatten(choices)}
        self.column_fields = {}
        for index, column in enumerate(header):
            if not column:
                continue
            name = f"column-{index}"
            initial = mapping.get(column, "")
            self.fields[name] = forms.ChoiceField(
                label=column, choices=choices, required=False, initial=initial if initial in valid else ""
            )
            self.column_fields[name] = column

    def columns(self, samples: list[list[str]]) -> list[ColumnChoice]:
        out = []
        for index, column in enumerate(self.header):
            values = [row[index].strip() for row in samples if index < len(row) and row[index].strip()]
            name = f"column-{index}"
            out.append(ColumnChoice(column, values[:SAMPLE_VALUES], self[name] if name in self.fields else None))
        return out

    def clean(self):
        data = super().clean()
        chosen: dict[str, str] = {}
        for name, column in self.column_fields.items():
            spec = data.get(name)
            if not spec:
                continue
            target = spec.partition(":")[0]
            if target in chosen:
                self.add_error(
                    name,
                    _("This field is already filled from the column “%(column)s”: choose one of the two.")
                    % {"column": chosen[target]},
                )
            else:
                chosen[target] = column
        if "first_name" not in chosen:
            self.add_error(None, _("Choose the column that holds people's first names."))
        if "email" not in chosen and "phone" not in chosen:
            self.add_error(
                None, _("Choose the column of email addresses or of phone numbers: people are matched on them.")
            )
        return data

    def mapping(self) -> dict[str, str]:
        return {
            column: self.cleaned_data[name] for name, column in self.column_fields.items() if self.cleaned_data[name]
        }


def _flatten(choices):
    for value, label in choices:
        if isinstance(label, list | tuple):
            yield from label
        else:
            yield value, label


# --- views -------------------------------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    """Step 1: upload a CSV file. With `replaces` (a corrected file for an upload of the user's own), the earlier
    upload is deleted and its mapping kept for the columns the new file still has."""
    _require(request.user)
    has_groups = import_groups(request.user).exists()
    form = UploadForm(request.POST or None, request.FILES or None, initial={"replaces": request.GET.get("replaces")})
    if request.method == "POST" and has_groups and form.is_valid():
        upload = _store(request, form.cleaned_data["file"])
        problem = _file_problem(upload.path)
        if problem:
            _forget(request, upload.token)
            form.add_error("file", problem)
        else:
            _carry_over(request, form.cleaned_data["replaces"], upload)
            return redirect("people:import_mapping", token=upload.token)
    context = {"form": form, "has_groups": has_groups}
    return render(request, "people/import/upload.html", context, status=400 if form.errors else 200)


def _carry_over(request, replaces: str, upload: Upload) -> None:
    try:
        earlier = _upload_or_404(request, replaces or "")
    except Http404:
        return
    header = set(importing.preview(upload.path, rows=0).header)
    mapping = {c: f for c, f in earlier.entry.get("mapping", {}).items() if c in header}
    uploads = _uploads(request)
    uploads[upload.token].update(mapping=mapping, group=earlier.entry.get("group"))
    _save(request, uploads)
    _forget(request, earlier.token)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def import_mapping(request, token: str):
    """Step 2: which field each column fills, and the group everyone joins."""
    _require(request.user)
    upload = _upload_or_404(request, token)
    try:
        preview = importing.preview(upload.path, rows=SAMPLE_ROWS)
    except importing.ImportFileError as exc:  # checked on upload; only if the file was changed underneath
        _forget(request, token)
        messages.error(request, _("This file can't be read: %(problem)s") % {"problem": exc})
        return redirect("people:import")
    form = MappingForm(
        request.POST or None,
        header=preview.header,
        mapping=upload.entry.get("mapping") or preview.suggested,
        groups=import_groups(request.user),
        group_id=upload.entry.get("group"),
    )
    if request.method == "POST" and form.is_valid():
        uploads = _uploads(request)
        uploads[token].update(mapping=form.mapping(), group=form.cleaned_data["group"].pk)
        _save(request, uploads)
        return redirect("people:import_check", token=token)
    context = {
        "upload": upload,
        "form": form,
        "columns": form.columns(preview.rows),
        "preview": preview,
    }
    return render(request, "people/import/mapping.html", context, status=400 if form.errors else 200)


def _options(request, upload: Upload) -> dict | None:
    """The import's options from the session: mapping, the target group (still one the user may import into) and
    the groups rows may join. None when the mapping step has not been done (or the group is no longer theirs)."""
    mapping, group_id = upload.entry.get("mapping"), upload.entry.get("group")
    allowed = set(import_groups(request.user).values_list("pk", flat=True))
    if not mapping or group_id not in allowed:
        return None
    group = LocalGroup.objects.get(pk=group_id)
    return {"mapping": mapping, "group": group, "allowed": allowed}


@dataclass
class Match:
    """A row of the merge review as the page shows it."""

    candidate: importing.MergeCandidate
    person: Person | None  # None: someone the user may not see or change

    @property
    def may_update(self) -> bool:
        return self.person is not None and bool(self.candidate.changes)

    @property
    def changes(self) -> list[str]:
        return [_change_name(name) for name in self.candidate.changes]

    @property
    def matched_on(self) -> list[str]:
        return [str(MATCHED_ON.get(key, key)) for key in self.candidate.matched_on]


def _change_name(name: str) -> str:
    if name.startswith(importing.CONSENT_PREFIX):
        purpose = name.removeprefix(importing.CONSENT_PREFIX)
        label = Purpose(purpose).label if purpose in Purpose.values else purpose
        return _("consent: %(purpose)s") % {"purpose": label}
    if name == "group":
        return _("group membership")
    return str(FIELD_NAMES.get(name, name)).lower()


def _page_context(request, upload: Upload, options: dict, report: importing.ImportReport) -> dict:
    people = _updatable(request.user, [m.person_id for m in report.merge_review])
    matches = [Match(m, people.get(m.person_id)) for m in report.merge_review]
    labels = {value: str(label) for value, label in _flatten(field_choices())}
    return {
        "upload": upload,
        "report": report,
        "group": options["group"],
        "mapping": [(column, labels.get(spec, spec)) for column, spec in options["mapping"].items()],
        "errors": report.errors[:MAX_ERRORS_SHOWN],
        "more_errors": report.error_count - min(report.error_count, MAX_ERRORS_SHOWN),
        "matches": matches,
        "updatable": sum(1 for m in matches if m.may_update),
        "refused": [(r.line, REFUSAL_REASONS.get(r.reason, r.reason)) for r in report.refused],
        "upload_form": UploadForm(initial={"replaces": upload.token}),
    }


@never_cache
@login_required
@require_http_methods(["GET"])
def import_check(request, token: str):
    """Step 3: the dry run. Errors: the report, and ways to fix the mapping or the file. Otherwise: the counts and
    the merge review, and the button that imports."""
    _require(request.user)
    upload = _upload_or_404(request, token)
    options = _options(request, upload)
    if options is None:
        return redirect("people:import_mapping", token=token)
    report = importing.dry_run(
        upload.path, options["mapping"], default_group=options["group"].slug, allowed_group_ids=options["allowed"]
    )
    return render(request, "people/import/check.html", _page_context(request, upload, options, report))


@never_cache
@login_required
@require_POST
def import_commit(request, token: str):
    """Step 4: import, all-or-nothing, with the merge review's decisions (honoured only for people the user may
    change); then delete the upload. Refused: the check page again, with the report."""
    _require(request.user)
    upload = _upload_or_404(request, token)
    options = _options(request, upload)
    if options is None:
        return redirect("people:import_mapping", token=token)
    wanted = []
    for key, value in request.POST.items():
        if key.startswith("merge-") and key[6:].isdigit() and value == importing.UPDATE:
            wanted.append(int(key[6:]))
    decisions = dict.fromkeys(_updatable(request.user, wanted), importing.UPDATE)
    if not _claim(upload):
        messages.info(request, _("This file is already being imported: its people appear here once it is done."))
        return redirect("people:directory")
    report = None
    try:
        report = importing.commit(
            upload.path,
            options["mapping"],
            acting=request.user,
            merge_decisions=decisions,
            default_group=options["group"].slug,
            allowed_group_ids=options["allowed"],
        )
    except importing.ImportRefused as refused:
        context = _page_context(request, upload, options, refused.report)
        return render(request, "people/import/check.html", context, status=400)
    finally:
        if report is None:  # refused, or failed: the upload stays, to fix or try again
            _unclaim(upload)
    _forget(request, token)
    context = {
        "report": report,
        "group": options["group"],
        "filename": upload.filename,
        "may_view_members": request.user.has_perm("people.view_group_members", options["group"]),
    }
    return render(request, "people/import/done.html", context)


@never_cache
@login_required
@require_POST
def import_discard(request, token: str):
    """Delete the upload without importing it."""
    _require(request.user)
    _upload_or_404(request, token)
    _forget(request, token)
    messages.success(request, _("The file was deleted; nothing was imported."))
    return redirect("people:import")
