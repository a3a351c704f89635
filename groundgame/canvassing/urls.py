"""Canvassing pages. Every URL here has a row in the permission matrix (tests/canvassing/permission_rows*.py).

Campaign pages are under the campaign's slug: <slug>/... Walk lists (walklist_views.py) and the phone app
(app_views.py) add their paths below their own comment lines."""

from django.urls import path

from . import app_views, import_views, results_views, views, walklist_views

app_name = "canvassing"
urlpatterns = [
    # The phone app (app_views.py): first, because "app/" would otherwise be read as a campaign's slug.
    path("app/", app_views.app_shell, name="app"),
    path("app/manifest.webmanifest", app_views.app_manifest, name="app_manifest"),
    path("app/sw.js", app_views.app_service_worker, name="app_service_worker"),
    path("claim/<uuid:uuid>/", app_views.app_claim, name="app_claim"),
    # Campaigns, register copies and access (views.py)
    path("", views.campaign_list, name="campaigns"),
    path("new/", views.campaign_create, name="campaign_create"),
    path("<slug:slug>/", views.campaign_detail, name="campaign"),
    path("<slug:slug>/edit/", views.campaign_edit, name="campaign_edit"),
    path("<slug:slug>/register/", views.register_copies, name="register_copies"),
    path("<slug:slug>/register/<int:copy_id>/", views.register_copy_edit, name="register_copy_edit"),
    path("<slug:slug>/register/<int:copy_id>/delete/", views.register_copy_delete, name="register_copy_delete"),
    path("<slug:slug>/access/", views.register_access, name="register_access"),
    path("<slug:slug>/access/<int:access_id>/revoke/", views.register_access_revoke, name="register_access_revoke"),
    path("<slug:slug>/electors/", views.electors, name="electors"),
    # Register import (import_views.py): upload, map columns, check (dry run), import
    path("<slug:slug>/register/import/", import_views.upload, name="register_upload"),
    path("<slug:slug>/register/import/<str:token>/columns/", import_views.mapping, name="register_mapping"),
    path("<slug:slug>/register/import/<str:token>/check/", import_views.check, name="register_check"),
    path("<slug:slug>/register/import/<str:token>/import/", import_views.commit, name="register_commit"),
    path("<slug:slug>/register/import/<str:token>/discard/", import_views.discard, name="register_discard"),
    # Walk lists (walklist_views.py)
    path("<slug:slug>/walk-lists/", walklist_views.overview, name="walklists"),
    path("<slug:slug>/walk-lists/districts/<str:code>/", walklist_views.district, name="walklists_district"),
    path("<slug:slug>/walk-lists/districts/<str:code>/cut/", walklist_views.cut, name="walklists_cut"),
    path("<slug:slug>/walk-lists/<uuid:uuid>/", walklist_views.walk_list, name="walklist"),
    path("<slug:slug>/walk-lists/<uuid:uuid>/merge/", walklist_views.merge, name="walklist_merge"),
    path("<slug:slug>/walk-lists/<uuid:uuid>/split/", walklist_views.split, name="walklist_split"),
    path("<slug:slug>/walk-lists/<uuid:uuid>/assign/", walklist_views.assign, name="walklist_assign"),
    path("<slug:slug>/walk-lists/<uuid:uuid>/ready/", walklist_views.mark_ready, name="walklist_ready"),
    path("<slug:slug>/walk-lists/<uuid:uuid>/release/", walklist_views.release, name="walklist_release"),
    path("<slug:slug>/walk-lists/<uuid:uuid>/sheet.pdf", walklist_views.sheet_pdf, name="walklist_pdf"),
    # The phone app (app_views.py): at the top
    # Results for organisers (results_views.py)
    path("<slug:slug>/results/", results_views.results_page, name="results"),
]
