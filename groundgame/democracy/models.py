"""Member democracy: bodies, motions, ballots, the frozen electorate (the roll) and the ballot box.

Secrecy rests on two tables that share nothing but the ballot they belong to (see docs/democracy.md):

- `RollEntry`: who may vote in a ballot (frozen when it opens) and whether they have voted. Personal data.
- `CastBallot`: what was voted. A random UUID key, the hash of the voter's receipt code and the choices; no person,
  no timestamp, no sequence number, and it is published sorted by receipt hash, never in the database's order.

Nothing in either table, nor in the audit log, says which box row came from which roll entry.
"""

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from groundgame.people.models import LocalGroup, Person


class Body(models.Model):
    """A body that decides things: a local (or regional) group, or the whole movement (no group), with its rules."""

    group = models.OneToOneField(
        LocalGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="democracy_body"
    )
    name = models.CharField(_("name"), max_length=120)
    membership_days = models.PositiveIntegerField(
        _("days of membership needed to vote"),
        default=0,
        help_text=_("A member may vote when they have been a member of the body for at least this many days."),
    )
    votes_changeable = models.BooleanField(_("votes may be changed before close"), default=True)
    contents_by_receipt = models.BooleanField(
        _("publish each ballot beside its receipt hash"),
        default=True,
        help_text=_(
            "On: a voter can see their ballot's contents by receipt (and could show a coercer). Off: the box lists "
            "the receipt hashes and the ballots separately, so a receipt only proves the ballot was counted."
        ),
    )
    support_threshold = models.PositiveIntegerField(
        _("supporters a motion needs"), default=5, validators=[MinValueValidator(1)]
    )
    support_period_days = models.PositiveIntegerField(
        _("days a motion has to gather its supporters"), default=28, validators=[MinValueValidator(1)]
    )

    class Moderation(models.TextChoices):
        PERMISSIVE = "permissive", _("Permissive: comments appear at once; organisers can hide them")
        STRICT = "strict", _("Strict: comments wait until an organiser approves them")

    moderation = models.CharField(
        _("moderation of comments"), max_length=10, choices=Moderation.choices, default=Moderation.PERMISSIVE
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        constraints = [
            models.UniqueConstraint(
                fields=["name"], condition=Q(group__isnull=True), name="body_one_movement_wide_name"
            ),
            models.CheckConstraint(condition=Q(support_threshold__gte=1), name="body_support_threshold_positive"),
            models.CheckConstraint(condition=Q(support_period_days__gte=1), name="body_support_period_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("democracy:body", args=[self.pk])

    @property
    def is_movement_wide(self) -> bool:
        return self.group_id is None


class Motion(models.Model):
    """A proposal put to a body: draft -> gathering support -> debate -> voting -> result."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        GATHERING = "gathering", _("Gathering support")
        DEBATE = "debate", _("In debate")
        VOTING = "voting", _("Being voted on")
        RESULT = "result", _("Decided")
        LAPSED = "lapsed", _("Lapsed (not enough support in time)")

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="motions")
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    rationale = models.TextField(_("rationale"), blank=True)
    proposer = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    support_opened_at = models.DateTimeField(_("support opened at"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("motion")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("democracy:motion", args=[self.pk])

    @property
    def lines(self) -> list[str]:
        """The text's lines, numbered from 1 by position in this list (amendments name them)."""
        return self.text.splitlines()


class MotionSupport(models.Model):
    """A member's support for a motion gathering support."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="supports")
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    supported_at = models.DateTimeField(_("supported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("motion support")
        constraints = [models.UniqueConstraint(fields=["motion", "person"], name="motion_support_once")]

    def __str__(self) -> str:
        return f"{self.person_id} supports {self.motion_id}"


class Ballot(models.Model):
    """A secret ballot of a body: a question, a counting method, options, and when it is open."""

    class Method(models.TextChoices):
        YES_NO_ABSTAIN = "yes_no_abstain", _("Yes / No / Abstain")
        APPROVAL = "approval", _("Approval")
        IRV = "irv", _("Instant runoff (one seat)")
        SCOTTISH_STV = "scottish_stv", _("STV, Scottish rules")
        MEEK = "meek", _("STV, Meek")
        SCHULZE = "schulze", _("Schulze")

    RANKED = frozenset({Method.IRV, Method.SCOTTISH_STV, Method.MEEK, Method.SCHULZE})

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="ballots")
    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, null=True, blank=True, related_name="ballots")
    question = models.CharField(_("question"), max_length=300)
    method = models.CharField(_("method"), max_length=14, choices=Method.choices)
    seats = models.PositiveSmallIntegerField(_("seats"), default=1, validators=[MinValueValidator(1)])
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    electorate_frozen_at = models.DateTimeField(_("electorate frozen at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    quorum_percent = models.PositiveSmallIntegerField(
        _("quorum: minimum turnout (% of the roll)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("Leave empty for no minimum percentage."),
    )
    quorum_count = models.PositiveIntegerField(
        _("quorum: minimum number of voters"),
        null=True,
        blank=True,
        help_text=_("Leave empty for no minimum number."),
    )

    class Meta:
        ordering = ["-opens_at", "pk"]
        verbose_name = _("ballot")
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="ballot_closes_after_opening"),
            models.CheckConstraint(condition=Q(seats__gte=1), name="ballot_at_least_one_seat"),
            models.CheckConstraint(
                condition=Q(quorum_percent__isnull=True) | Q(quorum_percent__lte=100), name="ballot_quorum_percent"
            ),
        ]

    def __str__(self) -> str:
        return self.question

    def get_absolute_url(self) -> str:
        return reverse("democracy:ballot", args=[self.pk])

    @property
    def is_ranked(self) -> bool:
        return self.method in self.RANKED

    def quorum_met(self, *, electorate: int, voted: int) -> bool:
        """Turnout reaches both the minimum number and the minimum percentage of the frozen roll (each if set)."""
        if self.quorum_count is not None and voted < self.quorum_count:
            return False
        return self.quorum_percent is None or voted * 100 >= self.quorum_percent * electorate


class BallotOption(models.Model):
    """An option or candidate on a ballot, numbered from 1 in the order shown."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["ballot", "position"]
        verbose_name = _("ballot option")
        constraints = [
            models.UniqueConstraint(fields=["ballot", "position"], name="option_position_once"),
            models.UniqueConstraint(fields=["ballot", "name"], name="option_name_once"),
        ]

    def __str__(self) -> str:
        return self.name


class RollEntry(models.Model):
    """One person on a ballot's frozen electorate, and whether they have voted (the voter roll).

    No timestamp of voting: `ballot_closes_at` is the ballot's closing time, the same on every row of the ballot,
    kept here only so retention can delete the roll once the result can no longer be challenged."""

    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="roll")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    voted = models.BooleanField(_("voted"), default=False)
    ballot_closes_at = models.DateTimeField(_("ballot closes at"))

    class Meta:
        verbose_name = _("voter roll entry")
        verbose_name_plural = _("voter roll entries")
        constraints = [models.UniqueConstraint(fields=["ballot", "person"], name="roll_one_entry_per_person")]

    def __str__(self) -> str:
        return f"{self.person_id} on ballot {self.ballot_id}"


class CastBallot(models.Model):
    """One ballot in the box: what was voted, beside the hash of its receipt code. No person, no time, no order.

    `choices` lists option positions: the one choice (yes/no/abstain), the options approved (ascending), or the
    ranking, first preference first."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="box")
    receipt_hash = models.CharField(_("receipt hash"), max_length=64, unique=True)
    choices = models.JSONField(_("choices"))

    class Meta:
        ordering = ["receipt_hash"]  # the canonical order: never the database's
        verbose_name = _("cast ballot")

    def __str__(self) -> str:
        return self.receipt_hash[:12]


class BallotResult(models.Model):
    """A closed ballot's result, stored at close: turnout against the frozen roll, whether quorum was met, who or
    what won, and the full count transcript (the counting library's JSON, kept as text so its exact digits stay)."""

    ballot = models.OneToOneField(Ballot, on_delete=models.PROTECT, related_name="result")
    electorate = models.PositiveIntegerField(_("electorate"))
    voted = models.PositiveIntegerField(_("voted"))
    quorum_met = models.BooleanField(_("quorum met"))
    elected = models.JSONField(_("elected or chosen"), default=list)
    transcript = models.TextField(_("count transcript (JSON)"))
    counted_at = models.DateTimeField(_("counted at"))

    class Meta:
        verbose_name = _("ballot result")
        constraints = [models.CheckConstraint(condition=Q(voted__lte=F("electorate")), name="result_voted_le_roll")]

    def __str__(self) -> str:
        return f"result of {self.ballot_id}"


class Amendment(models.Model):
    """A proposed change to numbered lines of a motion: replace lines `line_from`..`line_to` (as they read when
    proposed: `original`) with `replacement`. The mover accepts it (the text changes), or it goes to a yes/no vote."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted by the mover")
        VOTING = "voting", _("Put to a vote")
        CARRIED = "carried", _("Carried")
        REJECTED = "rejected", _("Not carried")
        FAILED = "failed", _("Could not be applied (the lines changed)")

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="amendments")
    number = models.PositiveSmallIntegerField(_("number"))
    line_from = models.PositiveSmallIntegerField(_("from line"), validators=[MinValueValidator(1)])
    line_to = models.PositiveSmallIntegerField(_("to line"), validators=[MinValueValidator(1)])
    original = models.TextField(_("the lines as they read"), blank=True)
    replacement = models.TextField(_("replacement text"), blank=True)
    rationale = models.TextField(_("rationale"), blank=True)
    proposer = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    ballot = models.OneToOneField(Ballot, on_delete=models.PROTECT, null=True, blank=True, related_name="amendment")
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["motion", "number"]
        verbose_name = _("amendment")
        constraints = [
            models.UniqueConstraint(fields=["motion", "number"], name="amendment_number_once"),
            models.CheckConstraint(condition=Q(line_from__gte=1), name="amendment_line_from_positive"),
            models.CheckConstraint(condition=Q(line_to__gte=F("line_from")), name="amendment_lines_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.motion_id}/A{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("democracy:motion", args=[self.motion_id]) + f"#amendment-{self.number}"


class Comment(models.Model):
    """A deliberation comment on a motion. Strict bodies hold comments until an organiser approves them;
    permissive bodies show them at once. Organisers can hide any comment (it stays, hidden, for the record)."""

    class Status(models.TextChoices):
        VISIBLE = "visible", _("Shown")
        HELD = "held", _("Waiting for approval")
        HIDDEN = "hidden", _("Hidden by an organiser")

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    text = models.TextField(_("comment"), max_length=4000)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.VISIBLE)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.motion_id}"
