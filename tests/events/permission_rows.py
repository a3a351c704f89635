"""The events app's public and volunteer rows of the permission matrix (tests/people/test_permission_matrix.py,
which explains roles, objects and outcomes). `build(world)` adds events of groups A and B to `world.extra`; ROWS
maps each events URL name to a Row. The matrix module imports this one after defining Row, expect and the outcome
constants, so `from tests.people.test_permission_matrix import Row, expect, OK, ...` works at the top of this file.
The organiser pages' rows are in permission_rows_organiser.py, the lifts' in permission_rows_lifts.py."""

ROWS: dict = {}


def build(world) -> None:
    """Nothing yet: the events pages will add, e.g., world.extra["event", "A"] = an approved event of group A."""
