"""`{% lift_summary event as lifts %}`: what the lifts panel on an event's page shows (events/lifts/_panel.html).

Anonymous counts for everyone; for a signed-in person, their own offer or request too (never anyone else's)."""

from django import template
from django.utils import timezone

from groundgame.people.rules import person_of

from ..lift_selectors import lift_counts
from ..models import Event, LiftOffer, LiftRequest

register = template.Library()


@register.simple_tag(takes_context=True)
def lift_summary(context, event: Event) -> dict | None:
    """None when lifts make no sense for the event (online, not approved, started); else counts and the user's own
    lift: {"counts", "offer", "request"}."""
    if event.latitude is None or event.status != Event.Status.APPROVED or event.starts_at <= timezone.now():
        return None
    request = context.get("request")
    person = person_of(request.user) if request is not None else None
    summary = {"counts": lift_counts(event=event), "offer": None, "request": None}
    if person is not None:
        summary["offer"] = LiftOffer.objects.filter(event=event, driver=person, status=LiftOffer.Status.OPEN).first()
        summary["request"] = LiftRequest.objects.filter(event=event, rider=person, status__in=LiftRequest.LIVE).first()
    return summary
