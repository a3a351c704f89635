from django.contrib import admin

from .models import BoundarySet, Constituency, ConstituencyResult, Election, TargetOverride
from .services import target_override_delete, target_override_set


@admin.register(BoundarySet)
class BoundarySetAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "first_used"]


@admin.register(Constituency)
class ConstituencyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "boundary_set", "nation", "region"]
    list_filter = ["boundary_set", "nation"]
    search_fields = ["name", "code"]
    exclude = ["boundary"]


@admin.register(Election)
class ElectionAdmin(admin.ModelAdmin):
    list_display = ["year", "polling_date", "boundary_set"]


@admin.register(ConstituencyResult)
class ConstituencyResultAdmin(admin.ModelAdmin):
    list_display = ["constituency", "election", "result", "majority"]
    list_filter = ["election", "first_party"]
    search_fields = ["constituency__name", "constituency__code"]
    raw_id_fields = ["constituency"]


@admin.register(TargetOverride)
class TargetOverrideAdmin(admin.ModelAdmin):
    """Overrides go through the service, so every process's lookup index refreshes."""

    list_display = ["constituency", "election", "action", "reason", "created_by", "created_at"]
    list_filter = ["election", "action"]
    raw_id_fields = ["constituency"]
    readonly_fields = ["created_by", "created_at"]

    def save_model(self, request, obj, form, change):
        saved = target_override_set(
            election=obj.election,
            constituency=obj.constituency,
            action=obj.action,
            reason=obj.reason,
            acting=request.user,
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        target_override_delete(override=obj)

    def delete_queryset(self, request, queryset):
        for override in queryset:
            target_override_delete(override=override)
