"""Server-side SVG for the hex cartogram, results history charts and boundary outlines."""


def hex_cartogram(index) -> dict:
    raise NotImplementedError


def results_history(seat, results) -> dict:
    return {}


def boundary_outline(seat) -> dict | None:
    return None
