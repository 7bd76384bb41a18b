"""The report's downloads as HTTP answers' content: the bytes, their media type and a file
name. A published report never changes, so its files are kept in the cache under its digest;
a draft's are made on every request (it may have been computed again)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache

from ..models import AnnualReport, ReportState

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CACHE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class ReportFile:
    data: bytes
    media_type: str
    filename: str


def _make(report: AnnualReport, fmt: str) -> bytes:
    if fmt == "pdf":
        from .pdf import report_pdf

        return report_pdf(report)
    from .xlsx import report_xlsx

    return report_xlsx(report)


def report_file(report: AnnualReport, fmt: str) -> ReportFile:
    """The report as ``fmt`` (``pdf`` or ``xlsx``; anything else raises ``KeyError``)."""
    media_type = MEDIA_TYPES[fmt]
    published = report.state == ReportState.PUBLISHED and report.content_digest
    draft = "" if published else "-草稿"
    name = f"{report.body.name}{report.year}年度行政执法统计年报{draft}.{fmt}"
    if not published:
        return ReportFile(_make(report, fmt), media_type, name)
    key = f"zhifa:annual-report:{report.public_id}:{report.content_digest}:{fmt}"
    data = cache.get(key)
    if not isinstance(data, bytes):
        data = _make(report, fmt)
        cache.set(key, data, CACHE_SECONDS)
    return ReportFile(data, media_type, name)
