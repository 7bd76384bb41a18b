"""Publicity of enforcement decisions (行政执法公示, 事后公开; 国办发〔2018〕118号, APL art. 48).

- ``DisclosurePolicy``: the configurable rules: what is masked, whether warnings are
  published, and the publicity periods; one default row (``sector`` empty) and optional rows
  per enforcement category (sector) that override it.
- ``Publication``: one decision's public record. It is drafted automatically when the
  decision document is issued (``original``: the fields as derived, staff only), masked by the
  policy (``public``: the fields the public sees), approved by a publicity clerk and
  published within its deadline (7 working days for licensing and penalty decisions, 20 for
  others), shown for its publicity period, then offline; it may end early (credit
  restoration) or be withdrawn (changed, revoked, confirmed illegal or void) with a public
  reason, within 3 working days.
- ``PublicationSearch``: the published record's search tokens (jieba), one row per
  publication *while it is public*; the full-text index over it is vendor-specific
  (SQLite FTS5 / PostgreSQL tsvector, see ``search``).
- ``AnnualReport``: the body's annual enforcement statistics (行政执法统计年报), computed
  from the records, published by 31 January.

Every change is made by a service in ``services`` that writes the ledger (``events``) in the
same transaction. The public sees only what ``selectors.public_publications`` returns.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhifa.cases.models import Case
from zhifa.core.models import BaseModel
from zhifa.orgs.models import EnforcementBody, Region, Sector

User = settings.AUTH_USER_MODEL


class Category(models.TextChoices):
    """The publication deadline's category (118号): 7 working days for licensing and
    penalty decisions, 20 for other enforcement decisions."""

    LICENSING = "licensing", pgettext_lazy("publication category", "Licensing")
    PENALTY = "penalty", pgettext_lazy("publication category", "Penalty")
    OTHER = "other", pgettext_lazy("publication category", "Other enforcement decision")


class State(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("publication", "Awaiting approval")
    WITHHELD = "withheld", pgettext_lazy("publication", "Not published")
    PUBLISHED = "published", pgettext_lazy("publication", "Published")
    EXPIRED = "expired", pgettext_lazy("publication", "Publicity period ended")
    ENDED = "ended", pgettext_lazy("publication", "Ended early (credit restored)")
    WITHDRAWN = "withdrawn", pgettext_lazy("publication", "Withdrawn")
    CANCELLED = "cancelled", pgettext_lazy("publication", "Cancelled before publication")


class WithholdReason(models.TextChoices):
    """Why a decision is not published (never shown with the party's data)."""

    MINOR = "minor", _("The party is a minor")
    WARNING_ONLY = "warning_only", _("A warning only, and the sector does not publish warnings")
    SECRET = "secret", _("State or commercial secrets, or privacy")
    OTHER = "other", pgettext_lazy("withhold reason", "Other lawful reason")


class WithdrawalKind(models.TextChoices):
    """APL art. 48: a published decision changed, revoked, confirmed illegal or void."""

    CHANGED = "changed", _("The decision was changed")
    REVOKED = "revoked", _("The decision was revoked")
    ILLEGAL = "illegal", _("The decision was confirmed illegal")
    VOID = "void", _("The decision was confirmed void")


class DisclosurePolicy(BaseModel):
    """The masking and period rules. The row with no sector is the default; a row for a
    sector overrides it for that sector's decisions (e.g. market regulation does not publish
    warnings and keeps penalties at least one year)."""

    sector = models.OneToOneField(Sector, verbose_name=_("enforcement category"), null=True,
                                  blank=True, on_delete=models.PROTECT,
                                  related_name="disclosure_policy")
    mask_id_numbers = models.BooleanField(_("mask ID numbers"), default=True)
    mask_addresses = models.BooleanField(_("mask home addresses"), default=True)
    mask_phones = models.BooleanField(_("mask phone numbers"), default=True)
    mask_bank_accounts = models.BooleanField(_("mask bank accounts"), default=True)
    mask_health = models.BooleanField(_("mask health information"), default=True)
    mask_third_parties = models.BooleanField(_("mask third parties' names"), default=True)
    mask_person_names = models.BooleanField(
        _("partly mask natural persons' names"), default=True,
        help_text=_("The surname is kept, the given name masked (张**)."))
    health_terms = models.JSONField(
        _("health terms"), default=list, blank=True,
        help_text=_("Words that reveal health information; the clause naming one is masked."))
    publish_warnings = models.BooleanField(_("publish warnings"), default=True)
    # Periods, in months, 3 to 36 (credit-restoration rules; 市场监管 art. 13)
    light_months = models.PositiveSmallIntegerField(
        _("period of light penalties (months)"), default=3,
        help_text=_("Warnings, circulated criticism and fines up to the light-fine limit."))
    light_fine_max = models.BigIntegerField(
        _("light-fine limit (fen)"), default=1_000_000,
        help_text=_("A fine up to this amount (inclusive) counts as light (较低数额罚款)."))
    standard_months = models.PositiveSmallIntegerField(
        _("period of other penalties (months)"), default=36)
    licensing_months = models.PositiveSmallIntegerField(
        _("period of licensing decisions (months)"), default=36)
    other_months = models.PositiveSmallIntegerField(
        _("period of other decisions (months)"), default=12)
    min_months = models.PositiveSmallIntegerField(
        _("sector minimum period (months)"), default=3)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("publicity rules")
        verbose_name_plural = _("publicity rules")

    def __str__(self) -> str:
        return str(self.sector) if self.sector_id else str(_("Default publicity rules"))


class Publication(BaseModel):
    body = models.ForeignKey(EnforcementBody, verbose_name=_("enforcement body"),
                             on_delete=models.PROTECT, related_name="publications")
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT,
                               related_name="+")
    sector = models.ForeignKey(Sector, verbose_name=_("enforcement category"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT,
                             related_name="publications")
    document = models.OneToOneField("documents.Document", verbose_name=_("decision document"),
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="publication")
    category = models.CharField(_("category"), max_length=16, choices=Category.choices,
                                db_index=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices,
                             default=State.DRAFT, db_index=True)
    # The decision
    decision_number = models.CharField(_("decision number"), max_length=128, db_index=True)
    decision_date = models.DateField(_("decision date"), db_index=True)
    # Denormalised public columns (masked; for lists, filters and exports)
    title = models.CharField(_("title"), max_length=300)
    party_display = models.CharField(_("party (as published)"), max_length=200)
    party_credit_code = models.CharField(_("party's credit code"), max_length=18, blank=True,
                                         db_index=True)
    fine = models.BigIntegerField(_("fine (fen)"), null=True, blank=True)
    confiscation = models.BigIntegerField(_("confiscation (fen)"), null=True, blank=True)
    # The fields: as derived (staff only) and as published (masked)
    original = models.JSONField(_("original fields"), default=dict)
    public = models.JSONField(_("published fields"), default=dict)
    masks = models.JSONField(
        _("masks applied"), default=list, blank=True,
        help_text=_("Each mask: field, kind, start and end in the original text."))
    extra_terms = models.JSONField(
        _("additional terms masked"), default=list, blank=True,
        help_text=_("Words the clerk added to mask (e.g. a third party's name)."))
    # Deadline of publication (118号)
    due_on = models.DateField(_("publish by"), db_index=True)
    due_rule = models.CharField(_("deadline rule"), max_length=64)
    late_reason = models.TextField(_("reason for publishing late"), blank=True)
    alerted_due_soon_on = models.DateField(_("due-soon alert on"), null=True, blank=True)
    alerted_overdue_on = models.DateField(_("overdue alert on"), null=True, blank=True)
    # Withheld
    withhold_reason = models.CharField(_("reason not published"), max_length=16, blank=True,
                                       choices=WithholdReason.choices)
    withhold_note = models.TextField(_("note"), blank=True)
    # Published
    published_on = models.DateField(_("published on"), null=True, blank=True, db_index=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    approved_by = models.ForeignKey(User, verbose_name=_("approved by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    period_months = models.PositiveSmallIntegerField(_("publicity period (months)"), null=True,
                                                     blank=True)
    period_basis = models.CharField(_("basis of the period"), max_length=300, blank=True)
    offline_on = models.DateField(
        _("offline from"), null=True, blank=True, db_index=True,
        help_text=_("The first day the record is no longer public."))
    content_digest = models.CharField(_("digest of the published record"), max_length=64,
                                      blank=True, db_index=True)
    ledger_seq = models.BigIntegerField(_("ledger entry of the publication"), null=True,
                                        blank=True)
    # Ended early (credit restoration, 信用修复)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.TextField(_("reason for ending early"), blank=True)
    # Withdrawn (APL art. 48)
    withdrawal_kind = models.CharField(_("withdrawal"), max_length=16, blank=True,
                                       choices=WithdrawalKind.choices)
    withdrawal_reason = models.TextField(_("public reason for the withdrawal"), blank=True)
    withdrawal_event_on = models.DateField(
        _("changed or revoked on"), null=True, blank=True,
        help_text=_("The day the decision was changed, revoked or confirmed illegal or void."))
    withdrawal_due = models.DateField(_("withdraw by"), null=True, blank=True)
    withdrawal_late_reason = models.TextField(_("reason for withdrawing late"), blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True, db_index=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    # the last change that downstream copies (feeds, credit platforms) must follow
    changed_at = models.DateTimeField(_("last public change"), null=True, blank=True,
                                      db_index=True)
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["-decision_date", "-id"]
        indexes = [
            models.Index(fields=["state", "offline_on", "-published_on"],
                         name="disclosure_public_idx"),
            models.Index(fields=["body", "state", "due_on"], name="disclosure_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.decision_number} {self.title}"


class PublicationSearch(models.Model):
    """The search tokens of a public record (jieba over its public fields, plus exact-match
    tokens for names, numbers and codes). A row exists only while the record is public; the
    vendor's full-text index is kept in step by ``search``."""

    publication = models.OneToOneField(Publication, on_delete=models.CASCADE, primary_key=True,
                                       related_name="search")
    tokens = models.TextField()
    # filter columns copied for the index (no join on the hot path)
    body_id_copy = models.BigIntegerField(db_index=True)
    region_path = models.CharField(max_length=64, db_index=True)
    category = models.CharField(max_length=16)
    decision_date = models.DateField(db_index=True)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")

    def __str__(self) -> str:
        return f"search entry of {self.publication_id}"


class ReportState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("annual report", "Draft")
    PUBLISHED = "published", pgettext_lazy("annual report", "Published")


class AnnualReport(BaseModel):
    """行政执法统计年报: the body's figures for ``year``, computed from the records
    (``figures``), with figures the platform does not record (reconsiderations and suits)
    entered by the clerk (``entered``)."""

    body = models.ForeignKey(EnforcementBody, verbose_name=_("enforcement body"),
                             on_delete=models.PROTECT, related_name="annual_reports")
    year = models.PositiveSmallIntegerField(_("year"))
    state = models.CharField(_("state"), max_length=16, choices=ReportState.choices,
                             default=ReportState.DRAFT)
    figures = models.JSONField(_("figures"), default=dict)
    entered = models.JSONField(_("figures entered"), default=dict, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    published_by = models.ForeignKey(User, verbose_name=_("published by"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    content_digest = models.CharField(_("digest of the published report"), max_length=64,
                                      blank=True)
    ledger_seq = models.BigIntegerField(_("ledger entry of the publication"), null=True,
                                        blank=True)
    alerted_on = models.DateField(_("missing-report alert on"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)

    class Meta:
        verbose_name = _("annual enforcement report")
        verbose_name_plural = _("annual enforcement reports")
        constraints = [models.UniqueConstraint(fields=["body", "year"],
                                               name="disclosure_one_report_per_year")]
        ordering = ["-year", "body_id"]

    def __str__(self) -> str:
        return f"{self.body} {self.year}"


class ReportAlert(models.Model):
    """A missed annual report (January ended without it), recorded once per body and year."""

    body = models.ForeignKey(EnforcementBody, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    recorded_on = models.DateField(_("recorded on"))
    ledger_seq = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["body", "year"],
                                               name="disclosure_one_report_alert")]

    def __str__(self) -> str:
        return f"{self.body_id} {self.year}"
