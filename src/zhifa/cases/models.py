"""Cases: one row per enforcement matter, moving through a procedure (see ``procedures``).

Only ``services`` change these rows, each change with its ledger entry in the same
transaction. Amounts are integers in fen.
"""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhifa.catalog.models import EnforcementItem, PartyType, RandomInspectionItem
from zhifa.core.models import BaseModel
from zhifa.orgs.models import Department, EnforcementBody, Person, Region, Sector, User


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")
    ARCHIVED = "archived", _("Archived")


class SourceKind(models.TextChoices):
    INSPECTION = "inspection", _("Inspection")
    COMPLAINT = "complaint", _("Complaint or report")
    REFERRAL = "referral", _("Referral from another authority")
    RANDOM_DRAW = "random_draw", _("Random-inspection draw")
    APPLICATION = "application", _("Application")
    OTHER = "other", _("Other")


class Outcome(models.TextChoices):
    PENALTY = "penalty", _("Penalty")
    NO_PENALTY = "no_penalty", _("No penalty")
    TRANSFER = "transfer", _("Transferred to judicial organs")
    GRANTED = "granted", _("Licence granted")
    DENIED = "denied", _("Licence denied")
    NOT_ACCEPTED = "not_accepted", _("Application not accepted")
    NO_FINDING = "no_finding", _("No problem found")
    ORDER_TO_CORRECT = "order_to_correct", _("Order to correct")
    CASE_OPENED = "case_opened", _("Penalty case opened")
    MEASURE_HANDLED = "measure_handled", _("Measure handled")
    DECIDED = "decided", _("Decided")
    NOT_REGISTERED = "not_registered", _("Not registered")


class Case(BaseModel):
    number = models.CharField(_("case number"), max_length=64, unique=True)
    body = models.ForeignKey(EnforcementBody, verbose_name=_("enforcement body"),
                             on_delete=models.PROTECT, related_name="cases")
    department = models.ForeignKey(Department, verbose_name=_("department"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    procedure = models.CharField(_("procedure"), max_length=64, db_index=True)
    stage = models.CharField(_("stage"), max_length=64)
    status = models.CharField(_("status"), max_length=16, choices=CaseStatus.choices,
                              default=CaseStatus.OPEN, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    item = models.ForeignKey(EnforcementItem, verbose_name=_("enforcement item"), null=True,
                             blank=True, on_delete=models.PROTECT, related_name="cases")
    sector = models.ForeignKey(Sector, verbose_name=_("enforcement category"),
                               on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, verbose_name=_("place of the act (region)"),
                               on_delete=models.PROTECT, related_name="+")
    source_kind = models.CharField(_("case source"), max_length=16, choices=SourceKind.choices,
                                   default=SourceKind.INSPECTION)
    received_on = models.DateField(_("received on"))
    act_date = models.DateField(_("date of the act"), null=True, blank=True)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    handler = models.ForeignKey(Person, verbose_name=_("handler"), on_delete=models.PROTECT,
                                related_name="handled_cases")
    parent = models.ForeignKey("self", verbose_name=_("opened from"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    random_item = models.ForeignKey(
        RandomInspectionItem, verbose_name=_("random-inspection item"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="cases")
    draw_seed = models.CharField(_("draw seed"), max_length=64, blank=True)
    # the penalty proposed in the investigation report and the prior notice, and decided
    proposed_kinds = models.JSONField(_("proposed penalty kinds"), default=list, blank=True)
    proposed_fine = models.BigIntegerField(_("proposed fine (fen)"), null=True, blank=True)
    proposed_confiscation = models.BigIntegerField(_("proposed confiscation (fen)"), null=True,
                                                   blank=True)
    final_kinds = models.JSONField(_("penalty kinds"), default=list, blank=True)
    final_fine = models.BigIntegerField(_("fine (fen)"), null=True, blank=True)
    final_confiscation = models.BigIntegerField(_("confiscation (fen)"), null=True, blank=True)
    paid = models.BigIntegerField(_("paid (fen)"), default=0)
    outcome = models.CharField(_("outcome"), max_length=32, choices=Outcome.choices,
                               blank=True)
    is_major = models.BooleanField(_("major case"), default=False)
    is_complex = models.BooleanField(_("complex case"), default=False)
    review_passed_on = models.DateField(_("legal review passed on"), null=True, blank=True)
    discussed_on = models.DateField(_("collectively discussed on"), null=True, blank=True)
    notice_served_on = models.DateField(_("prior notice served on"), null=True, blank=True)
    hearing_right = models.BooleanField(_("party has a hearing right"), default=False)
    hearing_requested_on = models.DateField(_("hearing requested on"), null=True, blank=True)
    hearing_on = models.DateField(_("hearing date"), null=True, blank=True)
    hearing_held_on = models.DateField(_("hearing held on"), null=True, blank=True)
    defence_waived = models.BooleanField(_("rights waived"), default=False)
    decision_served_on = models.DateField(_("decision served on"), null=True, blank=True)
    reminder_served_on = models.DateField(_("reminder served on"), null=True, blank=True)
    court_applied_on = models.DateField(_("court enforcement applied on"), null=True,
                                        blank=True)
    flags = models.JSONField(_("flags"), default=dict, blank=True)
    data = models.JSONField(_("step data"), default=dict, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)
    created_by = models.ForeignKey(User, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["body", "status"]),
                   models.Index(fields=["handler", "status"])]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def stream(self) -> str:
        return f"case:{self.public_id}"


class Party(BaseModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    party_type = models.CharField(_("party type"), max_length=32, choices=PartyType.choices)
    name = models.CharField(pgettext_lazy("party", "name"), max_length=200)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=64,
                                            blank=True)
    address = models.CharField(_("address"), max_length=256, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def identifier(self) -> str:
        return self.credit_code or self.id_number


class OfficerRole(models.TextChoices):
    LEAD = "lead", _("Lead handler")
    ASSISTANT = "assistant", _("Co-handler")


class CaseOfficer(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="officers")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="case_roles")
    role = models.CharField(_("role"), max_length=16, choices=OfficerRole.choices)

    class Meta:
        verbose_name = _("case officer")
        verbose_name_plural = _("case officers")
        constraints = [models.UniqueConstraint(fields=["case", "person"],
                                               name="case_officer_unique")]
        ordering = ["-role", "id"]  # "lead" sorts after "assistant": lead first

    def __str__(self) -> str:
        return f"{self.case_id}:{self.person_id}"


class DeadlineState(models.TextChoices):
    RUNNING = "running", _("Running")
    MET = "met", _("Met")
    CANCELLED = "cancelled", _("No longer applies")


# Periods that run for the party, not for the agency: when they end the agency may go on
# (decide, apply to the court); they are never "overdue" on the agency's side.
PARTY_PERIODS = frozenset({"apl_statement_3", "apl_hearing_request_5", "apl_payment_15",
                           "acl_reminder_10", "cpl_announcement_30"})


def agency_overdue_q(today: Any) -> models.Q:
    """Running agency deadlines past due (for filters and annotations)."""
    return (models.Q(state="running", due__lt=today)
            & ~models.Q(rule_code__in=PARTY_PERIODS))


class CaseDeadline(models.Model):
    """A statutory time limit of this case, computed by ``workdays`` from its rule."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadlines")
    rule_code = models.CharField(_("rule"), max_length=64)
    label = models.CharField(_("deadline"), max_length=200)
    source = models.CharField(_("legal source"), max_length=200, blank=True)
    start = models.DateField(_("starts after"))
    extra = models.IntegerField(_("extension (units)"), default=0)
    due = models.DateField(_("due"), db_index=True)
    provisional = models.BooleanField(_("provisional"), default=False, db_index=True)
    state = models.CharField(_("state"), max_length=16, choices=DeadlineState.choices,
                             default=DeadlineState.RUNNING, db_index=True)
    met_on = models.DateField(_("met on"), null=True, blank=True)
    late_reason = models.TextField(_("reason for acting late"), blank=True)

    class Meta:
        verbose_name = _("case deadline")
        verbose_name_plural = _("case deadlines")
        ordering = ["due", "id"]

    def __str__(self) -> str:
        return f"{self.label} {self.due}"

    @property
    def party_period(self) -> bool:
        return self.rule_code in PARTY_PERIODS

    def overdue_on(self, today: Any) -> bool:
        return self.state == DeadlineState.RUNNING and self.due < today and not self.party_period

    def lapsed_on(self, today: Any) -> bool:
        """A party's period that has ended (the agency may go on)."""
        return self.state == DeadlineState.RUNNING and self.due < today and self.party_period


class CasePause(models.Model):
    """A suspension, testing or hearing interval that stops the pausable clocks."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pauses")
    kind = models.CharField(_("kind"), max_length=32)
    first_day = models.DateField(pgettext_lazy("pause", "from"))
    last_day = models.DateField(pgettext_lazy("pause", "until"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["first_day", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.first_day}–{self.last_day or ''}"


class CaseStep(models.Model):
    """One action taken on the case (the human-readable twin of its ledger entry)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("action"), max_length=64)
    label = models.CharField(_("step"), max_length=200)
    from_stage = models.CharField(_("from stage"), max_length=64, blank=True)
    to_stage = models.CharField(_("to stage"), max_length=64, blank=True)
    acted_on = models.DateField(_("date of the step"))
    actor = models.ForeignKey(User, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(_("by"), max_length=128, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    late_reason = models.TextField(_("reason for acting late"), blank=True)
    # non-blocking guard findings, e.g. [{"code": "party_minor", "message": …, "source": …}]
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    ledger_seq = models.BigIntegerField(_("ledger entry"), null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.label} {self.acted_on}"


class ApprovalLadder(BaseModel):
    """An agency's approval ladder for one procedure (承办人 → 审核 → 负责人), set without
    code. ``steps`` is a list of account roles, in order, e.g. ``["officer", "head"]`` where
    the first step is the department's reviewing officer and the last the head."""

    body = models.ForeignKey(EnforcementBody, verbose_name=_("enforcement body"),
                             on_delete=models.CASCADE, related_name="approval_ladders")
    procedure = models.CharField(_("procedure"), max_length=64)
    action = models.CharField(_("action"), max_length=64, blank=True,
                              help_text=_("Leave empty for every action that needs approval."))
    steps = models.JSONField(_("approval steps (roles in order)"), default=list)

    class Meta:
        verbose_name = _("approval ladder")
        verbose_name_plural = _("approval ladders")
        constraints = [models.UniqueConstraint(fields=["body", "procedure", "action"],
                                               name="approval_ladder_unique")]


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ApprovalRequest(BaseModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="approvals")
    action = models.CharField(_("action"), max_length=64)
    data = models.JSONField(_("data"), default=dict)
    reason = models.TextField(_("reason"), blank=True)
    late_reason = models.TextField(_("reason for acting late"), blank=True)
    steps = models.JSONField(_("approval steps"), default=list)
    current = models.PositiveSmallIntegerField(_("current step"), default=0)
    status = models.CharField(_("status"), max_length=16, choices=ApprovalStatus.choices,
                              default=ApprovalStatus.PENDING, db_index=True)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]


class ApprovalDecision(models.Model):
    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE,
                                related_name="decisions")
    step = models.PositiveSmallIntegerField(_("step"))
    role = models.CharField(_("role"), max_length=32)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    approved = models.BooleanField(_("approved"))
    comment = models.TextField(_("comment"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.request_id}#{self.step}"


class CaseCounter(models.Model):
    """Gapless case numbers per body, procedure family and year (locked on use)."""

    body = models.ForeignKey(EnforcementBody, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["body", "kind", "year"],
                                               name="case_counter_unique")]

    def __str__(self) -> str:
        return f"{self.kind}{self.year}:{self.last}"


class CustomProcedure(BaseModel):
    """An agency's own procedure for the categories without a statutory one, as data in the
    same format as the built-in procedures (validated on save by the service)."""

    body = models.ForeignKey(EnforcementBody, verbose_name=_("enforcement body"),
                             on_delete=models.CASCADE, related_name="custom_procedures")
    code = models.CharField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    definition = models.JSONField(_("definition"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("custom procedure")
        verbose_name_plural = _("custom procedures")
        constraints = [models.UniqueConstraint(fields=["body", "code"],
                                               name="custom_procedure_unique")]

    def __str__(self) -> str:
        return self.name

    def definition_with_code(self) -> Any:
        raw = dict(self.definition)
        raw["code"] = self.code
        raw.setdefault("label", self.name)
        return _freeze(raw)


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return ("__dict__", tuple((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value
