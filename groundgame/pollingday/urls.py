"""Polling-day pages. Every URL here has a row in the permission matrix (tests/pollingday/permission_rows.py).

The telling app (app_views.py) first, because "tell/" would otherwise be read as a campaign's slug."""

from django.urls import path

from . import app_views, views

app_name = "pollingday"
urlpatterns = [
    path("tell/", app_views.app_shell, name="app"),
    path("tell/sw.js", app_views.app_service_worker, name="app_service_worker"),
    path("<slug:slug>/", views.plan, name="plan"),
    path("<slug:slug>/places/", views.place_create, name="place_create"),
    path("<slug:slug>/districts/<int:pk>/", views.arrangement_set, name="arrangement_set"),
    path("<slug:slug>/promises/", views.promises_refresh, name="promises_refresh"),
    path("<slug:slug>/mode/", views.mode_set, name="mode_set"),
    path("<slug:slug>/passes/<uuid:uuid>/revoke/", views.pass_revoke, name="pass_revoke"),
    path("<slug:slug>/dashboard/", views.dashboard, name="dashboard"),
    path("<slug:slug>/tell/", views.tell, name="tell"),
    path("<slug:slug>/rooms/<int:pk>/", views.room, name="room"),
    path("<slug:slug>/rooms/<int:pk>/round/", views.round_create, name="round_create"),
    path("<slug:slug>/knock-up/<uuid:uuid>/", views.knock_up, name="knock_up"),
    path("<slug:slug>/knock-up/<uuid:uuid>/mark/", views.knock_up_mark, name="knock_up_mark"),
    path("<slug:slug>/lifts/<int:pk>/", views.lift_update, name="lift_update"),
]
