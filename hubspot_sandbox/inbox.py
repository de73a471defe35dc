"""The inbox page where a person plays the rep (placeholder until the page lands)."""

from __future__ import annotations

from starlette.routing import Route

routes: list[Route] = []
