"""Chainable read vocabulary for places models."""

from django.db import models


class ConstituencyQuerySet(models.QuerySet):
    def in_set(self, slug: str) -> "ConstituencyQuerySet":
        return self.filter(boundary_set__slug=slug)

    def with_hex(self) -> "ConstituencyQuerySet":
        return self.filter(hex_q__isnull=False, hex_r__isnull=False)


class ResultQuerySet(models.QuerySet):
    def for_year(self, year: int) -> "ResultQuerySet":
        return self.filter(election__year=year)

    def won_by(self, party: str) -> "ResultQuerySet":
        return self.filter(first_party=party)
