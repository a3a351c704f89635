"""Canvassing in the Django admin: read-only, and without the register.

Campaigns, register copies, polling districts, surveys and register access grants are shown read-only: they are
written through the organisers' pages (canvassing.views), which go through services and leave audit rows.
Electors, households, walk lists and contact records are not in the admin at all: the register is controlled
data that only people granted register access for a campaign may see (canvassing.rules), and the admin's staff
flag is not that grant.
"""

from django.contrib import admin

from groundgame.core.admin import ReadOnlyAdmin

from .models import Campaign, PollingDistrict, RegisterAccess, RegisterCopy, Survey


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "polling_date", "host"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]

    def view_on_site(self, obj):
        from django.urls import reverse

        return reverse("canvassing:campaign", args=[obj.slug])


@admin.register(RegisterCopy)
class RegisterCopyAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "supplier", "published_on", "received_on", "delete_by", "status", "deleted_at"]
    list_filter = ["status"]
    search_fields = ["campaign__name", "supplier"]
    date_hierarchy = "delete_by"


@admin.register(PollingDistrict)
class PollingDistrictAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "campaign", "constituency"]
    search_fields = ["code", "campaign__name"]


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "version", "created_at"]


@admin.register(RegisterAccess)
class RegisterAccessAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "person", "granted_at", "revoked_at"]
    list_filter = ["revoked_at"]
    raw_id_fields = ["person"]
