"""Catalogues: legal provisions, enforcement items (power list), random-inspection items,
service guides, discretion benchmarks, legal-review catalogues and hearing thresholds.

Every catalogue is versioned: a row keeps its ``code`` across versions, and each version is in
force over ``[effective_from, effective_to)`` (see ``core.models.Versioned``).
Money is stored in fen as integers.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhifa.core.models import BaseModel, Versioned
from zhifa.orgs.models import Department, EnforcementBody, Region, Sector


# --- Legal provisions ------------------------------------------------------------------------
class LawLevel(models.TextChoices):
    LAW = "law", _("Law")
    ADMINISTRATIVE_REGULATION = "administrative_regulation", _("Administrative regulation")
    LOCAL_REGULATION = "local_regulation", _("Local regulation")
    DEPARTMENTAL_RULE = "departmental_rule", _("Departmental rule")
    LOCAL_GOVERNMENT_RULE = "local_government_rule", _("Local government rule")
    NORMATIVE_DOCUMENT = "normative_document", _("Normative document")


class Law(BaseModel):
    """A law, regulation or rule as an instrument; its texts are in ``LawVersion``."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200, db_index=True)
    level = models.CharField(_("level"), max_length=32, choices=LawLevel.choices)
    repeal_date = models.DateField(_("repeal date"), null=True, blank=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("legal provision")
        verbose_name_plural = _("legal provisions")

    def __str__(self) -> str:
        return self.title


class LawVersion(BaseModel):
    """One text of a law, in force over ``[effective_from, effective_to)``."""

    law = models.ForeignKey(Law, verbose_name=_("legal provision"), on_delete=models.CASCADE,
                            related_name="versions")
    label = models.CharField(_("version"), max_length=64,
                             help_text=_("e.g. 2021年修订"))
    # Per version: a revision may be adopted by another organ than the original text
    # (e.g. a law passed by the NPC and amended by its Standing Committee).
    issuer = models.CharField(pgettext_lazy("law", "issuer"), max_length=128)
    document_number = models.CharField(_("document number"), max_length=128, blank=True)
    promulgated_date = models.DateField(_("promulgated on"), null=True, blank=True)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective until (exclusive)"), null=True, blank=True)

    class Meta:
        ordering = ["law", "effective_from"]
        unique_together = [("law", "effective_from")]
        verbose_name = _("version of a legal provision")
        verbose_name_plural = _("versions of legal provisions")

    def __str__(self) -> str:
        return f"{self.law.title}（{self.label}）"


class Article(BaseModel):
    version = models.ForeignKey(LawVersion, verbose_name=_("version"), on_delete=models.CASCADE,
                                related_name="articles")
    number = models.PositiveIntegerField(_("article number"))
    label = models.CharField(_("article label"), max_length=32, help_text=_("e.g. 第六十七条"))
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["version", "number"]
        unique_together = [("version", "number")]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self) -> str:
        return f"《{self.version.law.title}》{self.label}"


# --- Enforcement items (power list) ------------------------------------------------------
class ItemCategory(models.TextChoices):
    PENALTY = "penalty", _("Administrative penalty")
    COERCION = "coercion", _("Administrative coercion")
    INSPECTION = "inspection", _("Administrative inspection")
    LEVY = "levy", _("Administrative levy")
    REQUISITION = "requisition", _("Administrative requisition")
    LICENSING = "licensing", _("Administrative licensing")
    CONFIRMATION = "confirmation", _("Administrative confirmation")
    PAYMENT = "payment", _("Administrative payment")
    ADJUDICATION = "adjudication", _("Administrative adjudication")
    REWARD = "reward", _("Administrative reward")
    OTHER = "other", _("Other")


class ProcedureType(models.TextChoices):
    SUMMARY = "summary", _("Summary penalty procedure")
    GENERAL = "general", _("General penalty procedure")
    COERCIVE = "coercive", _("Coercive measure")
    INSPECTION = "inspection", _("Inspection")
    LICENSING = "licensing", _("Licensing")
    GENERIC = "generic", _("Generic procedure")


class TimeUnit(models.TextChoices):
    WORKING_DAY = "working_day", _("working days")
    CALENDAR_DAY = "calendar_day", _("calendar days")
    MONTH = "month", _("months")


class LegalityReviewStatus(models.TextChoices):
    PENDING = "pending", _("Not reviewed")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")


class EnforcementItem(BaseModel, Versioned):
    """执法事项 in the body's power list (权责清单)."""

    name = models.CharField(_("name"), max_length=200, db_index=True)
    category = models.CharField(_("category"), max_length=16, choices=ItemCategory.choices)
    body = models.ForeignKey(EnforcementBody, verbose_name=_("enforcement body"),
                             on_delete=models.PROTECT, related_name="items")
    legal_basis = models.ManyToManyField(Article, verbose_name=_("legal basis"), blank=True,
                                         related_name="items")
    basis_text = models.TextField(_("legal basis (text)"), blank=True,
                                  help_text=_("As cited in the power list."))
    procedure_type = models.CharField(_("procedure type"), max_length=16,
                                      choices=ProcedureType.choices)
    accepting_office = models.ForeignKey(Department, verbose_name=_("accepting office"),
                                         null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="+")
    deciding_office = models.ForeignKey(Department, verbose_name=_("deciding office"),
                                        null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")
    time_limit = models.PositiveIntegerField(_("time limit"), null=True, blank=True)
    time_limit_unit = models.CharField(_("time limit unit"), max_length=16,
                                       choices=TimeUnit.choices, blank=True)
    # Remedies: 行政复议法 (2023) art. 20: 60 days; 行政诉讼法 art. 46: 6 months. Stored per item
    # because special laws set other periods.
    reconsideration_body = models.CharField(_("reconsideration body"), max_length=200,
                                            blank=True)
    reconsideration_days = models.PositiveIntegerField(_("reconsideration period (days)"),
                                                       default=60)
    litigation_court = models.CharField(_("court"), max_length=200, blank=True)
    litigation_months = models.PositiveIntegerField(_("litigation period (months)"), default=6)
    legality_review_status = models.CharField(
        _("legality review"), max_length=16, choices=LegalityReviewStatus.choices,
        default=LegalityReviewStatus.PENDING,
    )
    legality_reviewed_on = models.DateField(_("legality reviewed on"), null=True, blank=True)
    legality_review_note = models.CharField(_("legality review note"), max_length=500,
                                            blank=True)

    class Meta:
        ordering = ["body__name", "code", "-version"]
        unique_together = [("body", "code", "version")]
        verbose_name = _("enforcement item")
        verbose_name_plural = _("enforcement items")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_publishable(self) -> bool:
        # 118号: only items whose legality has been reviewed are published.
        return (
            self.legality_review_status == LegalityReviewStatus.PASSED
            and self.legality_reviewed_on is not None
        )


class RandomInspectionItem(BaseModel, Versioned):
    """随机抽查事项清单 entry (双随机、一公开)."""

    name = models.CharField(_("name"), max_length=200)
    body = models.ForeignKey(EnforcementBody, verbose_name=_("enforcement body"),
                             on_delete=models.PROTECT, related_name="inspection_items")
    legal_basis = models.ManyToManyField(Article, verbose_name=_("legal basis"), blank=True,
                                         related_name="inspection_items")
    basis_text = models.TextField(_("legal basis (text)"), blank=True)
    inspection_objects = models.CharField(_("inspection objects"), max_length=200)
    method = models.CharField(_("inspection method"), max_length=200)
    ratio_percent = models.PositiveSmallIntegerField(_("sampling ratio (%)"), null=True,
                                                     blank=True)
    frequency = models.CharField(_("frequency"), max_length=64, blank=True)

    class Meta:
        ordering = ["body__name", "code", "-version"]
        unique_together = [("body", "code", "version")]
        verbose_name = _("random-inspection item")
        verbose_name_plural = _("random-inspection items")

    def __str__(self) -> str:
        return self.name


class ServiceGuide(BaseModel, Versioned):
    """服务指南 for an item, mainly licensing."""

    item = models.ForeignKey(EnforcementItem, verbose_name=_("enforcement item"),
                             on_delete=models.CASCADE, related_name="service_guides")
    conditions = models.TextField(pgettext_lazy("service guide", "conditions"))
    materials = models.TextField(_("materials"))
    process = models.TextField(_("process"))
    time_limit_text = models.CharField(_("time limit"), max_length=200)
    fees = models.CharField(_("fees"), max_length=200, default="不收费")
    location = models.CharField(_("where to apply"), max_length=200, blank=True)
    phone = models.CharField(_("enquiry phone"), max_length=64, blank=True)

    class Meta:
        ordering = ["item", "-version"]
        unique_together = [("item", "code", "version")]
        verbose_name = _("service guide")
        verbose_name_plural = _("service guides")

    def __str__(self) -> str:
        return f"{self.item.name}"


# --- Discretion benchmarks ------------------------------------------------------------------
class AmountUnit(models.TextChoices):
    YUAN = "yuan", _("Fixed amount (fen)")
    MULTIPLE = "multiple", _("Multiple of an amount")
    PERCENT = "percent", _("Percentage of an amount")


class Tier(models.TextChoices):
    # 国办发〔2022〕27号; APL arts. 30-33 for no penalty and mitigation.
    NO_PENALTY = "no_penalty", _("No penalty")
    MITIGATED = "mitigated", _("Mitigated")
    LIGHTER = "lighter", _("Lighter")
    ORDINARY = "ordinary", _("Ordinary")
    HEAVIER = "heavier", _("Heavier")


class PenaltyKind(models.TextChoices):
    # APL art. 9.
    WARNING = "warning", _("Warning")
    CRITICISM = "criticism", _("Circulated criticism")
    FINE = "fine", _("Fine")
    CONFISCATE_GAINS = "confiscate_gains", _("Confiscation of illegal gains")
    CONFISCATE_PROPERTY = "confiscate_property", _("Confiscation of illegal property")
    SUSPEND_LICENCE = "suspend_licence", _("Licence suspension")
    LOWER_QUALIFICATION = "lower_qualification", _("Qualification lowering")
    REVOKE_LICENCE = "revoke_licence", _("Licence revocation")
    RESTRICT_BUSINESS = "restrict_business", _("Business restriction")
    STOP_PRODUCTION = "stop_production", _("Order to stop production or business")
    CLOSURE = "closure", _("Order to close")
    RESTRICT_PRACTICE = "restrict_practice", _("Practice restriction")
    DETENTION = "detention", _("Administrative detention")
    OTHER = "other", _("Other penalty by law")


class DiscretionBenchmark(BaseModel, Versioned):
    """裁量基准 for one violation (APL art. 34; 国办发〔2022〕27号)."""

    violation = models.CharField(_("violation"), max_length=300, db_index=True)
    sector = models.ForeignKey(Sector, verbose_name=_("sector"), on_delete=models.PROTECT,
                               related_name="benchmarks")
    issuing_body = models.ForeignKey(EnforcementBody, verbose_name=_("issuing body"), null=True,
                                     blank=True, on_delete=models.PROTECT,
                                     related_name="benchmarks")
    region = models.ForeignKey(Region, verbose_name=_("applies in region"),
                               on_delete=models.PROTECT, related_name="benchmarks")
    violated_articles = models.ManyToManyField(Article, verbose_name=_("provision violated"),
                                               blank=True, related_name="benchmarks_violated")
    penalty_articles = models.ManyToManyField(Article, verbose_name=_("penalty provision"),
                                              blank=True, related_name="benchmarks_penalty")
    violated_text = models.CharField(_("provision violated (text)"), max_length=500)
    penalty_text = models.CharField(_("penalty provision (text)"), max_length=500)
    amount_unit = models.CharField(_("amount unit"), max_length=16, choices=AmountUnit.choices,
                                   default=AmountUnit.YUAN)
    statutory_min = models.BigIntegerField(
        _("statutory minimum"), null=True, blank=True,
        help_text=_("Fen for fixed amounts; thousandths for multiples; hundredths of a percent."),
    )
    statutory_max = models.BigIntegerField(_("statutory maximum"), null=True, blank=True)
    source_document = models.CharField(_("source document"), max_length=200)

    class Meta:
        ordering = ["sector", "code", "-version"]
        unique_together = [("region", "code", "version")]
        verbose_name = _("discretion benchmark")
        verbose_name_plural = _("discretion benchmarks")

    def __str__(self) -> str:
        return self.violation


class BenchmarkTier(models.Model):
    benchmark = models.ForeignKey(DiscretionBenchmark, on_delete=models.CASCADE,
                                  related_name="tiers")
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices)
    conditions = models.TextField(pgettext_lazy("benchmark tier", "conditions"))
    min_value = models.BigIntegerField(_("minimum"), null=True, blank=True)
    max_value = models.BigIntegerField(_("maximum"), null=True, blank=True)
    penalty_kinds = models.JSONField(_("penalty kinds"), default=list, blank=True)
    other_measures = models.CharField(_("other penalties"), max_length=300, blank=True)

    class Meta:
        ordering = ["benchmark", "id"]
        unique_together = [("benchmark", "tier")]
        verbose_name = _("benchmark tier")
        verbose_name_plural = _("benchmark tiers")

    def __str__(self) -> str:
        return self.get_tier_display()


# --- Legal review catalogues and hearing thresholds ------------------------------------------
class PartyType(models.TextChoices):
    NATURAL_PERSON = "natural_person", _("Natural person")
    INDIVIDUAL_BUSINESS = "individual_business", _("Individual business")
    ORGANISATION = "organisation", _("Legal person or other organisation")


class Comparator(models.TextChoices):
    GTE = "gte", _("at least (inclusive, 含本数)")
    GT = "gt", _("more than (exclusive, 不含本数)")


class ReviewTrigger(models.TextChoices):
    ALL_GENERAL_PROCEDURE = "all_general_procedure", _("Every general-procedure penalty")
    REVOKE_LICENCE = "revoke_licence", _("Licence revocation")
    STOP_PRODUCTION = "stop_production", _("Order to stop production or business")
    CLOSURE = "closure", _("Order to close")
    RESTRICT_PRACTICE = "restrict_practice", _("Practice restriction")
    LOWER_QUALIFICATION = "lower_qualification", _("Qualification lowering")
    HEARING_HELD = "hearing_held", _("A hearing was held")
    MITIGATED = "mitigated", _("Mitigated penalty")
    BELOW_BENCHMARK = "below_benchmark", _("Penalty below the benchmark tier")
    ABOVE_BENCHMARK = "above_benchmark", _("Penalty above the benchmark tier")
    LICENSING_REFUSAL = "licensing_refusal", _("Refusal, withdrawal or revocation of a licence")
    COERCION_HALTS_BUSINESS = "coercion_halts_business", _("Sealing that halts operations")
    AUCTION_SEIZED = "auction_seized", _("Auction of high-value seized property")


def default_review_materials() -> list[str]:
    """送审材料: the draft decision with its reasons, the evidence list, the investigation
    report, the hearing record where a hearing was held, the handling department's opinion."""
    return ["draft_decision", "evidence_list", "investigation_report", "hearing_record",
            "handling_opinion"]


class ReviewCatalogue(BaseModel, Versioned):
    """法制审核目录清单 of one body (APL art. 58; 国办发〔2018〕118号)."""

    body = models.ForeignKey(EnforcementBody, verbose_name=_("enforcement body"),
                             on_delete=models.CASCADE, related_name="review_catalogues")
    title = models.CharField(_("title"), max_length=200)
    review_days = models.PositiveSmallIntegerField(_("review time limit (working days)"),
                                                   default=7)
    extension_days = models.PositiveSmallIntegerField(_("extension (working days)"), default=3)
    source_document = models.CharField(_("source document"), max_length=200, blank=True)
    # the materials a review package must hold (codes of ``reviews.points.MATERIALS``)
    materials = models.JSONField(_("materials required"), default=default_review_materials,
                                 blank=True)

    class Meta:
        ordering = ["body__name", "-version"]
        unique_together = [("body", "code", "version")]
        verbose_name = _("legal review catalogue")
        verbose_name_plural = _("legal review catalogues")

    def __str__(self) -> str:
        return self.title


class ReviewThreshold(models.Model):
    catalogue = models.ForeignKey(ReviewCatalogue, on_delete=models.CASCADE,
                                  related_name="thresholds")
    party_type = models.CharField(_("party type"), max_length=32, choices=PartyType.choices)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    comparator = models.CharField(_("comparator"), max_length=4, choices=Comparator.choices)
    counts_confiscation = models.BooleanField(
        _("confiscated value counts"), default=True,
        help_text=_("Confiscation of an equivalent amount also triggers review."),
    )

    class Meta:
        unique_together = [("catalogue", "party_type")]
        verbose_name = _("amount threshold")
        verbose_name_plural = _("amount thresholds")

    def __str__(self) -> str:
        return f"{self.get_party_type_display()} {self.get_comparator_display()} {self.amount_fen}"

    def is_met(self, amount_fen: int) -> bool:
        if self.comparator == Comparator.GT:
            return amount_fen > self.amount_fen
        return amount_fen >= self.amount_fen


class ReviewCategoryTrigger(models.Model):
    catalogue = models.ForeignKey(ReviewCatalogue, on_delete=models.CASCADE,
                                  related_name="category_triggers")
    trigger = models.CharField(_("trigger"), max_length=32, choices=ReviewTrigger.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        unique_together = [("catalogue", "trigger")]
        verbose_name = _("category trigger")
        verbose_name_plural = _("category triggers")

    def __str__(self) -> str:
        return self.get_trigger_display()


class HearingThreshold(BaseModel, Versioned):
    """较大数额 for the hearing right (APL art. 63), set per province and optionally sector."""

    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT,
                               related_name="hearing_thresholds")
    sector = models.ForeignKey(Sector, verbose_name=_("sector"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="hearing_thresholds",
                               help_text=_("Empty: applies to every sector without its own."))
    party_type = models.CharField(_("party type"), max_length=32, choices=PartyType.choices)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    comparator = models.CharField(_("comparator"), max_length=4, choices=Comparator.choices,
                                  default=Comparator.GTE)
    source_document = models.CharField(_("source document"), max_length=200)

    class Meta:
        ordering = ["region", "sector", "party_type"]
        verbose_name = _("hearing threshold")
        verbose_name_plural = _("hearing thresholds")

    def __str__(self) -> str:
        return f"{self.region.name} {self.get_party_type_display()}"

    def is_met(self, amount_fen: int) -> bool:
        """Whether a penalty of ``amount_fen`` reaches 较大数额, so that the party must be told of
        the right to a hearing (APL art. 63); 含本数 (``gte``) unless the rule says 不含本数."""
        if self.comparator == Comparator.GT:
            return amount_fen > self.amount_fen
        return amount_fen >= self.amount_fen
