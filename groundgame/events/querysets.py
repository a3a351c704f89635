"""Chainable reads on events and RSVPs: `Event.objects.public().upcoming().near(lat, lon, km=30)`."""

import datetime
import math

from django.db import models
from django.db.models import F, FloatField, Value
from django.db.models.functions import ASin, Cos, Least, Power, Radians, Sin, Sqrt
from django.utils import timezone

from groundgame.places.geometry import EARTH_RADIUS_KM

KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180  # along a meridian


def _float(value: float) -> Value:
    return Value(float(value), output_field=FloatField())


def bounding_box(lat: float, lon: float, km: float) -> tuple[float, float, float, float]:
    """(south, north, west, east) of a box holding every point within `km` of (lat, lon). Longitude degrees shrink
    towards the poles: the box is as wide as the circle is at its edge nearest a pole."""
    dlat = km / KM_PER_DEGREE
    widest = min(89.9, abs(lat) + dlat)
    dlon = min(180.0, km / (KM_PER_DEGREE * math.cos(math.radians(widest))))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def haversine_expression(lat: float, lon: float):
    """Great-circle distance in km from (lat, lon) to each row's (latitude, longitude), computed by the database
    (PostgreSQL's maths functions; on SQLite, the ones Django registers)."""
    lat0, lon0 = math.radians(lat), math.radians(lon)
    half_dlat = (Radians(F("latitude")) - _float(lat0)) / _float(2)
    half_dlon = (Radians(F("longitude")) - _float(lon0)) / _float(2)
    a = Power(Sin(half_dlat), _float(2)) + _float(math.cos(lat0)) * Cos(Radians(F("latitude"))) * Power(
        Sin(half_dlon), _float(2)
    )
    return _float(2 * EARTH_RADIUS_KM) * ASin(Least(Sqrt(a), _float(1)))


def planar_distance_squared(lat: float, lon: float):
    """Squared equirectangular distance in km² from (lat, lon) to each row's (latitude, longitude)."""
    x_scale = KM_PER_DEGREE * math.cos(math.radians(lat))
    dx = (F("longitude") - _float(lon)) * _float(x_scale)
    dy = (F("latitude") - _float(lat)) * _float(KM_PER_DEGREE)
    return dx * dx + dy * dy


class EventQuerySet(models.QuerySet):
    def approved(self) -> "EventQuerySet":
        return self.filter(status="approved")

    def public(self) -> "EventQuerySet":
        """What anyone may see: approved events open to the public."""
        return self.approved().filter(visibility="public")

    def proposed(self) -> "EventQuerySet":
        return self.filter(status="proposed")

    def upcoming(self, now: datetime.datetime | None = None) -> "EventQuerySet":
        """Events not yet over (those under way included), soonest first."""
        return self.filter(ends_at__gt=now or timezone.now()).order_by("starts_at", "pk")

    def starting_between(self, start: datetime.datetime, end: datetime.datetime) -> "EventQuerySet":
        return self.filter(starts_at__gte=start, starts_at__lt=end)

    def of_kind(self, *kinds: str) -> "EventQuerySet":
        return self.filter(kind__in=kinds)

    def campaign_sessions(self) -> "EventQuerySet":
        return self.filter(kind__in=["canvassing", "phonebank"])

    def in_seat(self, constituency) -> "EventQuerySet":
        return self.filter(target_seat=constituency)

    def hosted_by(self, groups) -> "EventQuerySet":
        return self.filter(host__in=groups)

    def near(self, lat: float, lon: float, km: float) -> "EventQuerySet":
        """Events whose venue lies within `km` of (lat, lon), nearest first, each annotated with `distance_km`.

        An indexed bounding box narrows the rows. Within it, distance is the equirectangular approximation (plain
        arithmetic the database does natively: on SQLite, trigonometry would be a Python callback per row, 20,000
        events made that 60 ms per search); within 100 km of a point in Great Britain it is within 0.5% of the
        great-circle distance. Filtering and ordering use the squared distance; only the square root is a function."""
        south, north, west, east = bounding_box(lat, lon, km)
        squared = planar_distance_squared(lat, lon)
        return (
            self.filter(latitude__range=(south, north), longitude__range=(west, east))
            .alias(distance_squared=squared)
            .filter(distance_squared__lte=km * km)
            .annotate(distance_km=Sqrt(squared))
            .order_by("distance_squared", "starts_at", "pk")
        )


class RsvpQuerySet(models.QuerySet):
    def live(self) -> "RsvpQuerySet":
        return self.filter(status__in=["confirmed", "waitlisted"])

    def confirmed(self) -> "RsvpQuerySet":
        return self.filter(status="confirmed")

    def waitlisted(self) -> "RsvpQuerySet":
        """Waiting-list order: the earliest first."""
        return self.filter(status="waitlisted").order_by("created_at", "pk")

    def for_places(self, event, shift) -> "RsvpQuerySet":
        """The RSVPs that share one set of places: a shift's, or the whole event's (those without a shift)."""
        if shift is not None:
            return self.filter(shift=shift)
        return self.filter(event=event, shift__isnull=True)
