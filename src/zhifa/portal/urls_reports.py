"""The portal's annual reports (行政执法统计年报)."""

from django.urls import path

from .views import reports

urlpatterns = [
    path("reports/", reports.reports, name="reports"),
    path("reports/<uuid:public_id>/", reports.report, name="report"),
    path("reports/<uuid:public_id>/report.pdf", reports.report_pdf, name="report_pdf"),
    path("reports/<uuid:public_id>/report.xlsx", reports.report_xlsx, name="report_xlsx"),
]
