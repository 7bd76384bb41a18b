"""Enforcement certificates (执法证): one row per certificate, issued with
``orgs.services.certificate_issue`` to a person already registered."""

from collections.abc import Iterator
from functools import partial
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhifa.orgs.models import NOT_YET_ISSUED, Certificate, CertificateStatus, Sector
from zhifa.orgs.permissions import Perm
from zhifa.orgs.selectors import (
    person_id_number_for,
    visible_certificates,
    visible_people,
    visible_sectors,
)
from zhifa.orgs.services import certificate_issue

from .base import (
    Action,
    Column,
    Kind,
    Reference,
    SourceRow,
    format_date,
    max_length,
    region_reference,
    sector_reference,
)
from .reader import ImportContext, NewValues, RowReader


class CertificatesKind(Kind):
    key = "certificates"
    title = gettext_lazy("Certificates")
    manage_perm = Perm.MANAGE_PEOPLE
    view_perm = Perm.VIEW_REGISTRY
    columns = (
        Column("number", gettext_lazy("Certificate number"),
               gettext_lazy("Number printed on the enforcement certificate; unique."),
               required=True, example="43010020240001",
               max_length=max_length(Certificate, "number"), width=20),
        Column("holder_id_number", gettext_lazy("Holder ID number"),
               gettext_lazy("ID number of the holder, who must already be registered in your "
                            "body (import people first)."),
               required=True, example="430102198503150014", width=22),
        Column("holder_name", gettext_lazy("Holder name"),
               gettext_lazy("Name of the holder, checked against the registry. May be empty."),
               example="张三", width=12),
        Column("issuer", gettext_lazy("Issuer"),
               gettext_lazy("Authority that issued the certificate."), required=True,
               example="湖南省人民政府",
               max_length=max_length(Certificate, "issuer"), width=20),
        Column("areas", gettext_lazy("Enforcement areas"),
               gettext_lazy("Region codes (GB/T 2260) where the holder may enforce, separated "
                            "by 、 or a comma; see the regions sheet."),
               required=True, example="430102", width=18),
        Column("categories", gettext_lazy("Enforcement categories"),
               gettext_lazy("Sector codes or names, separated by 、 or a comma; see the "
                            "sectors sheet."),
               required=True, example="市场监管", width=18),
        Column("issue_date", gettext_lazy("Issue date"), gettext_lazy("YYYY-MM-DD."),
               required=True, example="2024-01-01"),
        Column("expiry_date", gettext_lazy("Expiry date"),
               gettext_lazy("YYYY-MM-DD, not before the issue date."), required=True,
               example="2029-12-31"),
        Column("status_today", gettext_lazy("Status today"),
               gettext_lazy("The certificate's status on the day of the export. Exports only; "
                            "ignored on import."),
               export_only=True, width=10),
    )
    notes = (
        gettext_lazy("One row per certificate. Imported certificates are valid; suspend or "
                     "revoke them afterwards on the certificate's page."),
    )
    error_columns = {
        "certificate_duplicate": "number",
        "certificate_number": "number",
        "certificate_issuer": "issuer",
        "certificate_dates": "expiry_date",
        "certificate_scope": "areas",
        "certificate_area_outside_body": "areas",
        "certificate_holder_role": "holder_id_number",
        "certificate_holder_left": "holder_id_number",
        "body_out_of_scope": "holder_id_number",
    }

    def plan(self, ctx: ImportContext, rows: list[SourceRow]) -> list[Action]:
        actions: list[Action] = []
        people = visible_people(ctx.actor).select_related("body")
        numbers = NewValues(
            Certificate, "number", rows, code="certificate_duplicate",
            in_file=_("The same certificate number is already on row %(row)s."),
            registered=_("A certificate with this number is already registered."),
        )
        for row in rows:
            r = RowReader(ctx, row)
            number = r.text("number")
            if number:
                numbers.check(r, number)
            person = None
            id_number = r.id_number("holder_id_number")
            if id_number is not None:
                # Only people the user can see are found: an ID number registered in another
                # body is "unknown", so the import does not reveal who works where.
                person = people.filter(id_number=id_number).first()
                if person is None:
                    r.fail("holder_id_number", "person_unknown",
                           _("No person with this ID number is registered in your scope."))
                elif not r.in_scope("holder_id_number", person.body):
                    person = None
            holder_name = r.text("holder_name")
            if person is not None and holder_name and holder_name != person.name:
                r.fail("holder_name", "person_mismatch",
                       _("The registered holder of this ID number is called %(name)s.")
                       % {"name": person.name})
            issuer = r.text("issuer")
            areas = r.regions("areas")
            categories = r.sectors("categories")
            issue_date = r.date("issue_date")
            expiry_date = r.date("expiry_date")
            if issue_date and expiry_date and expiry_date < issue_date:
                r.fail("expiry_date", "date_order",
                       _("The expiry date is before the issue date (%(date)s).")
                       % {"date": issue_date.isoformat()})
            if not r.ok or person is None or issue_date is None or expiry_date is None:
                continue
            actions.append(Action(rows=[row], run=partial(
                certificate_issue, actor=ctx.actor, person=person, number=number,
                issuer=issuer, areas=areas, categories=categories, issue_date=issue_date,
                expiry_date=expiry_date,
            )))
        return actions

    def export_rows(self, actor: Any) -> Iterator[dict[str, str]]:
        names = [s.name for s in visible_sectors(actor)]

        def sector_text(sector: Sector) -> str:
            # The name reads better; the code where two sectors share a name.
            return sector.name if names.count(sector.name) == 1 else sector.code

        today = timezone.localdate()

        def status_text(cert: Certificate) -> str:
            status = cert.status_on(today)
            if status == NOT_YET_ISSUED:
                return _("Not yet issued")
            return str(CertificateStatus(status).label)

        for cert in visible_certificates(actor).order_by("number"):
            yield {
                "number": cert.number,
                "holder_id_number": person_id_number_for(actor, cert.person),
                "holder_name": cert.person.name,
                "issuer": cert.issuer,
                "areas": "、".join(sorted(a.code for a in cert.areas.all())),
                "categories": "、".join(
                    sector_text(s)
                    for s in sorted(cert.categories.all(), key=lambda s: (s.sort_order, s.code))
                ),
                "issue_date": format_date(cert.issue_date),
                "expiry_date": format_date(cert.expiry_date),
                "status_today": status_text(cert),
            }

    def references(self) -> list[Reference]:
        return [region_reference(), sector_reference()]
