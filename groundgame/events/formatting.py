"""How events' times read on the pages and in emails: "Sat 14 Nov, 10:00–13:00", in Europe/London."""

from django.utils import timezone
from django.utils.formats import date_format


def when_text(item) -> str:
    """The local time span of an event or a shift (anything with starts_at and ends_at): "Sat 14 Nov, 10:00–13:00",
    or across midnight "Sat 14 Nov, 22:00 – Sun 15 Nov, 02:00". Day and month names follow the active language."""
    start, end = timezone.localtime(item.starts_at), timezone.localtime(item.ends_at)
    if start.date() == end.date():
        return f"{date_format(start, 'D j M, H:i')}–{date_format(end, 'H:i')}"
    return f"{date_format(start, 'D j M, H:i')} – {date_format(end, 'D j M, H:i')}"


def shift_text(shift, event) -> str:
    """A shift beside its event: "Morning 10:00–13:00" (with the day when it differs from the event's start)."""
    start, end = timezone.localtime(shift.starts_at), timezone.localtime(shift.ends_at)
    if start.date() == end.date() == timezone.localtime(event.starts_at).date():
        times = f"{date_format(start, 'H:i')}–{date_format(end, 'H:i')}"
    else:
        times = when_text(shift)
    return f"{shift.label} {times}" if shift.label else times
