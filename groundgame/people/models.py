"""People, local groups, memberships, roles, consent and privacy requests.

Everything here is personal data (political opinion is special-category data under UK GDPR): reads go
through permission-checked selectors, writes through services that leave audit rows, and every model is
registered with the privacy registry (see privacy.py in this app).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .querysets import GroupQuerySet, MembershipQuerySet, PersonQuerySet


class Skill(models.Model):
    """Something a person can do for the movement: driving, data entry, Welsh, first aid..."""

    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("skill")

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """Anyone the movement holds data about: members, supporters, volunteers."""

    class Status(models.TextChoices):
        MEMBER = "member", _("Member")
        SUPPORTER = "supporter", _("Supporter")
        VOLUNTEER = "volunteer", _("Volunteer")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="person"
    )
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)  # E.164, e.g. +447700900123
    postcode = models.CharField(_("postcode"), max_length=8, blank=True)  # normalised, e.g. "DE22 1AA"
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUPPORTER)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    skills = models.ManyToManyField(Skill, blank=True, related_name="people", verbose_name=_("skills"))
    interests = models.CharField(_("interests"), max_length=300, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)  # e.g. ["en", "cy"]
    accessibility_needs = models.TextField(_("accessibility needs"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Set when the person's data was erased: the row stays as an anonymous tombstone so aggregates and the
    # minimum proof of consent (hashes, dates, wording ids) keep their reference.
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~Q(email=""),
                name="person_unique_email",
                violation_error_message=_("Someone with this email address is already recorded."),
            ),
            models.UniqueConstraint(
                fields=["phone"],
                condition=~Q(phone=""),
                name="person_unique_phone",
                violation_error_message=_("Someone with this phone number is already recorded."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or f"#{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("people:person", args=[self.pk])


class PersonNote(models.Model):
    """A note about a person, visible to the roles its visibility names."""

    class Visibility(models.TextChoices):
        ORGANISERS = "organisers", _("Organisers of the person's groups")
        DATA_STEWARDS = "stewards", _("Data stewards only")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    text = models.TextField(_("note"))
    visibility = models.CharField(_("visible to"), max_length=12, choices=Visibility.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("note")

    def __str__(self) -> str:
        return f"Note on {self.person_id}"


class LocalGroup(models.Model):
    """A group of the movement: national, regional or local, each inside its parent."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("National")
        REGIONAL = "regional", _("Regional")
        LOCAL = "local", _("Local")

    class JoinPolicy(models.TextChoices):
        OPEN = "open", _("Anyone can join")
        APPROVAL = "approval", _("Organisers approve requests")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    constituencies = models.ManyToManyField(
        "places.Constituency", blank=True, related_name="+", verbose_name=_("constituencies covered")
    )
    area_description = models.CharField(_("area"), max_length=200, blank=True)
    public_description = models.TextField(_("about the group"), blank=True)
    join_policy = models.CharField(_("joining"), max_length=10, choices=JoinPolicy.choices, default=JoinPolicy.APPROVAL)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = GroupQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("local group")
        constraints = [
            models.CheckConstraint(
                condition=Q(level="national", parent__isnull=True) | (~Q(level="national") & Q(parent__isnull=False)),
                name="group_national_is_the_only_root",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("people:group", args=[self.slug])

    def ancestors(self) -> list["LocalGroup"]:
        """Parent, grandparent, ... up to the national group (a short walk: three levels)."""
        chain, group = [], self.parent
        while group is not None:
            chain.append(group)
            group = group.parent
        return chain


class Membership(models.Model):
    """A person's place in a group, from join request to active member with a role."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        VOLUNTEER = "volunteer", _("Volunteer")
        CANVASSER = "canvasser", _("Canvasser")
        ORGANISER = "organiser", _("Organiser")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ACTIVE = "active", _("Active")
        DECLINED = "declined", _("Declined")
        LEFT = "left", _("Left")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    group = models.ForeignKey(LocalGroup, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["group", "person"]
        verbose_name = _("membership")
        constraints = [
            models.UniqueConstraint(fields=["person", "group"], name="membership_one_per_group"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.group_id} ({self.role}, {self.status})"


class StaffRole(models.Model):
    """A role that is not tied to a group: data steward or administrator."""

    class Role(models.TextChoices):
        DATA_STEWARD = "steward", _("Data steward")
        ADMINISTRATOR = "admin", _("Administrator")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="staff_roles")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("staff role")
        constraints = [models.UniqueConstraint(fields=["person", "role"], name="staff_role_once")]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.role}"


class Purpose(models.TextChoices):
    """What personal data is used for; each needs a lawful basis of its own."""

    MEMBERSHIP = "membership", _("Membership administration")
    CANVASSING = "canvassing", _("Canvassing contact")
    EMAIL = "email", _("Email updates")
    SMS = "sms", _("Text messages")
    PHONE = "phone", _("Phone calls")
    EVENTS = "events", _("Messages about events you booked")


# Service messages: about something the person asked for (a booking's confirmation and reminders), not marketing.
# They need a basis for their own purpose only, not the channel's marketing consent (email updates, texts).
SERVICE_PURPOSES = frozenset({Purpose.EVENTS})


class ConsentWording(models.Model):
    """The exact words a person was shown when asked for consent, versioned per purpose."""

    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices)
    version = models.PositiveSmallIntegerField(_("version"))
    text = models.TextField(_("wording shown"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["purpose", "-version"]
        verbose_name = _("consent wording")
        constraints = [models.UniqueConstraint(fields=["purpose", "version"], name="wording_version_once")]

    def __str__(self) -> str:
        return f"{self.purpose} v{self.version}"


class ConsentEvent(models.Model):
    """One change in a person's lawful basis for a purpose. Append-only: the current basis is the latest
    event per purpose; history is never rewritten. After erasure the event keeps only the minimum proof:
    a keyed hash of the contact detail it concerned, the dates and the wording id."""

    class Basis(models.TextChoices):
        CONSENT = "consent", _("Consent")
        LEGITIMATE_INTERESTS = "legitimate", _("Legitimate interests")
        DEMOCRATIC_ENGAGEMENT = "democratic", _("Democratic engagement")

    class Action(models.TextChoices):
        GIVEN = "given", _("Given")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Method(models.TextChoices):
        WEB_FORM = "web", _("Web form")
        IMPORT = "import", _("Imported")
        DOORSTEP = "doorstep", _("On the doorstep")
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribe link")
        STAFF = "staff", _("Recorded by staff")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="consent_events")
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices)
    basis = models.CharField(_("lawful basis"), max_length=12, choices=Basis.choices)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    wording = models.ForeignKey(ConsentWording, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    method = models.CharField(_("how"), max_length=12, choices=Method.choices)
    occurred_at = models.DateTimeField(_("when"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    contact_hash = models.CharField(_("keyed hash of the contact detail"), max_length=64, blank=True)

    class Meta:
        ordering = ["person", "purpose", "occurred_at", "pk"]
        verbose_name = _("consent event")
        indexes = [models.Index(fields=["person", "purpose", "-occurred_at"], name="consent_latest")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(basis="consent", action="given") | Q(wording__isnull=False),
                name="consent_given_needs_wording",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.purpose}: {self.basis} {self.action}"


class PrivacyRequest(models.Model):
    """A data subject's request, handled by data stewards within a month."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("Subject access (export)")
        ERASURE = "erasure", _("Erasure")
        RECTIFICATION = "rectify", _("Rectification")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        REFUSED = "refused", _("Refused")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="privacy_requests")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("due on"))
    details = models.TextField(_("details"), blank=True)
    handled_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("privacy request")
        constraints = [
            models.CheckConstraint(condition=Q(due_on__gte=models.F("received_on")), name="request_due_after_received"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.person_id} (due {self.due_on})"
