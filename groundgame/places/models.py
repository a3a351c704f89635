"""Electoral geography and results: boundary sets, constituencies, elections, results, postcodes.

`places` knows nobody: no people, no campaigns. Everything here is public reference data, except
TargetOverride, which records an organiser's public decision to add or remove a target seat.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .parties import describe_result
from .querysets import ConstituencyQuerySet, ResultQuerySet


class BoundarySet(models.Model):
    """A set of Westminster constituency boundaries, e.g. those used from 2010 to 2023."""

    slug = models.SlugField(_("slug"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    first_used = models.DateField(_("first used"))

    class Meta:
        ordering = ["first_used"]
        verbose_name = _("boundary set")

    def __str__(self) -> str:
        return self.name


class Nation(models.TextChoices):
    ENGLAND = "E", _("England")
    SCOTLAND = "S", _("Scotland")
    WALES = "W", _("Wales")
    NORTHERN_IRELAND = "N", _("Northern Ireland")


class Constituency(models.Model):
    """A Westminster constituency within one boundary set, keyed on (boundary set, GSS code)."""

    boundary_set = models.ForeignKey(BoundarySet, on_delete=models.CASCADE, related_name="constituencies")
    code = models.CharField(_("GSS code"), max_length=9)
    name = models.CharField(_("name"), max_length=100)
    nation = models.CharField(_("nation"), max_length=1, choices=Nation.choices)
    region = models.CharField(_("region"), max_length=50, blank=True)
    centroid_lat = models.FloatField(_("centroid latitude"), null=True, blank=True)
    centroid_lon = models.FloatField(_("centroid longitude"), null=True, blank=True)
    # Simplified boundary as a GeoJSON geometry (WGS84), for point-in-polygon and small maps.
    boundary = models.JSONField(_("boundary"), null=True, blank=True)
    area_km2 = models.FloatField(_("area (km²)"), null=True, blank=True)
    hex_q = models.IntegerField(_("hex column"), null=True, blank=True)
    hex_r = models.IntegerField(_("hex row"), null=True, blank=True)
    deprivation_score = models.FloatField(_("deprivation score"), null=True, blank=True)
    deprivation_decile = models.PositiveSmallIntegerField(_("deprivation decile"), null=True, blank=True)

    objects = ConstituencyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("constituency")
        verbose_name_plural = _("constituencies")
        constraints = [
            models.UniqueConstraint(fields=["boundary_set", "code"], name="constituency_unique_code_per_set"),
            models.CheckConstraint(
                condition=Q(centroid_lat__isnull=True) | Q(centroid_lat__gte=-90, centroid_lat__lte=90),
                name="constituency_lat_range",
            ),
            models.CheckConstraint(
                condition=Q(deprivation_decile__isnull=True) | Q(deprivation_decile__gte=1, deprivation_decile__lte=10),
                name="constituency_deprivation_decile_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("places:constituency", args=[self.boundary_set.slug, self.code])


class Election(models.Model):
    """A UK general election, fought on one boundary set."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    polling_date = models.DateField(_("polling date"))
    boundary_set = models.ForeignKey(BoundarySet, on_delete=models.PROTECT, related_name="elections")

    class Meta:
        ordering = ["polling_date"]
        verbose_name = _("election")

    def __str__(self) -> str:
        return _("General election %(year)s") % {"year": self.year}


class ConstituencyResult(models.Model):
    """The declared result of one election in one constituency, as the House of Commons Library gives it."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="results")
    constituency = models.ForeignKey(Constituency, on_delete=models.CASCADE, related_name="results")
    electorate = models.PositiveIntegerField(_("electorate"))
    valid_votes = models.PositiveIntegerField(_("valid votes"))
    invalid_votes = models.PositiveIntegerField(_("invalid votes"), default=0)
    majority = models.PositiveIntegerField(_("majority"))
    result = models.CharField(_("result"), max_length=60)  # e.g. "Lab gain from Con"
    first_party = models.CharField(_("winner"), max_length=40)
    second_party = models.CharField(_("runner-up"), max_length=60)
    # Votes by party code as the results file gives them; "Other" aggregates every other candidate.
    party_votes = models.JSONField(_("votes by party"), default=dict)
    # Votes of a winner outside the named-party columns (the Speaker, independents), when the file says.
    other_winner_votes = models.PositiveIntegerField(_("votes of an 'other' winner"), null=True, blank=True)

    objects = ResultQuerySet.as_manager()

    class Meta:
        ordering = ["election", "constituency__name"]
        verbose_name = _("constituency result")
        constraints = [
            models.UniqueConstraint(fields=["election", "constituency"], name="result_unique_per_seat"),
            models.CheckConstraint(condition=Q(majority__lte=models.F("valid_votes")), name="result_majority_le_valid"),
            models.CheckConstraint(condition=Q(valid_votes__gt=0), name="result_valid_votes_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.constituency} {self.election.year}: {self.result}"

    @property
    def turnout_pct(self) -> float:
        """Valid votes as a percentage of the electorate (the Library's definition)."""
        return 100.0 * self.valid_votes / self.electorate if self.electorate else 0.0

    @property
    def majority_pct(self) -> float:
        return 100.0 * self.majority / self.valid_votes

    @property
    def result_description(self) -> str:
        """'Con gain from Lab' with the parties' names: 'Conservative gain from Labour'."""
        return describe_result(self.result)


class CandidateResult(models.Model):
    """One candidate's votes in one constituency result."""

    result = models.ForeignKey(ConstituencyResult, on_delete=models.CASCADE, related_name="candidates")
    party_name = models.CharField(_("party"), max_length=120)
    party_abbreviation = models.CharField(_("party abbreviation"), max_length=60)
    first_name = models.CharField(_("first name"), max_length=80)
    surname = models.CharField(_("surname"), max_length=80)
    gender = models.CharField(_("gender"), max_length=20, blank=True)
    sitting_mp = models.BooleanField(_("sitting MP"), default=False)
    votes = models.PositiveIntegerField(_("votes"))

    class Meta:
        ordering = ["result", "-votes"]
        verbose_name = _("candidate result")
        constraints = [
            models.UniqueConstraint(
                fields=["result", "party_abbreviation", "first_name", "surname"],
                name="candidate_unique_per_result",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.surname} ({self.party_abbreviation}) {self.votes}"


class ConstituencyOverlap(models.Model):
    """How many of a later constituency's people lived in an earlier one (boundary changes)."""

    successor = models.ForeignKey(Constituency, on_delete=models.CASCADE, related_name="predecessor_overlaps")
    predecessor = models.ForeignKey(Constituency, on_delete=models.CASCADE, related_name="successor_overlaps")
    population = models.FloatField(_("people living in both"))
    # Share of the successor's population that lived in the predecessor (0..1).
    population_share = models.FloatField(_("share of the successor's population"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["successor", "predecessor"], name="overlap_unique_pair"),
            models.CheckConstraint(
                condition=Q(population_share__gte=0, population_share__lte=1), name="overlap_share_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} -> {self.successor} ({self.population_share:.0%})"


class PostcodeDistrict(models.Model):
    """A postcode district (outward code, e.g. DE22) with the centroid of its postcodes."""

    outcode = models.CharField(_("outward code"), max_length=4, unique=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    postcode_count = models.PositiveIntegerField(_("postcodes"), default=0)

    class Meta:
        ordering = ["outcode"]
        verbose_name = _("postcode district")

    def __str__(self) -> str:
        return self.outcode


class Postcode(models.Model):
    """A full unit postcode, normalised as 'OUTWARD INWARD' (e.g. 'DE22 1AA')."""

    postcode = models.CharField(_("postcode"), max_length=8, unique=True)
    outcode = models.CharField(_("outward code"), max_length=4, db_index=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    positional_quality = models.PositiveSmallIntegerField(_("positional quality"), null=True, blank=True)

    class Meta:
        ordering = ["postcode"]
        verbose_name = _("postcode")

    def __str__(self) -> str:
        return self.postcode


class PostcodePlacement(models.Model):
    """The constituency a full postcode lies in on one boundary set, computed once by point-in-polygon when
    postcodes or boundaries are imported, so a lookup needs no geometry."""

    postcode = models.ForeignKey(Postcode, on_delete=models.CASCADE, related_name="placements")
    boundary_set = models.ForeignKey(BoundarySet, on_delete=models.CASCADE, related_name="+")
    constituency = models.ForeignKey(Constituency, on_delete=models.CASCADE, related_name="+")
    # True when the point lay outside every (generalised) boundary and the nearest was taken.
    approximate = models.BooleanField(_("approximate"), default=False)

    class Meta:
        verbose_name = _("postcode placement")
        constraints = [
            models.UniqueConstraint(fields=["postcode", "boundary_set"], name="placement_one_per_set"),
        ]

    def __str__(self) -> str:
        return f"{self.postcode_id} in {self.constituency_id}"


class TargetOverride(models.Model):
    """An organiser's decision to add a seat to, or remove it from, the target list, with a public reason."""

    class Action(models.TextChoices):
        ADD = "add", _("Add to targets")
        REMOVE = "remove", _("Remove from targets")

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="target_overrides")
    constituency = models.ForeignKey(Constituency, on_delete=models.CASCADE, related_name="target_overrides")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    reason = models.TextField(_("public reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["election", "constituency__name"]
        verbose_name = _("target override")
        constraints = [
            models.UniqueConstraint(fields=["election", "constituency"], name="override_one_per_seat"),
            models.CheckConstraint(condition=~Q(reason=""), name="override_reason_required"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.constituency} ({self.election.year})"


class ReferenceDataVersion(models.Model):
    """A single row bumped whenever reference data or overrides change, so caches in every process refresh."""

    version = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return str(self.version)
