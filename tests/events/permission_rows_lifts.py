"""The events app's lifts rows of the permission matrix: see tests/events/permission_rows.py."""

ROWS: dict = {}


def build(world) -> None:
    """Nothing yet."""
