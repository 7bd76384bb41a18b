"""Legal-review catalogues (法制审核目录清单) of a body: amount thresholds and triggers."""

import datetime as dt
import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema

from zhifa.catalog.models import ReviewCatalogue
from zhifa.catalog.selectors import visible_review_catalogues
from zhifa.orgs.permissions import Perm, require_perm
from zhifa.orgs.selectors import body_get_for_user

from .common import DENIED_OR_MISSING, BodyRefOut, yuan

router = Router(tags=["review catalogues"])


class ReviewThresholdOut(Schema):
    party_type: str
    amount_fen: int
    amount_yuan: str
    comparator: str  # "gte" 含本数, "gt" 不含本数
    counts_confiscation: bool

    @staticmethod
    def resolve_amount_yuan(obj: Any) -> str:
        return yuan(obj.amount_fen) or ""


class ReviewTriggerOut(Schema):
    trigger: str
    note: str


class ReviewCatalogueOut(Schema):
    public_id: uuid.UUID
    code: str
    version: int
    title: str
    body: BodyRefOut
    effective_from: dt.date
    effective_to: dt.date | None
    review_days: int
    extension_days: int
    source_document: str
    thresholds: list[ReviewThresholdOut]
    triggers: list[ReviewTriggerOut]

    @staticmethod
    def resolve_thresholds(obj: ReviewCatalogue) -> list[Any]:
        return sorted(obj.thresholds.all(), key=lambda t: t.party_type)

    @staticmethod
    def resolve_triggers(obj: ReviewCatalogue) -> list[Any]:
        return sorted(obj.category_triggers.all(), key=lambda t: t.trigger)


def body_review_catalogues(*, user: Any, public_id: str) -> QuerySet[ReviewCatalogue]:
    body = body_get_for_user(user=user, public_id=public_id)
    return visible_review_catalogues(user).filter(body=body).select_related("body").order_by(
        "code", "-version"
    )


@router.get("/bodies/{public_id}/review-catalogues",
            response={200: list[ReviewCatalogueOut], **DENIED_OR_MISSING},
            operation_id="visible_review_catalogues",
            summary="A body's legal-review catalogues")
def review_catalogues_list(request: HttpRequest, public_id: str) -> Any:
    require_perm(request.user, Perm.VIEW_CATALOG)
    return body_review_catalogues(user=request.user, public_id=public_id)
