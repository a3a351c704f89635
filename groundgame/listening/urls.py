"""The listening pages. Every URL here has a row in the permission matrix (tests/listening/permission_rows*.py)."""

from django.urls import path  # noqa: F401

app_name = "listening"
urlpatterns: list = []
