"""Events in the Django admin: read-only.

Events, shifts and RSVPs change through services (approval, capacity under a lock, waiting-list promotion, audit
rows), so the admin shows them without add, change or delete.
"""

from django.contrib import admin

from groundgame.core.admin import ReadOnlyAdmin

from .models import Event, Rsvp, Shift


class ShiftInline(admin.TabularInline):
    model = Shift
    fields = ["label", "starts_at", "ends_at", "capacity"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "status", "visibility", "host", "starts_at", "venue_postcode", "target_seat"]
    list_filter = ["status", "kind", "visibility"]
    search_fields = ["title", "=venue_postcode", "=uuid"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["host", "target_seat", "organiser_contact", "proposed_by"]
    inlines = [ShiftInline]
    show_full_result_count = False


@admin.register(Rsvp)
class RsvpAdmin(ReadOnlyAdmin):
    list_display = ["pk", "event", "shift", "person", "status", "booked_as_guest", "attendance", "created_at"]
    list_filter = ["status", "attendance", "booked_as_guest"]
    search_fields = ["=event__uuid", "=person__id"]
    raw_id_fields = ["event", "shift", "person"]
    list_select_related = ["event", "shift", "person"]
    show_full_result_count = False
