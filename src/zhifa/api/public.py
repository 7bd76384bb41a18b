"""Open data: the public records as JSON under /api/v1/public/ (no login). OPENDATA HELPER."""

from ninja import Router

router = Router(tags=["open data"], auth=None)
