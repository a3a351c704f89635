"""The pollingday app's rows of the permission matrix (tests/people/test_permission_matrix.py explains roles, objects
and outcomes)."""

ROWS: dict = {}


def build(world) -> None:
    pass
