"""People pages. Every URL here has a row in tests/people/test_permission_matrix.py (a new one without fails)."""

from django.urls import path

from . import import_views, views

app_name = "people"
urlpatterns = [
    path("groups/", views.group_list, name="groups"),
    path("groups/<slug:slug>/", views.group_detail, name="group"),
    path("groups/<slug:slug>/join/", views.group_join, name="group_join"),
    path("groups/<slug:slug>/members/", views.group_members, name="group_members"),
    path("groups/<slug:slug>/members.csv", views.group_members_csv, name="group_members_csv"),
    path("groups/<slug:slug>/requests/<int:membership_id>/decide/", views.membership_decide, name="membership_decide"),
    path("groups/<slug:slug>/members/<int:membership_id>/role/", views.membership_role, name="membership_role"),
    path("people/", views.directory, name="directory"),
    path("people/export.csv", views.directory_csv, name="directory_csv"),
    path("people/import/", import_views.import_upload, name="import"),
    path("people/import/<slug:token>/", import_views.import_mapping, name="import_mapping"),
    path("people/import/<slug:token>/check/", import_views.import_check, name="import_check"),
    path("people/import/<slug:token>/commit/", import_views.import_commit, name="import_commit"),
    path("people/import/<slug:token>/discard/", import_views.import_discard, name="import_discard"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/notes/", views.person_note_add, name="person_note_add"),
    path("privacy/", views.privacy_dashboard, name="privacy"),
    path("privacy/requests/new/", views.privacy_request_open, name="privacy_request_open"),
    path("privacy/requests/<int:pk>/", views.privacy_request_detail, name="privacy_request"),
    path("privacy/requests/<int:pk>/export.zip", views.privacy_request_export, name="privacy_request_export"),
    path("privacy/requests/<int:pk>/erase/", views.privacy_request_erase, name="privacy_request_erase"),
    path("privacy/requests/<int:pk>/close/", views.privacy_request_close, name="privacy_request_close"),
    path("privacy/audit/", views.audit_log, name="audit_log"),
]
