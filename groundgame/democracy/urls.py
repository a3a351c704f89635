"""The democracy pages. Every URL here has a row in the permission matrix (tests/democracy/permission_rows*.py)."""

from django.urls import path  # noqa: F401

app_name = "democracy"
urlpatterns: list = []
