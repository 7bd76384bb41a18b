"""How certificate statuses read on the staff pages. The status on a day itself comes from
``Certificate.status_on`` and, inside the database, ``zhifa.orgs.selectors.with_status_on``."""

from django.utils.translation import pgettext_lazy

from zhifa.orgs.models import NOT_YET_ISSUED, CertificateStatus

# The status words as shown on badges; their own context keeps them apart from the model's
# choice labels (translated in orgs), so a badge reads the same wherever it appears.
STATUS_TEXT = {
    CertificateStatus.VALID: pgettext_lazy("certificate status", "Valid"),
    CertificateStatus.SUSPENDED: pgettext_lazy("certificate status", "Suspended"),
    CertificateStatus.REVOKED: pgettext_lazy("certificate status", "Revoked"),
    CertificateStatus.EXPIRED: pgettext_lazy("certificate status", "Expired"),
    NOT_YET_ISSUED: pgettext_lazy("certificate status", "Not yet in force"),
}

