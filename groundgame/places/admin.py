from django.contrib import admin

from .models import BoundarySet, Constituency, ConstituencyResult, Election


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
