"""Canvassing: campaigns, the electoral register (controlled data), walk lists and doorstep contact records.

Who granted, imported or created what is in the audit log, not on these rows. The register is held only for a
campaign's electoral purposes: each copy records its supplier, date, permitted
purpose and deletion date, and only people granted register access for the campaign see electors. Electors and
addresses come from register copies and go when the copy's deletion date passes (what canvassing learned stays as
anonymous counts). Contact records are append-only events with client-generated UUIDs (the phone writes them
offline first); an elector's current status is derived from them, so there are no edit conflicts.

    Campaign ─< RegisterCopy
        │  └─< PollingDistrict ─< Address ─< Elector
        ├─< RegisterAccess (person may see electors)
        ├─< Survey (versioned questions)
        ├─< WalkList ─< WalkListStop >─ Address
        └─< ContactRecord >─ Address, Elector?, WalkList?, Survey
"""

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .querysets import AddressQuerySet, CampaignQuerySet, ElectorQuerySet, RegisterCopyQuerySet


class Campaign(models.Model):
    """An election the movement campaigns in."""

    class Kind(models.TextChoices):
        GENERAL = "general", _("UK general election")
        BY_ELECTION = "by", _("Parliamentary by-election")
        LOCAL = "local", _("Local council election")
        MAYORAL = "mayoral", _("Mayoral election")
        DEVOLVED = "devolved", _("Senedd, Scottish Parliament or Assembly election")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    polling_date = models.DateField(_("polling day"))
    host = models.ForeignKey(
        "people.LocalGroup", on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("run by")
    )
    constituencies = models.ManyToManyField(
        "places.Constituency", blank=True, related_name="+", verbose_name=_("constituencies")
    )
    areas = models.CharField(_("wards or other areas"), max_length=300, blank=True)
    # The parties on the ballot: [{"code": "Lab", "name": "Labour"}, ...] (codes as in the results files).
    parties = models.JSONField(_("parties on the ballot"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-polling_date", "name"]
        verbose_name = _("campaign")

    def __str__(self) -> str:
        return self.name


class RegisterAccess(models.Model):
    """A person allowed to see the campaign's electors (the register is controlled data)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="register_access")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="register_access")
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-granted_at"]
        verbose_name = _("register access")
        verbose_name_plural = _("register access")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "person"], condition=Q(revoked_at__isnull=True), name="registeraccess_one_live"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.campaign_id}"


class RegisterCopy(models.Model):
    """One copy of the electoral register, as supplied: the record the law asks a campaign to keep."""

    class Status(models.TextChoices):
        CURRENT = "current", _("Current")
        SUPERSEDED = "superseded", _("Superseded by a newer copy")
        DELETED = "deleted", _("Deleted")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="register_copies")
    supplier = models.CharField(_("supplied by"), max_length=200)  # e.g. "Derby City Council, Electoral Services"
    published_on = models.DateField(_("register date"))
    received_on = models.DateField(_("received on"))
    permitted_purpose = models.TextField(_("permitted purpose"))
    delete_by = models.DateField(_("delete by"))
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, blank=True)
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CURRENT)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    # What the import did: {"electors": n, "added": n, "removed": n, "changed": n, "addresses": n}
    summary = models.JSONField(_("import summary"), default=dict, blank=True)

    objects = RegisterCopyQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "-imported_at"]
        verbose_name = _("register copy")
        verbose_name_plural = _("register copies")
        constraints = [
            models.CheckConstraint(condition=Q(delete_by__gte=F("received_on")), name="registercopy_delete_after"),
            models.CheckConstraint(
                condition=Q(status__in=["current", "superseded", "deleted"]), name="registercopy_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="deleted") | Q(deleted_at__isnull=False), name="registercopy_deleted_when"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supplier} ({self.published_on})"


class PollingDistrict(models.Model):
    """A polling district of the campaign's area (its code prefixes elector numbers: AB1-888/1)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="polling_districts")
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=120, blank=True)
    constituency = models.ForeignKey(
        "places.Constituency", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("polling district")
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="pollingdistrict_unique_code")]

    def __str__(self) -> str:
        return self.code


class Address(models.Model):
    """A household: a door to knock on. Located by its full postcode when the postcode table has it, otherwise by
    its postcode district's centroid (`location_quality`)."""

    class LocationQuality(models.TextChoices):
        POSTCODE = "postcode", _("Postcode centroid")
        DISTRICT = "district", _("Postcode district centroid")
        NONE = "none", _("Not located")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="addresses")
    polling_district = models.ForeignKey(PollingDistrict, on_delete=models.CASCADE, related_name="addresses")
    register_copy = models.ForeignKey(RegisterCopy, on_delete=models.CASCADE, related_name="addresses")
    # Matching key for re-imports: the normalised address lines and postcode.
    key = models.CharField(_("address key"), max_length=255)
    flat = models.CharField(_("flat"), max_length=60, blank=True)  # "Flat 2", "2F1"
    house_name = models.CharField(_("house name"), max_length=100, blank=True)
    house_number = models.PositiveIntegerField(_("house number"), null=True, blank=True)
    house_suffix = models.CharField(_("house number suffix"), max_length=10, blank=True)  # "A" in 12A
    street = models.CharField(_("street"), max_length=120, blank=True)
    locality = models.CharField(_("locality"), max_length=120, blank=True)
    town = models.CharField(_("town"), max_length=80, blank=True)
    postcode = models.CharField(_("postcode"), max_length=8, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    location_quality = models.CharField(
        _("location quality"), max_length=10, choices=LocationQuality.choices, default=LocationQuality.NONE
    )

    objects = AddressQuerySet.as_manager()

    class Meta:
        ordering = ["polling_district", "street", "house_number", "house_suffix", "flat"]
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "key"], name="address_unique_key"),
            models.CheckConstraint(
                condition=Q(location_quality="none") | (Q(latitude__isnull=False) & Q(longitude__isnull=False)),
                name="address_located_has_point",
            ),
        ]
        indexes = [models.Index(fields=["polling_district", "street"], name="address_pd_street")]

    def __str__(self) -> str:
        number = f"{self.house_number or ''}{self.house_suffix}"
        parts = [self.flat, self.house_name, f"{number} {self.street}".strip(), self.postcode]
        return ", ".join(p for p in parts if p)


class Elector(models.Model):
    """A person on the register, keyed by polling district + elector number + suffix (AB1-888/1)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="electors")
    polling_district = models.ForeignKey(PollingDistrict, on_delete=models.CASCADE, related_name="electors")
    register_copy = models.ForeignKey(RegisterCopy, on_delete=models.CASCADE, related_name="electors")
    address = models.ForeignKey(Address, on_delete=models.CASCADE, related_name="electors")
    number = models.PositiveIntegerField(_("elector number"))
    suffix = models.PositiveSmallIntegerField(_("suffix"), default=0)  # the /1 of a newly added elector
    title = models.CharField(_("title"), max_length=20, blank=True)
    first_names = models.CharField(_("first names"), max_length=120, blank=True)
    surname = models.CharField(_("surname"), max_length=80)
    # Register markers as supplied ("F", "K", "E", "G", "Z"...), and what they mean for the campaign:
    markers = models.CharField(_("markers"), max_length=20, blank=True)
    franchise = models.CharField(_("franchise"), max_length=10, blank=True)
    postal_voter = models.BooleanField(_("postal voter"), default=False)
    proxy_voter = models.BooleanField(_("votes by proxy"), default=False)
    attainer_date = models.DateField(_("reaches voting age on"), null=True, blank=True)
    # A data subject who is also a recorded person (linked by a data steward, e.g. for a subject access request).
    person = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="elector_records"
    )
    removed_at = models.DateTimeField(_("left the register at"), null=True, blank=True)  # absent from a newer copy

    objects = ElectorQuerySet.as_manager()

    class Meta:
        ordering = ["polling_district", "number", "suffix"]
        verbose_name = _("elector")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "polling_district", "number", "suffix"], name="elector_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.polling_district_id}-{self.number}/{self.suffix}"

    @property
    def elector_number(self) -> str:
        """As printed on registers and marked registers: AB1-888/1 (the suffix only when it is not 0)."""
        code = self.polling_district.code
        return f"{code}-{self.number}" + (f"/{self.suffix}" if self.suffix else "")


class Survey(models.Model):
    """The questions canvassers ask, versioned per campaign: a record names the version it answered.

    `questions` holds {"outcomes": [...], "intentions": [...], "certainty": [1, 5], "issues": [...],
    "follow_ups": [...]}, each a list of {"code", "label"}; a new version is a new row."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="surveys")
    version = models.PositiveSmallIntegerField(_("version"))
    questions = models.JSONField(_("questions"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["campaign", "-version"]
        verbose_name = _("survey")
        constraints = [models.UniqueConstraint(fields=["campaign", "version"], name="survey_unique_version")]

    def __str__(self) -> str:
        return f"{self.campaign_id} v{self.version}"


class WalkList(models.Model):
    """Doors to knock in walking order, cut from one polling district; claimed on a phone with a scoped token."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        READY = "ready", _("Ready")
        CLAIMED = "claimed", _("Out on the doorstep")
        DONE = "done", _("Done")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="walk_lists")
    polling_district = models.ForeignKey(PollingDistrict, on_delete=models.CASCADE, related_name="walk_lists")
    name = models.CharField(_("name"), max_length=120)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    assigned_to = models.ForeignKey("people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    session = models.ForeignKey(  # the campaign session (events.Event) it is worked in
        "events.Event", on_delete=models.SET_NULL, null=True, blank=True, related_name="walk_lists"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # The phone's access: a random token (only its SHA-256 stored), scoped to this list, expiring; revocable.
    token_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    claimed_by = models.ForeignKey("people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    token_expires_at = models.DateTimeField(_("access expires at"), null=True, blank=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    class Meta:
        ordering = ["campaign", "polling_district", "name"]
        verbose_name = _("walk list")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "ready", "claimed", "done"]), name="walklist_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="claimed") | (Q(claimed_at__isnull=False) & ~Q(token_sha256="")),
                name="walklist_claimed_has_token",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class WalkListStop(models.Model):
    """One door of a walk list, in walking order."""

    walk_list = models.ForeignKey(WalkList, on_delete=models.CASCADE, related_name="stops")
    address = models.ForeignKey(Address, on_delete=models.CASCADE, related_name="stops")
    position = models.PositiveIntegerField(_("position"))

    class Meta:
        ordering = ["walk_list", "position"]
        constraints = [
            models.UniqueConstraint(fields=["walk_list", "position"], name="walkliststop_unique_position"),
            models.UniqueConstraint(fields=["walk_list", "address"], name="walkliststop_unique_address"),
        ]

    def __str__(self) -> str:
        return f"{self.walk_list_id}#{self.position}"


class ContactRecord(models.Model):
    """What happened at a door: append-only, keyed by the UUID the phone generated (so a batch sent twice is stored
    once). The door (address) always; the elector when the record is about one person; none for "not in"."""

    class Outcome(models.TextChoices):
        NOT_IN = "not_in", _("Not in")
        SPOKE = "spoke", _("Spoke")
        REFUSED = "refused", _("Refused")
        MOVED = "moved", _("Moved away")
        DO_NOT_CONTACT = "dnc", _("Do not contact")
        COME_BACK = "come_back", _("Come back later")

    id = models.UUIDField(primary_key=True, editable=False)  # from the client
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="contact_records")
    # Register-derived links go when the register copy is deleted; the record stays as an anonymous count.
    address = models.ForeignKey(Address, on_delete=models.SET_NULL, null=True, blank=True, related_name="contacts")
    elector = models.ForeignKey(Elector, on_delete=models.SET_NULL, null=True, blank=True, related_name="contacts")
    polling_district = models.ForeignKey(
        PollingDistrict, on_delete=models.PROTECT, related_name="contacts", null=True, blank=True
    )
    walk_list = models.ForeignKey(WalkList, on_delete=models.SET_NULL, null=True, blank=True, related_name="contacts")
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="contacts")
    canvasser = models.ForeignKey("people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))  # on the phone
    received_at = models.DateTimeField(_("received at"), default=timezone.now)  # by the server
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    intention = models.CharField(_("voting intention"), max_length=20, blank=True)  # a party code, or "undecided"
    certainty = models.PositiveSmallIntegerField(_("certainty"), null=True, blank=True)
    issues = models.JSONField(_("issues raised"), default=list, blank=True)
    follow_ups = models.JSONField(_("follow-ups"), default=list, blank=True)
    notes = models.TextField(_("what they told us"), blank=True)
    # Someone at the door who is not on the register (a new elector at this address): the name they gave.
    unlisted_name = models.CharField(_("name (not on the register)"), max_length=160, blank=True)
    redacted_at = models.DateTimeField(_("free text redacted at"), null=True, blank=True)

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = _("contact record")
        constraints = [
            models.CheckConstraint(
                condition=Q(certainty__isnull=True) | Q(certainty__gte=1, certainty__lte=5),
                name="contactrecord_certainty_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=["not_in", "spoke", "refused", "moved", "dnc", "come_back"]),
                name="contactrecord_outcome_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["elector", "-recorded_at"], name="contactrecord_elector_latest"),
            models.Index(fields=["walk_list", "-recorded_at"], name="contactrecord_walklist"),
        ]

    def __str__(self) -> str:
        return f"{self.outcome} at {self.address_id} ({self.recorded_at:%Y-%m-%d %H:%M})"


class CanvasserContact(ContactRecord):
    """Contact records seen as the canvasser's (the privacy registry's second path to a person on the table)."""

    class Meta:
        proxy = True
        verbose_name = _("contact record (by canvasser)")


class WalkListClaim(WalkList):
    """Walk lists seen as claimed by a person (the privacy registry's second path to a person on the table)."""

    class Meta:
        proxy = True
        verbose_name = _("walk list (claim)")
