"""Schemas of the legal review API (``reviews``): what a client sends and what it gets back.

Codes (reason codes, material codes, point codes, outcomes, findings, states) are stable;
every ``*_label`` follows the user's language. Money in a proposal is in fen.
"""

import datetime as dt
import uuid
from typing import Any

from ninja import Field, Schema

from zhifa.reviews.models import Conclusion, Finding, Outcome, Position
from zhifa.reviews.points import POINT_CODES

from .case_schemas import CaseRefOut, PersonRefOut
from .common import BodyRefOut

TEXT = 20_000


def _choices(enum: Any) -> str:
    return ", ".join(f"`{c}`" for c in enum.values)


POINTS_DOC = ("One entry per review point (" + ", ".join(f"`{c}`" for c in POINT_CODES)
              + "), each exactly once")
OUTCOME_DOC = "One of " + _choices(Outcome)
FINDING_DOC = "One of " + _choices(Finding) + "; `problem` needs a comment"


# -- inputs ---------------------------------------------------------------------------------

class SubmitIn(Schema):
    handling_opinion: str = Field(max_length=TEXT, description="The handling department's "
                                  "opinion (承办机构意见), one of the package's materials")
    changes: str = Field("", max_length=TEXT, description="What changed since the last "
                         "opinion; required from the second round on")
    voluntary: bool = Field(False, description="Send the case to review although no rule "
                            "requires it")
    reviewer: uuid.UUID | None = Field(None, description="Public id of the legal reviewer to "
                                       "assign at once (a head assigning anyone eligible, or "
                                       "a reviewer himself)")
    submitted_on: dt.date | None = Field(None, description="The day the complete package was "
                                         "handed over; today when omitted")


class PackageDraftIn(Schema):
    handling_opinion: str = Field("", max_length=TEXT)
    changes: str = Field("", max_length=TEXT)
    voluntary: bool = False


class PackageIn(Schema):
    handling_opinion: str | None = Field(None, max_length=TEXT, description="Check the "
                                         "package with this opinion; else with the saved "
                                         "draft's")


class AssignIn(Schema):
    reviewer: uuid.UUID = Field(description="Public id of the legal reviewer (a person)")


class PointIn(Schema):
    code: str = Field(max_length=32, description="The review point's code")
    finding: str = Field("", max_length=16, description=FINDING_DOC)
    comment: str = Field("", max_length=TEXT)


class OpinionDraftIn(Schema):
    points: list[PointIn] = Field(default_factory=list, description=POINTS_DOC)
    outcome: str = Field("", max_length=32, description=OUTCOME_DOC)
    opinion: str = Field("", max_length=TEXT)
    changes_required: str = Field("", max_length=TEXT)


class OpinionIn(Schema):
    """Left-out or empty values are reported per field (400 ``review_opinion_invalid``)."""

    points: list[PointIn] = Field(default_factory=list, description=POINTS_DOC)
    outcome: str = Field("", max_length=32, description=OUTCOME_DOC)
    opinion: str = Field("", max_length=TEXT, description="The written opinion (审核意见)")
    changes_required: str = Field("", max_length=TEXT, description="Required with "
                                  "`agree_with_changes`")
    decided_on: dt.date | None = Field(None, description="The opinion's date; today when "
                                       "omitted")
    late_reason: str = Field("", max_length=TEXT, description="Required when the opinion "
                             "comes after the review's time limit")


class ExtensionIn(Schema):
    reason: str = Field(max_length=TEXT)
    days: int | None = Field(None, description="Working days; the catalogue's extension "
                             "(default 3) when omitted, and never more")


class ExtensionDecisionIn(Schema):
    approve: bool
    comment: str = Field("", max_length=TEXT, description="Required when refusing")


class ContestIn(Schema):
    grounds: str = Field(max_length=TEXT, description="Why the handler disagrees with the "
                         "opinion")


class DiscussionOpenIn(Schema):
    agenda: str = Field(max_length=TEXT, description="What the heads are to discuss")


class AttendeeIn(Schema):
    person: uuid.UUID = Field(description="Public id of a head of the body")
    position: str = Field(max_length=16, description="One of " + _choices(Position))
    view: str = Field(max_length=TEXT, description="The attendee's view as stated")


class DiscussionRecordIn(Schema):
    held_on: dt.date
    presided_by: uuid.UUID = Field(description="Public id of the attendee who presided")
    attendees: list[AttendeeIn] = Field(description="At least two heads of the body")
    conclusion: str = Field(max_length=16, description="One of " + _choices(Conclusion))
    conclusion_text: str = Field(max_length=TEXT, description="The decision as recorded")
    place: str = Field("", max_length=200)
    agenda: str = Field("", max_length=TEXT, description="Replaces the agenda when given")


class KpiIn(Schema):
    start: dt.date | None = Field(None, description="First day of the period; 1 January of "
                                  "this year when omitted")
    end: dt.date | None = Field(None, description="Last day of the period; today when omitted")
    body: uuid.UUID | None = Field(None, description="Only this body (a supervisor's filter)")


# -- outputs --------------------------------------------------------------------------------

class ReasonOut(Schema):
    code: str = Field(description="e.g. `public_interest`, `threshold:organisation`, "
                      "`revoke_licence`, `voluntary`")
    kind: str = Field(description="statutory, threshold, category or voluntary")
    params: dict[str, Any] = Field(description="The values the rule compared (money in fen)")
    label: str
    source: str = Field(description="The legal source or the catalogue with its version")


class CatalogueRefOut(Schema):
    public_id: uuid.UUID
    code: str
    version: int
    title: str


class DeterminationOut(Schema):
    required: bool
    reasons: list[ReasonOut]
    notes: list[str] = Field(description="What the evaluation could not decide by itself, "
                             "e.g. a benchmark tier that is not in force")
    catalogue: CatalogueRefOut | None = Field(description="The body's review catalogue in "
                                              "force today")
    basis: dict[str, Any] = Field(description="What was evaluated: the proposed (or decided) "
                                  "outcome, kinds, fine and confiscation in fen, party types, "
                                  "hearing, the report's statements")


class RequestOut(Schema):
    public_id: uuid.UUID
    state: str
    state_label: str
    voluntary: bool
    origin_stage: str = Field(description="The case stage it was submitted from")
    current_round: int
    passed_on: dt.date | None
    passed_proposal: dict[str, Any] = Field(description="The proposal the review (or the "
                                            "collective discussion) passed: the decision may "
                                            "not be heavier; money in fen")
    catalogue: CatalogueRefOut | None


class PointOut(Schema):
    code: str
    label: str
    finding: str
    finding_label: str
    comment: str


class MaterialRefOut(Schema):
    kind: str = Field(description="document, evidence or step")
    id: Any = Field(description="The document's or evidence item's public id, or the step's "
                    "number")
    title: str


class MaterialOut(Schema):
    code: str
    label: str
    required: bool
    present: bool
    refs: list[MaterialRefOut]


class RoundOut(Schema):
    public_id: uuid.UUID
    number: int
    state: str
    state_label: str
    proposal: dict[str, Any] = Field(description="The proposed decision submitted: outcome, "
                                     "kinds, fine and confiscation in fen, facts")
    materials: list[MaterialOut] = Field(description="The package as submitted")
    handling_opinion: str
    changes: str
    determination: list[ReasonOut] = Field(description="Why review was required when it was "
                                           "submitted")
    submitted_by: str | None
    submitted_at: dt.datetime | None
    submitted_on: dt.date | None
    due: dt.date | None = Field(description="The review's time limit (working days from "
                                "submission, plus an approved extension)")
    review_days: int
    extended_days: int
    case_due: dt.date | None = Field(description="The case's own decision deadline then")
    fits: bool = Field(description="The review's time limit falls inside the case's deadline")
    overdue: bool = Field(description="Waiting for its opinion past the time limit")
    reviewer: PersonRefOut | None
    assigned_by: str | None
    assigned_at: dt.datetime | None
    points: list[PointOut] = Field(description="The opinion's findings; a draft opinion is "
                                   "shown to its reviewer only")
    outcome: str
    outcome_label: str
    opinion: str
    changes_required: str
    opinion_saved_at: dt.datetime | None
    decided_by: str | None
    decided_at: dt.datetime | None
    decided_on: dt.date | None
    late: bool
    late_reason: str
    opinion_document: uuid.UUID | None = Field(description="The 法制审核意见书 draft or issued "
                                               "document (documents API)")


class ExtensionOut(Schema):
    public_id: uuid.UUID
    round: int
    days: int
    reason: str
    state: str
    state_label: str
    requested_by: str
    requested_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    comment: str


class AttendeeOut(Schema):
    person: PersonRefOut
    position: str
    position_label: str
    view: str


class DiscussionOut(Schema):
    public_id: uuid.UUID
    case: CaseRefOut
    reason: str
    reason_label: str
    state: str
    state_label: str
    round: int | None = Field(description="The review round whose opinion was contested")
    grounds: str
    raised_by: str | None
    raised_at: dt.datetime | None
    agenda: str
    held_on: dt.date | None
    place: str
    presided_by: PersonRefOut | None
    attendees: list[AttendeeOut]
    conclusion: str
    conclusion_label: str
    conclusion_text: str
    recorded_by: str | None
    recorded_at: dt.datetime | None
    record_document: uuid.UUID | None = Field(description="The 重大案件集体讨论记录 document")


class ReviewOut(Schema):
    case: CaseRefOut
    determination: DeterminationOut
    request: RequestOut | None = Field(description="Null until the case is first submitted "
                                       "(or its package saved)")
    rounds: list[RoundOut] = Field(description="Every round, oldest first")
    extensions: list[ExtensionOut]
    discussions: list[DiscussionOut] = Field(description="Newest first")


class PackageOut(Schema):
    materials: list[MaterialOut] = Field(description="The catalogue's materials (or the "
                                         "default list) in order, with what the case holds")
    missing: list[str] = Field(description="Codes of the required materials not present")
    missing_labels: list[str]
    complete: bool


class WarningOut(Schema):
    code: str = Field(description="e.g. `review_exceeds_case_deadline`")
    message: str
    detail: dict[str, Any] = Field(description="The dates concerned (`due`, `case_due`)")


class SubmitOut(Schema):
    request: RequestOut
    round: RoundOut
    warnings: list[WarningOut]


class ProblemOut(Schema):
    code: str
    message: str


class ReviewerOut(Schema):
    person: PersonRefOut
    department: str | None
    qualified: bool = Field(description="Holds the legal professional qualification")


class IneligibleOut(Schema):
    person: PersonRefOut
    problems: list[ProblemOut]


class CaseReviewersOut(Schema):
    eligible: list[ReviewerOut] = Field(description="Who may review this case")
    ineligible: list[IneligibleOut] = Field(description="The body's other legal reviewers, "
                                            "each with why not (e.g. `reviewer_is_handler`, "
                                            "`reviewer_unqualified`)")


class RatioOut(Schema):
    reviewers: int = Field(description="Active people with the legal reviewer role")
    officers: int = Field(description="Active people with the enforcement officer role")
    ratio: float | None = Field(description="reviewers ÷ officers; null without officers")
    target: float
    meets: bool


class BodyReviewersOut(Schema):
    body: BodyRefOut
    reviewers: list[ReviewerOut]
    ratio: RatioOut


class QueueItemOut(Schema):
    case: CaseRefOut
    title: str
    round: int
    state: str
    submitted_on: dt.date | None
    due: dt.date | None
    overdue: bool
    reviewer: PersonRefOut | None


class QueueOut(Schema):
    mine_overdue: list[QueueItemOut] = Field(description="Assigned to me, past the time limit")
    mine_due_soon: list[QueueItemOut]
    mine_other: list[QueueItemOut]
    unassigned: list[QueueItemOut] = Field(description="Submitted, no reviewer yet")


class BodyKpiOut(Schema):
    body: BodyRefOut
    major_decided: int = Field(description="Cases decided in the period whose decision "
                               "required review")
    reviewed_passed: int = Field(description="Of those, the ones whose review passed")
    coverage: float | None = Field(description="reviewed_passed ÷ major_decided (target 1.0)")
    rounds_decided: int = Field(description="Opinions given in the period")
    on_time: int
    on_time_rate: float | None
    cases_reviewed: int
    rounds_per_case: float | None
    open: int = Field(description="Reviews waiting for an opinion now")
    overdue: int
    ratio: RatioOut
