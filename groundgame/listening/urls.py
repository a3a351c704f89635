"""The listening pages. Every URL here has a row in the permission matrix (tests/listening/permission_rows*.py)."""

from django.urls import path

from . import views

app_name = "listening"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.conversation_create, name="conversation_create"),
    path("<int:pk>/", views.conversation, name="conversation"),
    path("<int:pk>/vote/<int:statement_pk>/", views.vote, name="vote"),
    path("<int:pk>/statements/", views.statement_submit, name="statement_submit"),
    path("<int:pk>/map/", views.opinion_map, name="map"),
    path("<int:pk>/moderate/", views.moderate, name="moderate"),
    path("<int:pk>/moderate/<int:statement_pk>/", views.statement_moderate, name="statement_moderate"),
    path("<int:pk>/report.csv", views.report, name="report"),
    path("<int:pk>/insight/", views.insight, name="insight"),
]
