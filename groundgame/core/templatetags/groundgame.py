"""Template filters shared by every app."""

from django import template

register = template.Library()


@register.filter
def pct(value) -> str:
    """A percentage with 2 decimals below 1 (0.09) and 1 decimal otherwise (7.4), as the reasons read."""
    if value is None or value == "":
        return ""
    value = float(value)
    return f"{value:.2f}" if abs(value) < 1 else f"{value:.1f}"
