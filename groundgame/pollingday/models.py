"""Polling day: where each polling district votes and who knocks it up, the promises, telling at polling stations,
knock-up rounds and lifts to the polls.

    Campaign ── PollingDayPlan (the promise rule; rehearsal or live)
                  ├─< PollingStation ─< TellerPass (a teller's phone, token hash)
                  ├─< CommitteeRoom ─< KnockUpRound ─< KnockUpList ─< KnockUpStop >─ Address
                  ├─< DistrictArrangement: PollingDistrict -> (station, committee room), one per district
                  ├─< Promise >─ Elector (a snapshot of the rule, refreshed on demand)
                  ├─< TellingEntry (append-only, client UUIDs; an undo is an entry too)
                  ├─< KnockUpMark >─ Elector (append-only, client UUIDs; the latest counts)
                  └─< PollingLift >─ Elector (a lift to the polls asked for at the door)

Whether an elector has voted is derived, never stored: told at a station (a "tell" entry not undone by an "undo"
entry) or marked "voted" by a knocker. Rows written while the plan is in rehearsal carry `rehearsal=True`; the
dashboard shows only the rows of the plan's current mode and ending a rehearsal deletes them.
"""

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PollingDayPlan(models.Model):
    """A campaign's polling day: the promise rule and whether today is a rehearsal or the real thing."""

    campaign = models.OneToOneField("canvassing.Campaign", on_delete=models.CASCADE, related_name="polling_day")
    promise_intentions = models.JSONField(
        _("intentions that make a promise"), default=list, help_text=_('Party codes, e.g. ["Lab"].')
    )
    promise_min_certainty = models.PositiveSmallIntegerField(
        _("lowest certainty that makes a promise"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    rehearsal = models.BooleanField(_("rehearsal"), default=True)
    knock_up_list_size = models.PositiveSmallIntegerField(
        _("doors per knock-up list"), default=40, validators=[MinValueValidator(5), MaxValueValidator(500)]
    )
    promises_refreshed_at = models.DateTimeField(_("promises refreshed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("polling day plan")
        constraints = [
            models.CheckConstraint(
                condition=Q(promise_min_certainty__gte=1, promise_min_certainty__lte=5),
                name="pollingdayplan_certainty_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(knock_up_list_size__gte=5, knock_up_list_size__lte=500),
                name="pollingdayplan_list_size_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Polling day: {self.campaign}"


class _Place(models.Model):
    plan = models.ForeignKey(PollingDayPlan, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PollingStation(_Place):
    """Where electors of one or more polling districts vote, and tellers stand."""

    plan = models.ForeignKey(PollingDayPlan, on_delete=models.CASCADE, related_name="stations")

    class Meta(_Place.Meta):
        verbose_name = _("polling station")
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="pollingstation_unique_name")]


class CommitteeRoom(_Place):
    """A campaign centre: it runs knock-up for the districts it covers."""

    plan = models.ForeignKey(PollingDayPlan, on_delete=models.CASCADE, related_name="committee_rooms")

    class Meta(_Place.Meta):
        verbose_name = _("committee room")
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="committeeroom_unique_name")]


class DistrictArrangement(models.Model):
    """Where a polling district's electors vote and which committee room knocks them up (one row per district)."""

    plan = models.ForeignKey(PollingDayPlan, on_delete=models.CASCADE, related_name="arrangements")
    district = models.OneToOneField(
        "canvassing.PollingDistrict", on_delete=models.CASCADE, related_name="polling_day_arrangement"
    )
    station = models.ForeignKey(PollingStation, on_delete=models.PROTECT, related_name="arrangements")
    committee_room = models.ForeignKey(CommitteeRoom, on_delete=models.PROTECT, related_name="arrangements")

    class Meta:
        ordering = ["district__code"]
        verbose_name = _("district arrangement")

    def __str__(self) -> str:
        return f"{self.district_id} → {self.station_id}, {self.committee_room_id}"


class Promise(models.Model):
    """An elector whose latest canvass record met the plan's rule when promises were last refreshed."""

    plan = models.ForeignKey(PollingDayPlan, on_delete=models.CASCADE, related_name="promises")
    elector = models.ForeignKey("canvassing.Elector", on_delete=models.CASCADE, related_name="+")
    district = models.ForeignKey("canvassing.PollingDistrict", on_delete=models.CASCADE, related_name="+")
    address = models.ForeignKey("canvassing.Address", on_delete=models.CASCADE, related_name="+")
    postal = models.BooleanField(_("postal voter"), default=False)
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("promise")
        constraints = [models.UniqueConstraint(fields=["plan", "elector"], name="promise_once_per_elector")]
        indexes = [models.Index(fields=["plan", "district"], name="promise_plan_district")]

    def __str__(self) -> str:
        return f"promise {self.elector_id}"


class TellerPass(models.Model):
    """A teller's phone at one station: a random token (only its SHA-256 kept), expiring, revocable."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    station = models.ForeignKey(PollingStation, on_delete=models.CASCADE, related_name="passes")
    person = models.ForeignKey("people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    token_sha256 = models.CharField(max_length=64, unique=True)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("teller pass")
        verbose_name_plural = _("teller passes")

    def __str__(self) -> str:
        return f"pass {self.uuid} at {self.station_id}"


class TellingEntry(models.Model):
    """One elector number taken by a teller (kind "tell"), or the undoing of one (kind "undo"). Append-only, keyed
    by the UUID the phone made, so a batch sent twice is stored once. `elector` is empty when the number matched
    nobody on the register (`unknown`): the teller sees that at once when online, or after sync."""

    class Kind(models.TextChoices):
        TELL = "tell", _("Told")
        UNDO = "undo", _("Undone")

    id = models.UUIDField(primary_key=True, editable=False)
    plan = models.ForeignKey(PollingDayPlan, on_delete=models.CASCADE, related_name="telling")
    station = models.ForeignKey(PollingStation, on_delete=models.CASCADE, related_name="telling")
    teller_pass = models.ForeignKey(TellerPass, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    teller = models.ForeignKey("people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    text = models.CharField(_("as typed"), max_length=40, blank=True)
    district = models.ForeignKey(
        "canvassing.PollingDistrict", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    number = models.PositiveIntegerField(_("elector number"), null=True, blank=True)
    suffix = models.PositiveSmallIntegerField(_("suffix"), null=True, blank=True)
    elector = models.ForeignKey(
        "canvassing.Elector", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    undoes = models.UUIDField(_("undoes entry"), null=True, blank=True)  # not a key: the undo may arrive first
    recorded_at = models.DateTimeField(_("recorded at"))  # on the phone
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    rehearsal = models.BooleanField(_("rehearsal"), default=False)

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = _("telling entry")
        verbose_name_plural = _("telling entries")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="tell") & Q(number__isnull=False) & Q(district__isnull=False) & Q(undoes__isnull=True)
                )
                | (Q(kind="undo") & Q(undoes__isnull=False) & Q(elector__isnull=True)),
                name="tellingentry_kind_fields",
            ),
        ]
        indexes = [
            models.Index(fields=["plan", "rehearsal", "elector"], name="telling_plan_elector"),
            models.Index(fields=["station", "recorded_at"], name="telling_station_time"),
            # "not undone": the dashboard looks up the undo of every entry
            models.Index(fields=["undoes"], condition=Q(kind="undo"), name="telling_undo"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.text or self.undoes}"


class KnockUpRound(models.Model):
    """One knock-up round of a committee room: lists of promises not yet voted, in walking order."""

    committee_room = models.ForeignKey(CommitteeRoom, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("round"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    rehearsal = models.BooleanField(_("rehearsal"), default=False)

    class Meta:
        ordering = ["committee_room", "-number"]
        verbose_name = _("knock-up round")
        constraints = [models.UniqueConstraint(fields=["committee_room", "number"], name="knockupround_unique_number")]

    def __str__(self) -> str:
        return f"{self.committee_room} round {self.number}"


class KnockUpList(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey(KnockUpRound, on_delete=models.CASCADE, related_name="lists")
    district = models.ForeignKey("canvassing.PollingDistrict", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"))
    assigned_to = models.ForeignKey("people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["round", "position"]
        verbose_name = _("knock-up list")
        constraints = [models.UniqueConstraint(fields=["round", "position"], name="knockuplist_unique_position")]

    def __str__(self) -> str:
        return self.name


class KnockUpStop(models.Model):
    knock_up_list = models.ForeignKey(KnockUpList, on_delete=models.CASCADE, related_name="stops")
    address = models.ForeignKey("canvassing.Address", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(_("position"))

    class Meta:
        ordering = ["knock_up_list", "position"]
        constraints = [
            models.UniqueConstraint(fields=["knock_up_list", "position"], name="knockupstop_unique_position"),
            models.UniqueConstraint(fields=["knock_up_list", "address"], name="knockupstop_unique_address"),
        ]

    def __str__(self) -> str:
        return f"{self.knock_up_list_id}#{self.position}"


class KnockUpMark(models.Model):
    """What a knocker found for a promise: append-only (client UUIDs); the latest about an elector counts."""

    class Outcome(models.TextChoices):
        VOTED = "voted", _("Has voted")
        NOT_IN = "not_in", _("Not in")
        LATER = "later", _("Will vote later")
        LIFT = "lift", _("Needs a lift")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(PollingDayPlan, on_delete=models.CASCADE, related_name="marks")
    knock_up_list = models.ForeignKey(
        KnockUpList, on_delete=models.SET_NULL, null=True, blank=True, related_name="marks"
    )
    committee_room = models.ForeignKey(CommitteeRoom, on_delete=models.CASCADE, related_name="marks")
    elector = models.ForeignKey("canvassing.Elector", on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=6, choices=Outcome.choices)
    knocker = models.ForeignKey("people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    rehearsal = models.BooleanField(_("rehearsal"), default=False)

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = _("knock-up mark")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=["voted", "not_in", "later", "lift"]), name="knockupmark_outcome_valid"
            ),
        ]
        indexes = [models.Index(fields=["plan", "rehearsal", "elector"], name="knockupmark_plan_elector")]

    def __str__(self) -> str:
        return f"{self.outcome} {self.elector_id}"


class PollingLift(models.Model):
    """A lift to the polling station asked for at the door; a driver takes it and marks it done."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a driver")
        TAKEN = "taken", _("A driver is on the way")
        DONE = "done", _("Taken to vote")
        CANCELLED = "cancelled", _("Cancelled")

    plan = models.ForeignKey(PollingDayPlan, on_delete=models.CASCADE, related_name="lifts")
    committee_room = models.ForeignKey(CommitteeRoom, on_delete=models.CASCADE, related_name="lifts")
    station = models.ForeignKey(PollingStation, on_delete=models.CASCADE, related_name="lifts")
    elector = models.ForeignKey("canvassing.Elector", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=9, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(_("asked for at"), default=timezone.now)
    driver = models.ForeignKey("people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    rehearsal = models.BooleanField(_("rehearsal"), default=False)

    class Meta:
        ordering = ["requested_at"]
        verbose_name = _("lift to the polls")
        verbose_name_plural = _("lifts to the polls")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "taken", "done", "cancelled"]), name="pollinglift_status_valid"
            ),
            models.UniqueConstraint(
                fields=["plan", "elector"],
                condition=Q(status__in=["pending", "taken"]),
                name="pollinglift_one_open_per_elector",
            ),
        ]

    def __str__(self) -> str:
        return f"lift for {self.elector_id} ({self.status})"


# Second paths to a person for the privacy registry (an entry follows one path): the volunteers on rows that are
# otherwise about an elector.


class TellingEntryByTeller(TellingEntry):
    class Meta:
        proxy = True
        verbose_name = _("telling entry (by teller)")


class KnockUpMarkByKnocker(KnockUpMark):
    class Meta:
        proxy = True
        verbose_name = _("knock-up mark (by knocker)")


class PollingLiftByDriver(PollingLift):
    class Meta:
        proxy = True
        verbose_name = _("lift to the polls (by driver)")
