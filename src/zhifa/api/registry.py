"""Routers mounted on the API root, one per concept; the fallback for unknown paths last."""

from . import (
    benchmarks,
    bodies,
    certificates,
    fallback,
    items,
    laws,
    people,
    regions,
    review_catalogues,
)
from .root import api

for module in (regions, bodies, people, certificates, items, benchmarks, review_catalogues, laws,
               fallback):
    api.add_router("/", module.router)
