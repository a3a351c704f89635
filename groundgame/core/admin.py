from django.contrib import admin

from . import webhooks
from .models import AuditEvent, MessageDelivery, SuppressedContact, WebhookDelivery, WebhookEndpoint


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


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """Administrators connect outside systems; the signing secret is made here and shown to copy to the receiver."""

    list_display = ["name", "url", "event_types", "active", "created_at"]
    readonly_fields = ["secret", "created_at"]

    def save_model(self, request, obj, form, change):
        if not obj.secret:
            obj.secret = webhooks.new_secret()
        super().save_model(request, obj, form, change)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "endpoint", "event_type", "status", "attempts", "last_status_code", "last_error"]
    list_filter = ["status", "event_type", "endpoint"]
    date_hierarchy = "created_at"
    show_full_result_count = False
