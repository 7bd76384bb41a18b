"""API: (issue 4) — filled by its owner."""

from ninja import Router

router = Router(tags=["evidence"])
