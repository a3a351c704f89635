"""Chainable reads on canvassing models: `Elector.objects.on_register().postal()`,
`RegisterCopy.objects.live().due_for_deletion(today)`. No permission checks here: selectors.py decides who sees
what."""

import datetime

from django.db import models


class CampaignQuerySet(models.QuerySet):
    def upcoming(self, today: datetime.date) -> "CampaignQuerySet":
        return self.filter(polling_date__gte=today)

    def run_by(self, group_ids) -> "CampaignQuerySet":
        return self.filter(host_id__in=group_ids)


class RegisterCopyQuerySet(models.QuerySet):
    def current(self) -> "RegisterCopyQuerySet":
        return self.filter(status="current")

    def live(self) -> "RegisterCopyQuerySet":
        """Not yet deleted (current or superseded)."""
        return self.exclude(status="deleted")

    def due_for_deletion(self, day: datetime.date) -> "RegisterCopyQuerySet":
        """Live copies whose delete-by date is `day` or earlier."""
        return self.live().filter(delete_by__lte=day)


class AddressQuerySet(models.QuerySet):
    def located(self) -> "AddressQuerySet":
        return self.exclude(location_quality="none")

    def in_district(self, code: str) -> "AddressQuerySet":
        return self.filter(polling_district__code=code)

    def with_electors(self) -> "AddressQuerySet":
        """Households with at least one elector on the current register."""
        return self.filter(electors__removed_at__isnull=True).distinct()


class ElectorQuerySet(models.QuerySet):
    def on_register(self) -> "ElectorQuerySet":
        """Not removed by a newer register copy."""
        return self.filter(removed_at__isnull=True)

    def removed(self) -> "ElectorQuerySet":
        return self.filter(removed_at__isnull=False)

    def postal(self) -> "ElectorQuerySet":
        return self.filter(postal_voter=True)

    def attainers(self) -> "ElectorQuerySet":
        return self.filter(attainer_date__isnull=False)

    def in_district(self, code: str) -> "ElectorQuerySet":
        return self.filter(polling_district__code=code)

    def search(self, text: str) -> "ElectorQuerySet":
        """Surname, street or postcode containing `text` (case-insensitive), or an elector number (AB1-888)."""
        text = text.strip()
        if not text:
            return self
        query = (
            models.Q(surname__icontains=text)
            | models.Q(address__street__icontains=text)
            | models.Q(address__postcode__istartswith=text)
        )
        code, dash, number = text.upper().partition("-")
        if dash and number.split("/")[0].isdigit():
            query |= models.Q(polling_district__code=code.strip(), number=int(number.split("/")[0]))
        return self.filter(query)
