"""Regions, enforcement bodies, departments, people, certificates and user accounts."""

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhifa.core.models import BaseModel
from zhifa.core.validators import (
    mask_id_number,
    validate_credit_code,
    validate_id_number,
    validate_region_code,
)


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Township")


class Region(BaseModel):
    """An administrative division, GB/T 2260 (6 digits) or GB/T 10114 township (9 digits).

    ``path`` holds the codes from the province down, e.g. ``/430000/430100/430102/``, so the
    regions under a region are one indexed prefix query.
    """

    code = models.CharField(_("region code"), max_length=9, unique=True,
                            validators=[validate_region_code])
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey("self", verbose_name=_("parent region"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    path = models.CharField(_("path"), max_length=64, db_index=True, editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def covers(self, other: "Region") -> bool:
        """True when ``other`` is this region or lies under it."""
        return other.path.startswith(self.path)


class Sector(BaseModel):
    """Enforcement sector or category (执法领域/执法类别), e.g. 市场监管; an extendable list."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self) -> str:
        return self.name


class BodyKind(models.TextChoices):
    # 行政处罚法 arts. 17-20: administrative organs, organisations authorised by law or
    # regulation, and organisations entrusted by an administrative organ.
    ADMINISTRATIVE_ORGAN = "administrative_organ", _("Administrative organ")
    AUTHORISED_ORGANISATION = "authorised_organisation", _("Organisation authorised by law")
    ENTRUSTED_ORGANISATION = "entrusted_organisation", _("Entrusted organisation")


class BodyLevel(models.TextChoices):
    PROVINCE = "province", _("Provincial")
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Township")


class BodyStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", pgettext_lazy("body status", "Suspended")
    DISSOLVED = "dissolved", _("Dissolved")


class EnforcementBody(BaseModel):
    """执法主体: an organ or organisation that enforces in its own name."""

    name = models.CharField(_("name"), max_length=128)
    short_name = models.CharField(_("short name"), max_length=32, blank=True,
                                  help_text=_("Used in document numbers, e.g. 长市监."))
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True,
                                   validators=[validate_credit_code])
    kind = models.CharField(_("kind"), max_length=32, choices=BodyKind.choices)
    level = models.CharField(_("level"), max_length=16, choices=BodyLevel.choices)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT,
                               related_name="bodies")
    sector = models.ForeignKey(Sector, verbose_name=_("sector"), on_delete=models.PROTECT,
                               related_name="bodies")
    supervising_body = models.ForeignKey(
        "self", verbose_name=_("supervising body"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="supervised_bodies",
    )
    legal_review_office = models.ForeignKey(
        "Department", verbose_name=_("legal review office"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    is_supervisory = models.BooleanField(
        _("supervisory body"), default=False,
        help_text=_("A justice bureau that supervises enforcement in its region."),
    )
    address = models.CharField(_("address"), max_length=256, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=BodyStatus.choices,
                              default=BodyStatus.ACTIVE)
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)

    class Meta:
        ordering = ["region__code", "name"]
        verbose_name = _("enforcement body")
        verbose_name_plural = _("enforcement bodies")

    def __str__(self) -> str:
        return self.name


class DepartmentKind(models.TextChoices):
    HANDLING = "handling", _("Handling department")
    LEGAL_REVIEW = "legal_review", _("Legal review office")
    OFFICE = "office", _("General office")
    LEADERSHIP = "leadership", _("Leadership")


class Department(BaseModel):
    body = models.ForeignKey(EnforcementBody, verbose_name=_("enforcement body"),
                             on_delete=models.CASCADE, related_name="departments")
    name = models.CharField(_("name"), max_length=128)
    kind = models.CharField(_("kind"), max_length=16, choices=DepartmentKind.choices,
                            default=DepartmentKind.HANDLING)

    class Meta:
        ordering = ["body__name", "name"]
        unique_together = [("body", "name")]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class RoleKind(models.TextChoices):
    OFFICER = "officer", _("Enforcement officer")
    AUXILIARY = "auxiliary", _("Auxiliary staff")
    REVIEWER = "reviewer", _("Legal reviewer")
    HEAD = "head", _("Head")
    SUPERVISOR = "supervisor", _("Supervisor")


class PersonStatus(models.TextChoices):
    ACTIVE = "active", _("In post")
    LEFT = "left", _("Left")


class Person(BaseModel):
    body = models.ForeignKey(EnforcementBody, verbose_name=_("enforcement body"),
                             on_delete=models.PROTECT, related_name="people")
    department = models.ForeignKey(Department, verbose_name=_("department"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="people")
    name = models.CharField(pgettext_lazy("person", "name"), max_length=64, db_index=True)
    id_number = models.CharField(_("ID number"), max_length=18, unique=True,
                                 validators=[validate_id_number])
    post = models.CharField(_("post"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    legal_qualification_number = models.CharField(
        _("legal professional qualification number"), max_length=32, blank=True
    )
    legal_qualification_date = models.DateField(
        _("legal professional qualification date"), null=True, blank=True
    )
    status = models.CharField(_("status"), max_length=16, choices=PersonStatus.choices,
                              default=PersonStatus.ACTIVE)

    class Meta:
        ordering = ["body__name", "name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.name

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def has_legal_qualification(self) -> bool:
        return bool(self.legal_qualification_number)

    def role_kinds(self) -> list[str]:
        return sorted(r.kind for r in self.roles.all())


class PersonRole(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField(_("role kind"), max_length=16, choices=RoleKind.choices)

    class Meta:
        unique_together = [("person", "kind")]
        verbose_name = _("role kind")
        verbose_name_plural = _("role kinds")

    def __str__(self) -> str:
        return self.get_kind_display()


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    SUSPENDED = "suspended", pgettext_lazy("certificate status", "Suspended")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


# Not a stored status: what ``Certificate.status_on`` answers for a day before the issue date.
NOT_YET_ISSUED = "not_yet_issued"


class Certificate(BaseModel):
    """执法证. ``status`` is the current status; ``status_changes`` is its history, from which
    the status on any past date is derived (see ``selectors.certificate_validity``)."""

    number = models.CharField(_("certificate number"), max_length=32, unique=True)
    person = models.ForeignKey(Person, verbose_name=_("holder"), on_delete=models.PROTECT,
                               related_name="certificates")
    issuer = models.CharField(pgettext_lazy("certificate", "issuer"), max_length=128)
    areas = models.ManyToManyField(Region, verbose_name=_("enforcement areas"),
                                   related_name="certificates")
    categories = models.ManyToManyField(Sector, verbose_name=_("enforcement categories"),
                                        related_name="certificates")
    issue_date = models.DateField(_("issue date"))
    expiry_date = models.DateField(_("expiry date"))
    status = models.CharField(_("status"), max_length=16, choices=CertificateStatus.choices,
                              default=CertificateStatus.VALID)

    class Meta:
        ordering = ["number"]
        verbose_name = _("enforcement certificate")
        verbose_name_plural = _("enforcement certificates")

    def __str__(self) -> str:
        return self.number

    def status_on(self, day: dt.date) -> str:
        """The status in force on ``day`` from the change history; expiry by date wins, and
        before the issue date the answer is ``NOT_YET_ISSUED``. ``selectors.with_status_on``
        computes the same inside the database."""
        if day > self.expiry_date:
            return CertificateStatus.EXPIRED
        if day < self.issue_date:
            return NOT_YET_ISSUED
        status: str = CertificateStatus.VALID
        for change in sorted(self.status_changes.all(), key=lambda c: (c.effective_date, c.pk)):
            if change.effective_date <= day:
                status = change.to_status
        return status


class CertificateStatusChange(BaseModel):
    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE,
                                    related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=16, choices=CertificateStatus.choices,
                                   blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=CertificateStatus.choices)
    effective_date = models.DateField(_("effective date"))
    reason = models.CharField(_("reason"), max_length=256)
    actor = models.ForeignKey("User", verbose_name=_("changed by"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["effective_date", "id"]
        verbose_name = _("certificate status change")
        verbose_name_plural = _("certificate status changes")

    def __str__(self) -> str:
        return f"{self.effective_date.isoformat()} {self.get_to_status_display()}"


class AccountRole(models.TextChoices):
    """What an account may do. Separate from the person's role kinds (which are facts of
    the registry); see ``orgs.permissions`` for what each role grants."""

    OFFICER = "officer", _("Enforcement officer")
    AUXILIARY = "auxiliary", _("Auxiliary staff")
    REVIEWER = "reviewer", _("Legal reviewer")
    HEAD = "head", _("Head")
    BODY_ADMIN = "body_admin", _("Body administrator")
    SUPERVISOR = "supervisor", _("Supervisor")
    PUBLICITY_CLERK = "publicity_clerk", _("Publicity clerk")
    SYSTEM_ADMIN = "system_admin", _("System administrator")


class User(AbstractUser):
    """A login. Staff accounts are linked to a person and therefore to one body."""

    person = models.OneToOneField(Person, verbose_name=_("person"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="account")
    roles = models.JSONField(_("roles"), default=list, blank=True)

    class Meta:
        verbose_name = _("user account")
        verbose_name_plural = _("user accounts")

    @property
    def body(self) -> EnforcementBody | None:
        return self.person.body if self.person_id else None  # type: ignore[union-attr]

    @property
    def body_id(self) -> int | None:
        return self.person.body_id if self.person_id else None  # type: ignore[union-attr]
