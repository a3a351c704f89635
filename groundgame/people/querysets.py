"""Chainable reads on people models."""

from django.db import models


class PersonQuerySet(models.QuerySet):
    def not_erased(self) -> "PersonQuerySet":
        return self.filter(erased_at__isnull=True)

    def in_groups(self, groups) -> "PersonQuerySet":
        return self.filter(memberships__group__in=groups, memberships__status="active").distinct()


class GroupQuerySet(models.QuerySet):
    def subtree_of(self, group) -> "GroupQuerySet":
        """The group and every group below it (three levels at most: national, regional, local)."""
        return self.filter(models.Q(pk=group.pk) | models.Q(parent=group) | models.Q(parent__parent=group))


class MembershipQuerySet(models.QuerySet):
    def active(self) -> "MembershipQuerySet":
        return self.filter(status="active")

    def organising(self) -> "MembershipQuerySet":
        return self.active().filter(role="organiser")
