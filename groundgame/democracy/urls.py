"""The democracy pages. Every URL here has a row in the permission matrix (tests/democracy/permission_rows*.py)."""

from django.urls import path

from . import views

app_name = "democracy"
urlpatterns = [
    path("", views.index, name="index"),
    path("bodies/<int:pk>/", views.body, name="body"),
    path("bodies/<int:pk>/motions/new/", views.motion_create, name="motion_create"),
    path("bodies/<int:pk>/ballots/new/", views.ballot_create, name="ballot_create"),
    path("motions/<int:pk>/", views.motion, name="motion"),
    path("motions/<int:pk>/submit/", views.motion_submit, name="motion_submit"),
    path("motions/<int:pk>/support/", views.motion_support, name="motion_support"),
    path("motions/<int:pk>/amend/", views.amendment_create, name="amendment_create"),
    path("motions/<int:pk>/comments/", views.comment_create, name="comment_create"),
    path("amendments/<int:pk>/accept/", views.amendment_accept, name="amendment_accept"),
    path("amendments/<int:pk>/to-vote/", views.amendment_to_vote, name="amendment_to_vote"),
    path("comments/<int:pk>/moderate/", views.comment_moderate, name="comment_moderate"),
    path("ballots/<int:pk>/", views.ballot, name="ballot"),
    path("ballots/<int:pk>/open/", views.ballot_open, name="ballot_open"),
    path("ballots/<int:pk>/close/", views.ballot_close, name="ballot_close"),
    path("ballots/<int:pk>/vote/", views.vote, name="vote"),
    # Public once the ballot has closed: anyone may check and recount.
    path("ballots/<int:pk>/result/", views.result, name="result"),
    path("ballots/<int:pk>/ballots.blt", views.ballot_file, name="ballot_file"),
    path("ballots/<int:pk>/transcript.json", views.transcript, name="transcript"),
    path("ballots/<int:pk>/box.json", views.box, name="box"),
    path("ballots/<int:pk>/check/", views.receipt_lookup, name="receipt_lookup"),
]
