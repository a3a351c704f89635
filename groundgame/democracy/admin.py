"""Admin for bodies, motions and ballots. The voter roll and the ballot box are deliberately not in the admin:
the box is read only through the published, canonically ordered selector (democracy.selectors)."""

from django.contrib import admin

from .models import Amendment, Ballot, BallotOption, BallotResult, Body, Comment, Motion


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ["name", "group", "membership_days", "votes_changeable", "contents_by_receipt"]


@admin.register(Motion)
class MotionAdmin(admin.ModelAdmin):
    list_display = ["title", "body", "status", "created_at"]
    list_filter = ["status"]
    readonly_fields = ["proposer", "status", "support_opened_at", "status_changed_at"]


class BallotOptionInline(admin.TabularInline):
    model = BallotOption
    extra = 0

    # Options are fixed once the ballot opens (`obj` is the ballot).
    def has_change_permission(self, request, obj=None) -> bool:
        return (obj is None or obj.status == Ballot.Status.DRAFT) and super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return (obj is None or obj.status == Ballot.Status.DRAFT) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return (obj is None or obj.status == Ballot.Status.DRAFT) and super().has_delete_permission(request, obj)


@admin.register(Ballot)
class BallotAdmin(admin.ModelAdmin):
    list_display = ["question", "body", "method", "status", "opens_at", "closes_at"]
    list_filter = ["status", "method"]
    readonly_fields = ["status", "electorate_frozen_at", "closed_at"]
    inlines = [BallotOptionInline]

    def get_readonly_fields(self, request, obj=None):
        """An open or closed ballot cannot be edited here: its roll and box depend on it (use the services)."""
        if obj is not None and obj.status != Ballot.Status.DRAFT:
            return [f.name for f in Ballot._meta.concrete_fields]
        return self.readonly_fields


@admin.register(Amendment)
class AmendmentAdmin(admin.ModelAdmin):
    list_display = ["motion", "number", "line_from", "line_to", "status"]
    list_filter = ["status"]
    readonly_fields = ["motion", "number", "original", "proposer", "status", "ballot", "decided_at"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["motion", "status", "created_at"]
    list_filter = ["status"]
    readonly_fields = ["motion", "author", "created_at", "moderated_at"]


@admin.register(BallotResult)
class BallotResultAdmin(admin.ModelAdmin):
    """Read only: the result is stored once, at close, from the sealed box."""

    list_display = ["ballot", "electorate", "voted", "quorum_met", "counted_at"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
