"""Register import in the browser: upload (with the copy's record), map the columns, check (a dry run), import.

The pages drive `canvassing.register` (which validates, reports and writes, all-or-nothing) for an organiser of
the campaign (`canvassing.manage_register`), in the way the member import's pages do (people/import_views.py):

1. `upload`: the file and the copy's record (supplier, register date, received, permitted purpose, delete-by date,
   the file's text encoding). The file goes to a private folder, ``GROUNDGAME_HOME/imports/register/<token>/``
   (never served; folder 0700, file 0600); its token, the user, the campaign, the file name and the record go into
   the user's session. Any other token answers 404. Uploads older than a day are deleted whenever someone uploads,
   and hourly (canvassing/tasks.py); importing or discarding deletes the upload at once. A file with the columns of
   a usual register export goes straight to the check; any other to the mapping.
2. `mapping`: which register field each column fills (guessed from the names where possible).
3. `check`: the dry run, computed afresh on each visit and never stored: the row/field error report, or what the
   import would do (electors, households, polling districts; added, changed, removed; how households are located).
4. `commit`: `register.commit`, all-or-nothing, then the outcome. Nothing before this step writes to the database
   except the session entry (column and field names, the record, never the file's contents).
"""

import datetime
import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from groundgame.core.uploads import remove_stale_folders

from . import forms, register
from .models import Campaign
from .views import campaign_or_404

PERM = "canvassing.manage_register"
MAX_UPLOAD_AGE_SECONDS = 24 * 60 * 60
MAX_UPLOADS_PER_SESSION = 3
SAMPLE_ROWS = 5
MAX_ERRORS_SHOWN = 200
MAX_CHANGES_SHOWN = 100
SESSION_KEY = "canvassing_register_imports"
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
_ZIP_MAGIC = b"PK\x03\x04"
CLAIM = ".importing"
DETAIL_FIELDS = ("supplier", "published_on", "received_on", "permitted_purpose", "delete_by")


def upload_dir() -> Path:
    """The private folder of register uploads (outside STATIC_ROOT and any served folder)."""
    return Path(settings.GROUNDGAME_HOME) / "imports" / "register"


@dataclass
class Upload:
    token: str
    entry: dict  # user, campaign, filename, created, encoding, details; later mapping

    @property
    def filename(self) -> str:
        return self.entry["filename"]

    @property
    def path(self) -> Path:
        return upload_dir() / self.token / self.filename

    @property
    def encoding(self) -> str:
        return self.entry.get("encoding", "utf-8")

    def details(self) -> register.CopyDetails:
        values = dict(self.entry["details"])
        for name in ("published_on", "received_on", "delete_by"):
            values[name] = datetime.date.fromisoformat(values[name])
        return register.CopyDetails(**values)


def _uploads(request) -> dict:
    return request.session.get(SESSION_KEY, {})


def _save(request, uploads: dict) -> None:
    request.session[SESSION_KEY] = uploads


def _upload_or_404(request, campaign: Campaign, token: str) -> Upload:
    """The signed-in user's own upload for this campaign, from their session; 404 for any other token."""
    if not _TOKEN.fullmatch(token):
        raise Http404
    entry = _uploads(request).get(token)
    if entry is None or entry.get("user") != request.user.pk or entry.get("campaign") != campaign.pk:
        raise Http404
    upload = Upload(token, entry)
    if not upload.path.is_file():
        _forget(request, token)
        raise Http404
    return upload


def _forget(request, token: str) -> None:
    if _TOKEN.fullmatch(token):
        shutil.rmtree(upload_dir() / token, ignore_errors=True)
    uploads = _uploads(request)
    if uploads.pop(token, None) is not None:
        _save(request, uploads)


def remove_stale_uploads(now: float) -> int:
    """Delete every register upload (anyone's) older than MAX_UPLOAD_AGE_SECONDS; returns how many."""
    return remove_stale_folders(upload_dir(), now=now, max_age_seconds=MAX_UPLOAD_AGE_SECONDS, name=_TOKEN)


def _store(request, campaign: Campaign, file, encoding: str, details: register.CopyDetails) -> Upload:
    now = time.time()
    remove_stale_uploads(now)
    token = secrets.token_hex(16)
    try:
        name = get_valid_filename(os.path.basename(file.name or ""))[-100:]
    except SuspiciousFileOperation:
        name = ""
    name = name or "register.csv"
    if name.startswith("."):
        name = "register" + name
    base = upload_dir()
    base.mkdir(mode=0o700, parents=True, exist_ok=True)
    (base / token).mkdir(mode=0o700)
    entry = {
        "user": request.user.pk,
        "campaign": campaign.pk,
        "filename": name,
        "created": now,
        "encoding": encoding,
        "details": {
            name: value.isoformat() if isinstance(value, datetime.date) else value
            for name, value in details.__dict__.items()
        },
    }
    upload = Upload(token, entry)
    descriptor = os.open(upload.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        for chunk in file.chunks():
            out.write(chunk)
    uploads = _uploads(request)
    for stale in sorted(uploads, key=lambda t: uploads[t].get("created", 0))[: -MAX_UPLOADS_PER_SESSION + 1]:
        _forget(request, stale)
        uploads.pop(stale, None)
    uploads[token] = entry
    _save(request, uploads)
    return upload


def _file_problem(upload: Upload) -> str | None:
    with upload.path.open("rb") as handle:
        if handle.read(4) == _ZIP_MAGIC:
            return _("This looks like a spreadsheet workbook. Save it as “CSV UTF-8” and upload that file.")
    try:
        register.preview(upload.path, rows=1, encoding=upload.encoding)
    except register.RegisterFileError as exc:
        return _("This file can't be read: %(problem)s") % {"problem": exc}
    return None


def _claim(upload: Upload) -> bool:
    try:
        os.close(os.open(upload.path.parent / CLAIM, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        return False
    return True


def _unclaim(upload: Upload) -> None:
    (upload.path.parent / CLAIM).unlink(missing_ok=True)


# --- views -------------------------------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def upload(request, slug: str):
    """Step 1: the file and the copy's record."""
    campaign = campaign_or_404(request.user, slug, PERM)
    form = forms.RegisterUploadForm(
        request.POST or None, request.FILES or None, initial=forms.CopyDetailsForm.initial_for(campaign)
    )
    if request.method == "POST" and form.is_valid():
        stored = _store(request, campaign, form.cleaned_data["file"], form.cleaned_data["encoding"], form.details())
        problem = _file_problem(stored)
        if problem:
            _forget(request, stored.token)
            form.add_error("file", problem)
        else:
            preview = register.preview(stored.path, rows=0, encoding=stored.encoding)
            if preview.standard:
                uploads = _uploads(request)
                uploads[stored.token]["mapping"] = preview.suggested
                _save(request, uploads)
                return redirect("canvassing:register_check", slug=slug, token=stored.token)
            return redirect("canvassing:register_mapping", slug=slug, token=stored.token)
    context = {"campaign": campaign, "form": form}
    return render(request, "canvassing/import/upload.html", context, status=400 if form.errors else 200)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mapping(request, slug: str, token: str):
    """Step 2: which register field each column fills."""
    campaign = campaign_or_404(request.user, slug, PERM)
    stored = _upload_or_404(request, campaign, token)
    try:
        preview = register.preview(stored.path, rows=SAMPLE_ROWS, encoding=stored.encoding)
    except register.RegisterFileError as exc:
        _forget(request, token)
        messages.error(request, _("This file can't be read: %(problem)s") % {"problem": exc})
        return redirect("canvassing:register_upload", slug=slug)
    form = forms.MappingForm(
        request.POST or None, header=preview.header, mapping=stored.entry.get("mapping") or preview.suggested
    )
    if request.method == "POST" and form.is_valid():
        uploads = _uploads(request)
        uploads[token]["mapping"] = form.mapping()
        _save(request, uploads)
        return redirect("canvassing:register_check", slug=slug, token=token)
    context = {
        "campaign": campaign,
        "upload": stored,
        "form": form,
        "columns": form.columns(preview.rows),
        "preview": preview,
    }
    return render(request, "canvassing/import/mapping.html", context, status=400 if form.errors else 200)


def _report_context(campaign: Campaign, stored: Upload, report: register.RegisterReport) -> dict:
    labels = dict(forms.field_choices())
    return {
        "campaign": campaign,
        "upload": stored,
        "details": stored.details(),
        "report": report,
        "errors": report.errors[:MAX_ERRORS_SHOWN],
        "more_errors": report.error_count - min(report.error_count, MAX_ERRORS_SHOWN),
        "warnings": report.warnings[:MAX_ERRORS_SHOWN],
        "changes": report.changes[:MAX_CHANGES_SHOWN],
        "more_changes": report.changed - min(report.changed, MAX_CHANGES_SHOWN),
        "changed_fields": report.changed_fields.most_common(),
        "mapping": [(column, labels.get(name, name)) for column, name in stored.entry.get("mapping", {}).items()],
        "encoding": register.ENCODINGS.get(stored.encoding, stored.encoding),
        "current": campaign.register_copies.current().first(),
    }


@never_cache
@login_required
@require_http_methods(["GET"])
def check(request, slug: str, token: str):
    """Step 3: the dry run."""
    campaign = campaign_or_404(request.user, slug, PERM)
    stored = _upload_or_404(request, campaign, token)
    if not stored.entry.get("mapping"):
        return redirect("canvassing:register_mapping", slug=slug, token=token)
    details = stored.details()
    report = register.dry_run(
        stored.path,
        campaign=campaign,
        mapping=stored.entry["mapping"],
        encoding=stored.encoding,
        register_date=details.published_on,
    )
    return render(request, "canvassing/import/check.html", _report_context(campaign, stored, report))


@never_cache
@login_required
@require_POST
def commit(request, slug: str, token: str):
    """Step 4: import, all-or-nothing; then delete the upload. Refused: the check page again, with the report."""
    campaign = campaign_or_404(request.user, slug, PERM)
    stored = _upload_or_404(request, campaign, token)
    if not stored.entry.get("mapping"):
        return redirect("canvassing:register_mapping", slug=slug, token=token)
    if not _claim(stored):
        messages.info(request, _("This file is already being imported: the register appears here once it is done."))
        return redirect("canvassing:campaign", slug=slug)
    report = None
    try:
        report = register.commit(
            stored.path,
            campaign=campaign,
            copy=stored.details(),
            acting=request.user,
            mapping=stored.entry["mapping"],
            encoding=stored.encoding,
        )
    except register.RegisterImportRefused as refused:
        context = _report_context(campaign, stored, refused.report)
        return render(request, "canvassing/import/check.html", context, status=400)
    finally:
        if report is None:
            _unclaim(stored)
    _forget(request, token)
    context = {"campaign": campaign, "report": report, "filename": stored.filename}
    return render(request, "canvassing/import/done.html", context)


@never_cache
@login_required
@require_POST
def discard(request, slug: str, token: str):
    """Delete the upload without importing it."""
    campaign = campaign_or_404(request.user, slug, PERM)
    _upload_or_404(request, campaign, token)
    _forget(request, token)
    messages.success(request, _("The file was deleted; nothing was imported."))
    return redirect("canvassing:campaign", slug=slug)
