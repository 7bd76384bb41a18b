"""URLs of the annual report pages (issue 7)."""

from zhifa.web.views import disclosure_reports

urlpatterns = [
    *disclosure_reports.urlpatterns,  # /disclosure/reports/ …
]
