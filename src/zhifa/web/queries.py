"""Presentation helpers for certificate status on the staff pages. The status on a day
comes from ``Certificate.status_on`` and, inside the database, from
``zhifa.orgs.selectors.with_status_on`` (re-exported here for the views)."""

import datetime as dt

from django.utils.translation import pgettext_lazy

from zhifa.orgs.models import NOT_YET_ISSUED, Certificate, CertificateStatus
from zhifa.orgs.selectors import valid_on, with_status_on

__all__ = ["NOT_YET_ISSUED", "STATUS_TEXT", "status_today", "valid_on", "with_status_on"]

# The status words as shown on badges; their own context keeps them apart from the model's
# choice labels (translated in orgs), so a badge reads the same wherever it appears.
STATUS_TEXT = {
    CertificateStatus.VALID: pgettext_lazy("certificate status", "Valid"),
    CertificateStatus.SUSPENDED: pgettext_lazy("certificate status", "Suspended"),
    CertificateStatus.REVOKED: pgettext_lazy("certificate status", "Revoked"),
    CertificateStatus.EXPIRED: pgettext_lazy("certificate status", "Expired"),
    NOT_YET_ISSUED: pgettext_lazy("certificate status", "Not yet in force"),
}


def status_today(certificate: Certificate, day: dt.date) -> str:
    return certificate.status_on(day)
