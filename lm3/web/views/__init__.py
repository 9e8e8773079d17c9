"""The web app's pages, one module a page, each view a small function behind its guard
(``lm3.web.guards``); ``routes`` lists them all."""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from lm3.web.views import area, check, progress, registers, result, start, upload

__all__ = ["routes"]


def routes() -> list[BaseRoute]:
    """Every page's address and view."""
    return [
        Route("/", start.start),
        Route("/sample", start.sample, methods=["POST"]),
        Route("/delete", start.delete, methods=["POST"]),
        Route("/upload", upload.show),
        Route("/upload", upload.receive, methods=["POST"]),
        Route("/check", check.show),
        Route("/check", check.choose_columns, methods=["POST"]),
        Route("/check/rejected-rows.csv", check.rejected_rows),
        Route("/check/suppliers-to-place.xlsx", check.suppliers_to_place),
        Route("/registers", registers.show),
        Route("/registers/add", registers.add, methods=["POST"]),
        Route("/registers/download", registers.download, methods=["POST"]),
        Route("/area", area.show),
        Route("/area", area.choose, methods=["POST"]),
        Route("/progress", progress.show),
        Route("/progress/events", progress.events),
        Route("/result", result.show),
        Route("/result/charts/{name}.png", result.chart),
        Route("/result/what-if", result.what_if, methods=["POST"]),
        Route("/result/place-more", result.place_more, methods=["POST"]),
        Route("/download/{name}", result.download),
        Mount("/static", StaticFiles(packages=[("lm3.web", "static")]), name="static"),
    ]
