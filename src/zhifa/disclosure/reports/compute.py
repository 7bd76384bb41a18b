"""The figures of a body's year, computed from the records (a fixed number of queries).

What is counted, for the calendar year ``year`` (1 January to 31 December, local dates):

- ``cases.received``: cases received in the year (``Case.received_on``);
  ``cases.decided``: cases decided in the year (``Case.decided_on``: the deciding step's
  date); ``cases.open_at_year_end``: cases received by 31 December and not ended by then —
  closed after it or not at all (a case ended without the closing step, e.g. not registered
  or not accepted, ended on the date of its last step);
- ``by_category``: the decided cases by their procedure (general and summary penalties,
  licensing, coercive measures, inspections; any other procedure, including an agency's own,
  is "other"); ``by_result``: the decided cases by ``Case.outcome``;
- ``penalty_kinds``: of the cases decided with a penalty, how many imposed each kind (a case
  with a warning and a fine counts once under each);
- ``amounts``: the fines and confiscated values of those penalties, in fen, as decided
  (collection is not the report's concern);
- ``licensing``: licences granted and denied in the year, and applications not accepted
  (the ``refuse_acceptance`` step's date);
- ``procedure``: legal review — cases with a round submitted in the year, rounds submitted
  in the year, reviews passed in the year (``ReviewRequest.passed_on``, including those
  settled by collective discussion); hearings held in the year (the ``hold_hearing`` steps);
  collective discussions held in the year;
- ``publications``: decisions of the body published in the year, of which within their
  deadline (``published_on <= due_on``) and late, and publications withdrawn in the year.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import Count, F, Max, Q

from zhifa.cases.models import Case, CaseStatus, CaseStep, Outcome
from zhifa.catalog.models import PenaltyKind
from zhifa.orgs.models import EnforcementBody
from zhifa.reviews.models import (
    CollectiveDiscussion,
    DiscussionState,
    RequestState,
    ReviewRequest,
    ReviewRound,
)

from ..models import Publication
from .layout import CATEGORY_OF_PROCEDURE, OTHER_CATEGORY, empty_figures

PASSED_STATES = (RequestState.PASSED, RequestState.DISCUSSED)
KNOWN_OUTCOMES = {str(v) for v in Outcome.values}
KNOWN_KINDS = {str(v) for v in PenaltyKind.values}


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def compute_figures(*, body: EnforcementBody, year: int) -> dict[str, Any]:
    """The computed figures of ``body`` for ``year`` (see the module's description)."""
    start, end = year_bounds(year)
    span = (start, end)
    out = empty_figures(year)
    cases = Case.objects.filter(body=body)

    decided = list(cases.filter(decided_on__range=span).values_list(
        "procedure", "outcome", "final_kinds", "final_fine", "final_confiscation"))
    by_category, by_result = out["by_category"], out["by_result"]
    kinds: Counter[str] = Counter()
    fines = confiscations = 0
    for procedure, outcome, final_kinds, fine, confiscation in decided:
        by_category[CATEGORY_OF_PROCEDURE.get(procedure, OTHER_CATEGORY)] += 1
        result = outcome if outcome in KNOWN_OUTCOMES else str(Outcome.DECIDED)
        by_result[result] += 1
        if outcome == Outcome.PENALTY:
            for kind in set(final_kinds or []):
                kinds[kind if kind in KNOWN_KINDS else str(PenaltyKind.OTHER)] += 1
            fines += fine or 0
            confiscations += confiscation or 0
    out["penalty_kinds"].update(kinds)
    out["amounts"].update(fines=fines, confiscations=confiscations)

    ended_without_closing = (Q(closed_on__isnull=True)
                             & Q(status__in=(CaseStatus.CLOSED, CaseStatus.ARCHIVED))
                             & Q(last_step__lte=end))
    out["cases"].update(
        received=cases.filter(received_on__range=span).count(),
        decided=len(decided),
        open_at_year_end=cases.filter(received_on__lte=end)
        .exclude(closed_on__lte=end)
        .annotate(last_step=Max("steps__acted_on"))
        .exclude(ended_without_closing).count(),
    )

    out["licensing"].update(
        granted=by_result[Outcome.GRANTED], denied=by_result[Outcome.DENIED],
        not_accepted=CaseStep.objects.filter(case__body=body, action="refuse_acceptance",
                                             acted_on__range=span).count(),
    )

    out["procedure"].update(
        review_requests=ReviewRequest.objects.filter(
            body=body, rounds__submitted_on__range=span).distinct().count(),
        review_rounds=ReviewRound.objects.filter(request__body=body,
                                                 submitted_on__range=span).count(),
        review_passed=ReviewRequest.objects.filter(body=body, state__in=PASSED_STATES,
                                                   passed_on__range=span).count(),
        hearings=CaseStep.objects.filter(case__body=body, action="hold_hearing",
                                         acted_on__range=span).count(),
        discussions=CollectiveDiscussion.objects.filter(
            case__body=body, state=DiscussionState.HELD, held_on__range=span).count(),
    )

    published = Publication.objects.filter(body=body, published_on__range=span).aggregate(
        published=Count("id"),
        on_time=Count("id", filter=Q(published_on__lte=F("due_on"))),
        late=Count("id", filter=Q(published_on__gt=F("due_on"))),
    )
    out["publications"].update(
        published=published["published"], on_time=published["on_time"],
        late=published["late"],
        withdrawn=Publication.objects.filter(body=body, withdrawn_on__range=span).count(),
    )
    return out


def total_of(figures: dict[str, Any], section: str) -> int:
    """The sum of a section's counts (e.g. every decision by category)."""
    return sum(int(v) for v in (figures.get(section) or {}).values())


__all__ = ["compute_figures", "total_of", "year_bounds"]
