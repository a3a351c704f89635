"""Every write to canvassing data outside the register import (register.py) and the walk lists and phone sync
(walklists.py, sync.py): validated, atomic, audited with ids and field names only.

    campaign_create(acting=user, host=group, name="Derby North 2029", kind="general", polling_date=date(...),
                    constituencies=[seat], parties=[{"code": "Lab", "name": "Labour"}, ...])
    register_access_grant(campaign=campaign, person=person, acting=user)
    register_copy_delete(copy=copy, acting=None, reason="delete-by date passed")

Permissions are the caller's (views check canvassing.rules); services check what must hold whoever asks.
"""

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from groundgame.core.audit import audit_record
from groundgame.people.models import LocalGroup, Person
from groundgame.places.models import Constituency
from groundgame.places.parties import party_name

from .models import Address, Campaign, ContactRecord, Elector, RegisterAccess, RegisterCopy, Survey, WalkListStop

CAMPAIGN_FIELDS = ("name", "slug", "kind", "polling_date", "host", "areas", "parties")

# --- the default survey -----------------------------------------------------------------------------------------

OUTCOMES = [{"code": value, "label": str(label)} for value, label in ContactRecord.Outcome.choices]
"""Door outcomes: the codes ContactRecord.outcome accepts (not in, spoke, refused, moved, do not contact, come back)."""
OTHER_INTENTIONS = [
    {"code": "undecided", "label": "Undecided"},
    {"code": "wont_vote", "label": "Won't vote"},
    {"code": "wont_say", "label": "Won't say"},
]
DEFAULT_ISSUES = [
    {"code": "cost_of_living", "label": "Cost of living"},
    {"code": "nhs", "label": "NHS and care"},
    {"code": "housing", "label": "Housing"},
    {"code": "jobs", "label": "Jobs and wages"},
    {"code": "environment", "label": "Climate and environment"},
    {"code": "crime", "label": "Crime and safety"},
    {"code": "immigration", "label": "Immigration"},
    {"code": "education", "label": "Schools"},
    {"code": "transport", "label": "Buses and roads"},
    {"code": "local_services", "label": "Bins, parks, local services"},
]
FOLLOW_UPS = [
    {"code": "postal_vote", "label": "Wants a postal vote"},
    {"code": "poster", "label": "Will show a poster"},
    {"code": "volunteer", "label": "Wants to volunteer"},
    {"code": "new_elector", "label": "New elector at this address"},
]
INTENTION_MAX_LENGTH = ContactRecord._meta.get_field("intention").max_length
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,20}$")


def default_survey_questions(*, parties: Iterable[dict]) -> dict:
    """The survey a campaign starts with: door outcomes, voting intention (the parties on the ballot, then
    undecided / won't vote / won't say), certainty 1-5, issue tags and follow-ups. Labels are in English as stored
    (the app shows them as given; a later survey version may reword them)."""
    intentions = [{"code": p["code"], "label": p.get("name") or party_name(p["code"])} for p in parties]
    return {
        "outcomes": [dict(o) for o in OUTCOMES],
        "intentions": intentions + [dict(i) for i in OTHER_INTENTIONS],
        "certainty": [1, 5],
        "issues": [dict(i) for i in DEFAULT_ISSUES],
        "follow_ups": [dict(f) for f in FOLLOW_UPS],
    }


def _check_questions(questions: dict) -> None:
    problems = []
    for key in ("outcomes", "intentions", "issues", "follow_ups"):
        items = questions.get(key)
        if not isinstance(items, list) or not items and key in ("outcomes", "intentions"):
            problems.append(_("The survey needs a list of %(key)s.") % {"key": key})
            continue
        codes = [item.get("code") if isinstance(item, dict) else None for item in items]
        if any(not isinstance(c, str) or not _CODE.match(c) for c in codes):
            problems.append(_("Every item of %(key)s needs a short code (letters, digits, _ or -).") % {"key": key})
        elif len(set(codes)) != len(codes):
            problems.append(_("Two items of %(key)s share a code.") % {"key": key})
        if any(not isinstance(item, dict) or not str(item.get("label", "")).strip() for item in items):
            problems.append(_("Every item of %(key)s needs a label.") % {"key": key})
    outcome_codes = {o.get("code") for o in questions.get("outcomes") or [] if isinstance(o, dict)}
    if outcome_codes - set(ContactRecord.Outcome.values):
        problems.append(_("Door outcomes must be among: %(codes)s.") % {"codes": ", ".join(ContactRecord.Outcome)})
    if any(len(i.get("code", "")) > INTENTION_MAX_LENGTH for i in questions.get("intentions") or []):
        problems.append(_("Voting intention codes are at most %(n)d characters.") % {"n": INTENTION_MAX_LENGTH})
    if questions.get("certainty") != [1, 5]:
        problems.append(_("Certainty is asked on a scale of 1 to 5."))
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def survey_create(*, campaign: Campaign, acting, questions: dict | None = None) -> Survey:
    """A new version of the campaign's survey (the default survey for its parties when `questions` is None).
    Records keep naming the version they answered, so old versions are never changed."""
    if questions is None:
        questions = default_survey_questions(parties=campaign.parties)
    _check_questions(questions)
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()  # one new version at a time
    latest = Survey.objects.filter(campaign=campaign).aggregate(v=Max("version"))["v"] or 0
    survey = Survey(campaign=campaign, version=latest + 1, questions=questions)
    survey.full_clean()
    survey.save()
    audit_record(actor=acting, action="survey.create", target=survey, fields=["campaign", "version", "questions"])
    return survey


def current_survey(campaign: Campaign) -> Survey | None:
    return Survey.objects.filter(campaign=campaign).order_by("-version").first()


# --- campaigns --------------------------------------------------------------------------------------------------


def clean_parties(parties: Iterable) -> list[dict]:
    """[{"code": "Lab", "name": "Labour"}, ...] from dicts or bare codes ("Lab"): codes unique, names filled in."""
    cleaned, seen = [], set()
    for item in parties or []:
        code, name = (item.get("code", ""), item.get("name", "")) if isinstance(item, dict) else (item, "")
        code = str(code).strip()
        if not code:
            continue
        if not _CODE.match(code) or len(code) > INTENTION_MAX_LENGTH:
            raise ValidationError({"parties": _("“%(code)s” is not a party code like Lab or Green.") % {"code": code}})
        if code.lower() in seen or code.lower() in {i["code"] for i in OTHER_INTENTIONS}:
            raise ValidationError({"parties": _("The party %(code)s is listed twice.") % {"code": code}})
        seen.add(code.lower())
        cleaned.append({"code": code, "name": str(name).strip() or party_name(code)})
    return cleaned


RESERVED_SLUGS = {"new", "app", "api", "sync"}
"""Slugs a campaign cannot take: they are paths under /canvassing/."""


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "campaign"
    if base in RESERVED_SLUGS:
        base = f"{base}-campaign"
    slug, n = base, 1
    while Campaign.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def campaign_create(
    *,
    acting,
    host: LocalGroup,
    name: str,
    kind: str,
    polling_date: datetime.date,
    constituencies: Iterable[Constituency] = (),
    parties: Iterable = (),
    areas: str = "",
    slug: str = "",
    survey: bool = True,
) -> Campaign:
    """A campaign run by `host` (with the default survey, version 1, unless `survey` is False)."""
    campaign = Campaign(
        name=name.strip(),
        slug=slug or _unique_slug(name),
        kind=kind,
        polling_date=polling_date,
        host=host,
        areas=areas.strip(),
        parties=clean_parties(parties),
    )
    campaign.full_clean()
    campaign.save()
    constituencies = list(constituencies)
    if constituencies:
        campaign.constituencies.set(constituencies)
    audit_record(
        actor=acting,
        action="campaign.create",
        target=campaign,
        fields=[*CAMPAIGN_FIELDS, *(["constituencies"] if constituencies else [])],
    )
    if survey:
        survey_create(campaign=campaign, acting=acting)
    return campaign


@transaction.atomic
def campaign_update(*, campaign: Campaign, acting, constituencies=None, **changes) -> Campaign:
    """Change a campaign's details (not its host: a campaign stays with the group that runs it). A change of the
    parties on the ballot starts a new survey version with them."""
    unknown = set(changes) - {"name", "kind", "polling_date", "areas", "parties"}
    if unknown:
        raise ValueError(f"campaign_update cannot change {sorted(unknown)}")
    if "parties" in changes:
        changes["parties"] = clean_parties(changes["parties"])
    changed = [name for name, value in changes.items() if getattr(campaign, name) != value]
    for name in changed:
        setattr(campaign, name, changes[name])
    campaign.full_clean()
    campaign.save()
    if constituencies is not None:
        before = set(campaign.constituencies.values_list("pk", flat=True))
        if before != {c.pk for c in constituencies}:
            campaign.constituencies.set(constituencies)
            changed.append("constituencies")
    if changed:
        audit_record(actor=acting, action="campaign.update", target=campaign, fields=changed)
    if "parties" in changed:
        latest = current_survey(campaign)
        questions = latest.questions if latest else default_survey_questions(parties=campaign.parties)
        defaults = default_survey_questions(parties=campaign.parties)
        survey_create(campaign=campaign, acting=acting, questions={**questions, "intentions": defaults["intentions"]})
    return campaign


# --- register access ----------------------------------------------------------------------------------------------


@transaction.atomic
def register_access_grant(*, campaign: Campaign, person: Person, acting, reason: str = "") -> RegisterAccess:
    """Let `person` see the campaign's electors. A live grant is returned as it is (granting twice changes nothing)."""
    if person.erased_at is not None:
        raise ValidationError(_("This person's record was erased."))
    existing = RegisterAccess.objects.filter(campaign=campaign, person=person, revoked_at__isnull=True).first()
    if existing is not None:
        return existing
    access = RegisterAccess.objects.create(campaign=campaign, person=person)
    audit_record(
        actor=acting,
        action="registeraccess.grant",
        target=access,
        fields=["campaign", "person", "granted_at"],
        reason=reason[:255],
    )
    _forget_grants(acting)
    return access


@transaction.atomic
def register_access_revoke(*, access: RegisterAccess, acting, reason: str = "") -> RegisterAccess:
    """End a grant (kept, with its revocation time, as the record of who could see the register and when)."""
    if access.revoked_at is None:
        access.revoked_at = timezone.now()
        access.save(update_fields=["revoked_at"])
        audit_record(
            actor=acting, action="registeraccess.revoke", target=access, fields=["revoked_at"], reason=reason[:255]
        )
        _forget_grants(acting)
    return access


def _forget_grants(acting) -> None:
    from .rules import forget_cached_grants

    forget_cached_grants(getattr(acting, "user", acting) if isinstance(acting, Person) else acting)


# --- register copies ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CopyDeletion:
    """What deleting a register copy removes (or, before it runs, would remove)."""

    copy_id: int
    electors: int
    addresses: int
    walk_list_stops: int
    contact_records_unlinked: int  # kept as anonymous counts

    def as_dict(self) -> dict:
        return {
            "electors": self.electors,
            "addresses": self.addresses,
            "walk_list_stops": self.walk_list_stops,
            "contact_records_unlinked": self.contact_records_unlinked,
        }


def register_copy_deletion_counts(*, copy: RegisterCopy) -> CopyDeletion:
    """The dry run of `register_copy_delete`: what it would remove. Reads only."""
    electors = Elector.objects.filter(register_copy=copy)
    addresses = Address.objects.filter(register_copy=copy)
    contacts = ContactRecord.objects.filter(campaign_id=copy.campaign_id).filter(
        Q(elector__register_copy=copy) | Q(address__register_copy=copy)
    )
    return CopyDeletion(
        copy_id=copy.pk,
        electors=electors.count(),
        addresses=addresses.count(),
        walk_list_stops=WalkListStop.objects.filter(address__register_copy=copy).count(),
        contact_records_unlinked=contacts.count(),
    )


@transaction.atomic
def register_copy_delete(*, copy: RegisterCopy, acting, reason: str) -> CopyDeletion:
    """Delete everything derived from a register copy: its electors, its addresses and the walk-list stops at them.
    Contact records stay as anonymous counts (their elector and address links are cleared, as on_delete=SET_NULL
    would; their polling district, outcome and intention stay). The copy itself stays, marked deleted: the record
    the law asks a campaign to keep of what it held and when it was deleted. Audited: one row for the copy with
    the counts in the reason, ids and field names only."""
    copy = RegisterCopy.objects.select_for_update().get(pk=copy.pk)
    if copy.status == RegisterCopy.Status.DELETED:
        return CopyDeletion(copy.pk, 0, 0, 0, 0)
    counts = register_copy_deletion_counts(copy=copy)
    ContactRecord.objects.filter(elector__register_copy=copy).update(elector=None)
    ContactRecord.objects.filter(address__register_copy=copy).update(address=None)
    WalkListStop.objects.filter(address__register_copy=copy).delete()
    # Electors of other copies living at this copy's addresses (none after a normal re-import, which moves every
    # current household to the new copy) go with the address: an elector cannot exist without a door.
    Elector.objects.filter(address__register_copy=copy).exclude(register_copy=copy).delete()
    Elector.objects.filter(register_copy=copy).delete()
    Address.objects.filter(register_copy=copy).delete()
    copy.status = RegisterCopy.Status.DELETED
    copy.deleted_at = timezone.now()
    copy.summary = {**copy.summary, "deletion": {**counts.as_dict(), "deleted_at": copy.deleted_at.isoformat()}}
    copy.save(update_fields=["status", "deleted_at", "summary"])
    text = (
        f"{reason}: {counts.electors} electors, {counts.addresses} addresses, {counts.walk_list_stops} walk-list "
        f"stops deleted; {counts.contact_records_unlinked} contact records kept unlinked"
    )
    audit_record(
        actor=acting,
        action="registercopy.delete",
        target=copy,
        fields=["status", "deleted_at", "electors", "addresses"],
        reason=text[:255],
    )
    return counts


@transaction.atomic
def register_copy_update(*, copy: RegisterCopy, acting, **changes) -> RegisterCopy:
    """Correct a copy's record (supplier, dates, permitted purpose, delete-by date)."""
    allowed = {"supplier", "published_on", "received_on", "permitted_purpose", "delete_by"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"register_copy_update cannot change {sorted(unknown)}")
    if copy.status == RegisterCopy.Status.DELETED:
        raise ValidationError(_("This register copy was deleted."))
    changed = [name for name, value in changes.items() if getattr(copy, name) != value]
    for name in changed:
        setattr(copy, name, changes[name])
    copy.full_clean()
    copy.save()
    if changed:
        audit_record(actor=acting, action="registercopy.update", target=copy, fields=changed)
    return copy


# --- deletion on the delete-by date -------------------------------------------------------------------------------

DELETION_NOTICE_DAYS = 7
"""A copy appears in the deletion report this many days before its delete-by date."""


@dataclass
class DeletionRun:
    """What one run of the scheduled deletion did: copies it listed (report) and copies it deleted."""

    reported: dict[int, CopyDeletion]
    deleted: dict[int, CopyDeletion]

    def as_dict(self) -> dict:
        return {
            "reported": {str(pk): c.as_dict() for pk, c in self.reported.items()},
            "deleted": {str(pk): c.as_dict() for pk, c in self.deleted.items()},
        }


def register_deletion_scheduled_run(
    *, now: datetime.datetime | None = None, notice_days: int = DELETION_NOTICE_DAYS
) -> DeletionRun:
    """The daily task: first delete what an earlier run reported and is now due; then report (a dry run, kept on
    each copy as `summary["deletion_report"]` and shown on the campaign's register page) every live copy whose
    delete-by date is within `notice_days` days or has passed.

    As core retention does, nothing is deleted that no earlier report listed: a copy whose delete-by date is set in
    the past is reported at once and deleted on the next run (a day later at most); organisers can also delete a
    copy at once from its page."""
    from .selectors import copies_to_report

    now = now or timezone.now()
    today = timezone.localdate(now)
    deleted: dict[int, CopyDeletion] = {}
    for copy in RegisterCopy.objects.due_for_deletion(today).order_by("delete_by", "pk"):
        report = copy.summary.get("deletion_report") or {}
        first = report.get("first_reported_at")
        if first and datetime.datetime.fromisoformat(first) < now:
            deleted[copy.pk] = register_copy_delete(
                copy=copy, acting=None, reason=f"delete-by date {copy.delete_by.isoformat()} reached"
            )
    reported: dict[int, CopyDeletion] = {}
    for copy in copies_to_report(today=today, days_ahead=notice_days).order_by("delete_by", "pk"):
        counts = register_copy_deletion_counts(copy=copy)
        earlier = copy.summary.get("deletion_report") or {}
        copy.summary = {
            **copy.summary,
            "deletion_report": {
                "first_reported_at": earlier.get("first_reported_at") or now.isoformat(),
                "reported_at": now.isoformat(),
                "delete_by": copy.delete_by.isoformat(),
                **counts.as_dict(),
            },
        }
        copy.save(update_fields=["summary"])
        reported[copy.pk] = counts
    return DeletionRun(reported=reported, deleted=deleted)
