"""Routers mounted on the API root, one per concept; the fallback for unknown paths last."""

from . import (
    archive,
    benchmarks,
    bodies,
    cases,
    certificates,
    disclosure,
    documents,
    documents_admin,
    evidence,
    evidence_av,
    evidence_coverage,
    evidence_custody,
    fallback,
    items,
    laws,
    people,
    procedures,
    public,
    regions,
    review_catalogues,
    reviews,
)
from .root import api

for module in (regions, bodies, people, certificates, items, benchmarks, review_catalogues, laws,
               cases, procedures,  # issue 3: cases and procedure definitions
               evidence, evidence_av, evidence_custody, evidence_coverage, archive,  # issue 4
               documents, documents_admin,  # issue 5
               reviews,  # issue 6
               disclosure, public,  # issue 7
               fallback):
    api.add_router("/", module.router)
