"""Listening: conversations where members vote agree / disagree / pass on short statements, and the opinion map
computed from those votes (groundgame.listening.opinion)."""

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groundgame.people.models import LocalGroup, Person


class Conversation(models.Model):
    """A topic, in a group (its members and those of the groups below it take part) or movement-wide (group empty:
    every member)."""

    class Moderation(models.TextChoices):
        STRICT = "strict", _("Strict: new statements wait for an organiser")
        PERMISSIVE = "permissive", _("Permissive: new statements appear at once, organisers may remove them")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    topic = models.CharField(_("topic"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    group = models.ForeignKey(LocalGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="conversations")
    moderation = models.CharField(_("moderation"), max_length=10, choices=Moderation.choices, default=Moderation.STRICT)
    status = models.CharField(_("status"), max_length=6, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Bumped by every vote (services.vote_cast): the background task recomputes maps older than this.
    votes_changed_at = models.DateTimeField(_("votes changed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("conversation")

    def __str__(self) -> str:
        return self.topic

    def get_absolute_url(self) -> str:
        return reverse("listening:conversation", args=[self.pk])


class Statement(models.Model):
    """A short statement people vote on. Seed statements come with the conversation; members may add more."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for moderation")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="statements")
    text = models.CharField(_("statement"), max_length=280)
    author = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    is_seed = models.BooleanField(_("seed statement"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["conversation", "pk"]
        verbose_name = _("statement")
        constraints = [
            models.UniqueConstraint(fields=["conversation", "text"], name="statement_unique_text"),
        ]

    def __str__(self) -> str:
        return self.text


class StatementVote(models.Model):
    """One participant's vote on one statement (the latest: voting again replaces it)."""

    class Value(models.IntegerChoices):
        AGREE = 1, _("Agree")
        DISAGREE = -1, _("Disagree")
        PASS = 0, _("Pass / unsure")

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="votes")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="votes")
    participant = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    value = models.SmallIntegerField(_("vote"), choices=Value.choices)
    voted_at = models.DateTimeField(_("voted at"), default=timezone.now)

    class Meta:
        verbose_name = _("statement vote")
        constraints = [
            models.UniqueConstraint(fields=["statement", "participant"], name="statementvote_one_per_participant"),
            models.CheckConstraint(condition=models.Q(value__in=[-1, 0, 1]), name="statementvote_value_valid"),
        ]
        indexes = [models.Index(fields=["conversation", "participant"], name="statementvote_conv_participant")]

    def __str__(self) -> str:
        return f"{self.participant_id} on {self.statement_id}: {self.value}"


class OpinionMap(models.Model):
    """The latest computed opinion map of a conversation. Aggregates only: points carry no person ids."""

    conversation = models.OneToOneField(Conversation, on_delete=models.CASCADE, related_name="opinion_map")
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    votes_seen_at = models.DateTimeField(_("votes up to"), null=True, blank=True)
    participants = models.PositiveIntegerField(_("participants"), default=0)
    group_count = models.PositiveSmallIntegerField(_("opinion groups"), default=0)
    seconds = models.FloatField(_("compute time (s)"), default=0.0)
    data = models.JSONField(_("result"), default=dict)

    class Meta:
        verbose_name = _("opinion map")

    def __str__(self) -> str:
        return f"map of {self.conversation_id} at {self.computed_at:%Y-%m-%d %H:%M}"
