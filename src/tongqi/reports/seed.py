"""Demo: compute the indicator rows of every seeded application, so the dashboard shows them."""

from .services import rebuild_indicators


def seed(ctx) -> None:
    rebuild_indicators()
