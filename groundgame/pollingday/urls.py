"""The pollingday pages. Every URL here has a row in the permission matrix (tests/pollingday/permission_rows*.py)."""

from django.urls import path  # noqa: F401

app_name = "pollingday"
urlpatterns: list = []
