"""Events pages. Every URL here has a row in the permission matrix (tests/events/permission_rows*.py)."""

from django.urls import path

from . import lift_views, organiser_views, views

app_name = "events"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("sessions/", views.seat_sessions, name="sessions"),
    path("group/<slug:slug>.ics", views.group_ical, name="group_ical"),
    path("rsvp/<str:token>/", views.rsvp_manage, name="rsvp_manage"),
    path("rsvp/<str:token>/cancel/", views.rsvp_cancel, name="rsvp_cancel"),
    # Organisers (organiser_views.py): the dashboard, proposals, an event's management, check-in.
    path("organise/", organiser_views.dashboard, name="organise"),
    path("organise/new/", organiser_views.event_create, name="organise_create"),
    path("organise/propose/", organiser_views.event_propose, name="organise_propose"),
    path("organise/proposals/", organiser_views.proposals, name="organise_proposals"),
    path("organise/<uuid:uuid>/", organiser_views.event_manage, name="organise_event"),
    path("organise/<uuid:uuid>/edit/", organiser_views.event_edit, name="organise_edit"),
    path("organise/<uuid:uuid>/cancel/", organiser_views.event_cancel, name="organise_cancel"),
    path("organise/<uuid:uuid>/approve/", organiser_views.event_approve, name="organise_approve"),
    path("organise/<uuid:uuid>/decline/", organiser_views.event_decline, name="organise_decline"),
    path("organise/<uuid:uuid>/shifts/new/", organiser_views.shift_create, name="organise_shift_create"),
    path("organise/<uuid:uuid>/shifts/<int:shift_id>/", organiser_views.shift_edit, name="organise_shift_edit"),
    path(
        "organise/<uuid:uuid>/shifts/<int:shift_id>/remove/",
        organiser_views.shift_delete,
        name="organise_shift_delete",
    ),
    path("organise/<uuid:uuid>/rsvps.csv", organiser_views.rsvps_csv, name="organise_rsvps_csv"),
    path("organise/<uuid:uuid>/check-in/", organiser_views.check_in_list, name="organise_check_in_list"),
    path(
        "organise/<uuid:uuid>/rsvps/<int:rsvp_id>/check-in/",
        organiser_views.rsvp_check_in,
        name="organise_rsvp_check_in",
    ),
    path(
        "organise/<uuid:uuid>/rsvps/<int:rsvp_id>/attendance/",
        organiser_views.rsvp_attendance,
        name="organise_rsvp_attendance",
    ),
    path("organise/<uuid:uuid>/no-shows/", organiser_views.record_no_shows, name="organise_no_shows"),
    path("organise/<uuid:uuid>/follow-up/", organiser_views.follow_up, name="organise_follow_up"),
    path("check-in/<str:token>/", organiser_views.check_in, name="check_in"),
    path("<uuid:uuid>/", views.event_detail, name="event"),
    path("<uuid:uuid>/rsvp/", views.event_rsvp, name="rsvp"),
    path("<uuid:uuid>/booked/", views.event_booked, name="booked"),
    path("<uuid:uuid>/event.ics", views.event_ical, name="event_ical"),
    # Lifts (lift_views.py): a person's own offer or request; the other side's contacts once both confirm.
    path("<uuid:uuid>/lifts/", lift_views.lifts_page, name="lifts"),
    path("<uuid:uuid>/lifts/offer/", lift_views.lift_offer, name="lift_offer"),
    path("<uuid:uuid>/lifts/offer/withdraw/", lift_views.lift_offer_withdraw, name="lift_offer_withdraw"),
    path("<uuid:uuid>/lifts/riders/<int:pk>/accept/", lift_views.lift_accept, name="lift_accept"),
    path("<uuid:uuid>/lifts/riders/<int:pk>/decline/", lift_views.lift_decline, name="lift_decline"),
    path("<uuid:uuid>/lifts/riders/<int:pk>/invite/", lift_views.lift_invite, name="lift_invite"),
    path("<uuid:uuid>/lifts/ask/", lift_views.lift_ask, name="lift_ask"),
    path("<uuid:uuid>/lifts/drivers/<int:offer_pk>/ask/", lift_views.lift_request_seat, name="lift_request_seat"),
    path("<uuid:uuid>/lifts/confirm/", lift_views.lift_confirm, name="lift_confirm"),
    path("<uuid:uuid>/lifts/turn-down/", lift_views.lift_turn_down, name="lift_turn_down"),
    path("<uuid:uuid>/lifts/cancel/", lift_views.lift_cancel, name="lift_cancel"),
]
