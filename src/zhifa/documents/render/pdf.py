"""HTML → PDF with WeasyPrint, fetching nothing from anywhere."""

from __future__ import annotations

import threading
from typing import Any

import weasyprint
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from zhifa.documents.render import fonts


class _Fetcher(URLFetcher):
    """Nothing is fetched while printing: pictures come as data: URIs from the converter and
    the faces from memory (``fonts``); any other URL (http, file...) is refused."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False)

    def fetch(self, url: str, headers: Any = None) -> Any:
        if url.startswith(f"{fonts.SCHEME}:"):
            data = fonts.by_url().get(url)
            if data is None:
                raise ValueError(f"unknown face {url}")
            return URLFetcherResponse(url, data, {"Content-Type": "font/otf"})
        return super().fetch(url, headers)


FETCHER = _Fetcher()
# one font configuration for the process: the faces are registered once, not for every PDF;
# WeasyPrint and Pango are not thread-safe with a shared one, hence the lock
_lock = threading.Lock()
_font_config: FontConfiguration | None = None


def html_to_pdf(page: str) -> bytes:
    global _font_config
    with _lock:
        if _font_config is None:
            _font_config = FontConfiguration()
        pdf: bytes = weasyprint.HTML(string=page, url_fetcher=FETCHER).write_pdf(
            font_config=_font_config)
    return pdf
