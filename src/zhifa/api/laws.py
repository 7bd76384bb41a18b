"""Legal provisions by date and the hearing thresholds (较大数额) that apply."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from zhifa.catalog.models import Article, PartyType
from zhifa.catalog.selectors import article_in_force, hearing_threshold_for
from zhifa.core.errors import NotFound
from zhifa.orgs.permissions import Perm, require_perm
from zhifa.orgs.selectors import region_get_by_code, sector_get_by_code

from .common import DENIED_OR_MISSING, RegionRefOut, SectorRefOut, yuan
from .common import today as local_today

router = Router(tags=["laws"])


class ArticleRefOut(Schema):
    """An article cited as a basis, with the text of the version it belongs to."""

    law_code: str
    law_title: str
    version_label: str
    number: int
    label: str
    text: str

    @staticmethod
    def resolve_law_code(obj: Article) -> str:
        return obj.version.law.code

    @staticmethod
    def resolve_law_title(obj: Article) -> str:
        return obj.version.law.title

    @staticmethod
    def resolve_version_label(obj: Article) -> str:
        return obj.version.label


class ArticleDateIn(Schema):
    date: dt.date | None = None  # default: today


class LawOut(Schema):
    code: str
    title: str
    level: str
    repeal_date: dt.date | None


class LawVersionOut(Schema):
    label: str
    issuer: str
    document_number: str
    promulgated_date: dt.date | None
    effective_from: dt.date
    effective_to: dt.date | None


class ArticleInForceOut(Schema):
    date: dt.date
    law: LawOut
    version: LawVersionOut
    number: int
    label: str
    text: str


@router.get("/laws/{code}/articles/{number}",
            response={200: ArticleInForceOut, **DENIED_OR_MISSING},
            operation_id="article_in_force",
            summary="The text of an article in force on a date")
def article_on_date(request: HttpRequest, code: str, number: int,
                    params: Query[ArticleDateIn]) -> Any:
    require_perm(request.user, Perm.VIEW_CATALOG)
    day = params.date or local_today()
    article = article_in_force(law_code=code, number=number, day=day)
    return {"date": day, "law": article.version.law, "version": article.version,
            "number": article.number, "label": article.label, "text": article.text}


class HearingThresholdIn(Schema):
    region: str  # region code where the case is handled
    party_type: PartyType
    sector: str | None = None  # sector code; empty: the general threshold
    date: dt.date | None = None  # default: today


class HearingThresholdOut(Schema):
    code: str
    version: int
    region: RegionRefOut
    sector: SectorRefOut | None
    party_type: str
    amount_fen: int
    amount_yuan: str
    comparator: str
    source_document: str
    effective_from: dt.date
    effective_to: dt.date | None

    @staticmethod
    def resolve_amount_yuan(obj: Any) -> str:
        return yuan(obj.amount_fen) or ""


@router.get("/hearing-thresholds/applicable",
            response={200: HearingThresholdOut, **DENIED_OR_MISSING},
            operation_id="hearing_threshold_for",
            summary="The hearing threshold (较大数额) that applies")
def hearing_threshold_applicable(request: HttpRequest, params: Query[HearingThresholdIn]) -> Any:
    require_perm(request.user, Perm.VIEW_CATALOG)
    region = region_get_by_code(code=params.region)
    sector = sector_get_by_code(code=params.sector) if params.sector else None
    threshold = hearing_threshold_for(
        region_path=region.path, sector_id=sector.pk if sector else None,
        party_type=params.party_type.value, day=params.date or local_today(),
    )
    if threshold is None:
        raise NotFound(
            # APL art. 63 leaves 较大数额 to provincial or sector rules; none is configured.
            _("No hearing threshold applies to that region, sector and party type."),
            code="hearing_threshold_not_found",
        )
    return threshold
