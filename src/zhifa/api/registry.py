"""Routers mounted on the API root, one per concept; the fallback for unknown paths last."""

from . import (
    benchmarks,
    bodies,
    cases,
    certificates,
    fallback,
    items,
    laws,
    people,
    procedures,
    regions,
    review_catalogues,
)
from .root import api

for module in (regions, bodies, people, certificates, items, benchmarks, review_catalogues, laws,
               cases, procedures,  # issue 3: cases and procedure definitions
               fallback):
    api.add_router("/", module.router)
