"""People in the Django admin: read-mostly.

Personal data is changed through the application's pages (which go through services and leave audit rows), so the
admin shows people, memberships, notes, consent and privacy requests without add, change or delete. Reference rows
that hold no personal data (skills, groups, consent wordings) and staff roles can be written here; each write is
audited. Nothing can be deleted from the admin: erasure is a privacy request, handled on /privacy/.
"""

from django.contrib import admin

from groundgame.core.admin import ReadOnlyAdmin
from groundgame.core.audit import audit_record

from .models import (
    ConsentEvent,
    ConsentWording,
    LocalGroup,
    Membership,
    Person,
    PersonNote,
    PrivacyRequest,
    Skill,
    StaffRole,
)


class AuditedAdmin(admin.ModelAdmin):
    """Saves validate the model and leave an audit row naming the fields changed; deletion is not offered."""

    audit_noun = ""

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.full_clean()
        super().save_model(request, obj, form, change)
        fields = [name for name in form.changed_data if name in {f.name for f in obj._meta.get_fields()}]
        audit_record(
            actor=request.user,
            action=f"{self.audit_noun}.{'update' if change else 'create'}",
            target=obj,
            fields=fields,
            reason="admin",
        )


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "person"
    fields = ["group", "role", "status", "requested_at", "decided_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "email", "postcode", "status", "joined_on", "erased_at"]
    list_filter = ["status", "erased_at"]
    search_fields = ["first_name", "last_name", "=email"]
    inlines = [MembershipInline]
    show_full_result_count = False

    def view_on_site(self, obj):
        return obj.get_absolute_url()


@admin.register(PersonNote)
class PersonNoteAdmin(ReadOnlyAdmin):
    list_display = ["person", "visibility", "created_at"]
    list_filter = ["visibility"]
    raw_id_fields = ["person", "author"]


@admin.register(LocalGroup)
class LocalGroupAdmin(AuditedAdmin):
    audit_noun = "group"
    list_display = ["name", "level", "parent", "join_policy"]
    list_filter = ["level", "join_policy"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    filter_horizontal = ["constituencies"]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["person", "group", "role", "status", "requested_at", "decided_at"]
    list_filter = ["role", "status", "group__level"]
    search_fields = ["group__name"]
    raw_id_fields = ["person", "group", "decided_by"]


@admin.register(StaffRole)
class StaffRoleAdmin(AuditedAdmin):
    """Granting a data steward or administrator role is recorded in the audit log."""

    audit_noun = "staff_role"
    list_display = ["person", "role", "granted_at"]
    list_filter = ["role"]
    raw_id_fields = ["person"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return admin.ModelAdmin.has_delete_permission(self, request, obj)

    def delete_model(self, request, obj):
        audit_record(actor=request.user, action="staff_role.revoke", target=obj, fields=["role"], reason="admin")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Skill)
class SkillAdmin(AuditedAdmin):
    audit_noun = "skill"
    search_fields = ["name"]


@admin.register(ConsentWording)
class ConsentWordingAdmin(AuditedAdmin):
    """Wordings are evidence of what people agreed to: a new version is added, an old one never rewritten."""

    audit_noun = "consent_wording"
    list_display = ["purpose", "version", "created_at"]
    list_filter = ["purpose"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)


@admin.register(ConsentEvent)
class ConsentEventAdmin(ReadOnlyAdmin):
    list_display = ["person", "purpose", "basis", "action", "method", "occurred_at"]
    list_filter = ["purpose", "basis", "action", "method"]
    raw_id_fields = ["person", "wording"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False


@admin.register(PrivacyRequest)
class PrivacyRequestAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "status", "person", "received_on", "due_on", "completed_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["person", "handled_by"]
