"""Read helpers the staff pages compose on top of the scoped selectors.

A certificate's status on a day comes from its change history (``Certificate.status_on``); the
list pages need the same answer inside the database to filter and count, so
``with_status_on`` annotates it with one correlated subquery that mirrors ``status_on``:
past the expiry date it is expired, before the issue date it is not yet in force, otherwise
the latest change taking effect on or before the day decides, and no change means valid.
"""

import datetime as dt

from django.db.models import Case, CharField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import pgettext_lazy

from zhifa.orgs.models import Certificate, CertificateStatus, CertificateStatusChange

NOT_YET_ISSUED = "not_yet_issued"

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
    if day < certificate.issue_date:
        return NOT_YET_ISSUED
    return certificate.status_on(day)


def with_status_on(qs: QuerySet[Certificate], day: dt.date) -> QuerySet[Certificate]:
    latest = (
        CertificateStatusChange.objects.filter(certificate=OuterRef("pk"), effective_date__lte=day)
        .order_by("-effective_date", "-id")
        .values("to_status")[:1]
    )
    return qs.annotate(
        status_on_day=Case(
            When(expiry_date__lt=day, then=Value(CertificateStatus.EXPIRED.value)),
            When(issue_date__gt=day, then=Value(NOT_YET_ISSUED)),
            default=Coalesce(Subquery(latest), Value(CertificateStatus.VALID.value)),
            output_field=CharField(),
        )
    )


def valid_on(qs: QuerySet[Certificate], day: dt.date) -> QuerySet[Certificate]:
    return with_status_on(qs, day).filter(status_on_day=CertificateStatus.VALID)
