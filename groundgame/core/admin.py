from django.contrib import admin

from .models import AuditEvent, MessageDelivery, SuppressedContact


class ReadOnlyAdmin(admin.ModelAdmin):
    """Logs are written by services only: the admin shows them to users with the view permission (data stewards)
    and offers no add, change or delete."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "actor_id", "action", "target_type", "target_id", "fields", "reason"]
    list_filter = ["action", "target_type"]
    search_fields = ["=target_id", "action"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False


@admin.register(MessageDelivery)
class MessageDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient_id", "channel", "purpose", "status", "reason", "basis"]
    list_filter = ["channel", "status", "purpose"]
    search_fields = ["=recipient_id"]
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(SuppressedContact)
class SuppressedContactAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "channel", "contact_hash"]
    list_filter = ["channel"]
