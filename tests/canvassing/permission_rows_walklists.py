"""The canvassing app's walklists rows of the permission matrix (tests/people/test_permission_matrix.py explains roles,
objects and outcomes): build(world) adds canvassing objects of groups A and B to world.extra; ROWS maps URL names to
Rows. `from tests.people.test_permission_matrix import Row, expect, OK, ...` works at the top of this file."""

ROWS: dict = {}


def build(world) -> None:
    """Nothing yet."""
