"""Legal review of major enforcement decisions (重大执法决定法制审核; APL art. 58, 国办发〔2018〕
118号).

- ``ReviewDetermination``: whether the case's decision needs review, and exactly which rule
  said so (statutory triggers, the body's catalogue, a voluntary submission), evaluated again
  whenever the proposed decision changes.
- ``ReviewRequest``: the case's review, one per case, in rounds (``ReviewRound``): the handler
  submits a package, a reviewer of the legal-review office gives a structured opinion; any
  opinion but "agree" returns the case to the handler, who changes and submits again.
- ``ReviewExtension``: 3 more working days, with a head's approval.
- ``CollectiveDiscussion``: when the handler contests an opinion (or a complex case needs it),
  the heads discuss; each attendee's view is recorded, and the conclusion binds the case.

Every change is made by a service in ``services`` that writes the ledger (``events``) in the
same transaction. Nothing here is deleted by the platform.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhifa.cases.models import Case
from zhifa.catalog.models import ReviewCatalogue
from zhifa.core.models import BaseModel
from zhifa.orgs.models import EnforcementBody, Person

User = settings.AUTH_USER_MODEL


class Outcome(models.TextChoices):
    AGREE = "agree", _("Agree")
    AGREE_WITH_CHANGES = "agree_with_changes", _("Agree with changes")
    SUPPLEMENT = "supplement", _("Supplement the investigation")
    DO_NOT_DECIDE = "do_not_decide", _("Do not make the decision")
    TRANSFER = "transfer", _("Transfer to judicial organs")


class Finding(models.TextChoices):
    OK = "ok", pgettext_lazy("review finding", "No problem")
    PROBLEM = "problem", pgettext_lazy("review finding", "Problem found")
    NOT_APPLICABLE = "na", pgettext_lazy("review finding", "Not applicable")


class RequestState(models.TextChoices):
    DRAFT = "draft", _("Package being prepared")
    SUBMITTED = "submitted", _("Submitted, waiting for a reviewer")
    IN_REVIEW = "in_review", pgettext_lazy("legal review", "Under review")
    RETURNED = "returned", _("Returned to the handler")
    CONTESTED = "contested", _("Contested: waiting for collective discussion")
    PASSED = "passed", _("Passed")
    DISCUSSED = "discussed", _("Decided by collective discussion")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# states in which the review is open at the legal-review office (its clock runs)
OPEN_STATES = (RequestState.SUBMITTED, RequestState.IN_REVIEW)


class ReviewDetermination(models.Model):
    """Whether the case's decision needs legal review, as last evaluated. ``reasons``: a list
    of ``{"code", "kind", "params"}`` (kind: statutory | threshold | category | voluntary);
    see ``triggers``. The history of determinations is in the ledger (``review.determined``)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="review_determination")
    required = models.BooleanField(_("legal review required"), default=False)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    catalogue = models.ForeignKey(ReviewCatalogue, verbose_name=_("review catalogue"), null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="+")
    basis = models.JSONField(_("evaluated on"), default=dict, blank=True)
    fingerprint = models.CharField(_("fingerprint"), max_length=64, blank=True)
    evaluated_at = models.DateTimeField(_("evaluated at"), auto_now=True)

    class Meta:
        verbose_name = _("legal review determination")
        verbose_name_plural = _("legal review determinations")

    def __str__(self) -> str:
        return f"{self.case_id} {'required' if self.required else 'not required'}"


class ReviewRequest(BaseModel):
    """The legal review of one case. Its rounds are kept; ``state`` is the latest's."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="review")
    body = models.ForeignKey(EnforcementBody, verbose_name=_("enforcement body"),
                             on_delete=models.PROTECT, related_name="review_requests")
    state = models.CharField(_("state"), max_length=16, choices=RequestState.choices,
                             default=RequestState.DRAFT, db_index=True)
    voluntary = models.BooleanField(
        _("submitted voluntarily"), default=False,
        help_text=_("Sent to review although no rule requires it."))
    catalogue = models.ForeignKey(ReviewCatalogue, verbose_name=_("review catalogue"), null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="+")
    # the stage the case was submitted from (``reported`` or ``notified``)
    origin_stage = models.CharField(_("submitted from stage"), max_length=32, blank=True)
    current_round = models.PositiveSmallIntegerField(_("round"), default=0)
    # the proposal the review passed (the latest round's, or the discussion's): the decision
    # must not be heavier
    passed_proposal = models.JSONField(_("proposal passed"), default=dict, blank=True)
    passed_on = models.DateField(_("passed on"), null=True, blank=True)
    created_by = models.ForeignKey(User, verbose_name=_("created by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("legal review request")
        verbose_name_plural = _("legal review requests")
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["body", "state"])]

    def __str__(self) -> str:
        return f"{self.case} ({self.get_state_display()})"


class RoundState(models.TextChoices):
    DRAFT = "draft", _("Package being prepared")
    SUBMITTED = "submitted", _("Submitted")
    DECIDED = "decided", _("Opinion given")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ReviewRound(BaseModel):
    """One submission and its opinion. Never edited after its opinion is given."""

    request = models.ForeignKey(ReviewRequest, on_delete=models.PROTECT, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("round"))
    state = models.CharField(_("state"), max_length=16, choices=RoundState.choices,
                             default=RoundState.DRAFT)
    # the package (送审材料)
    proposal = models.JSONField(_("proposed decision"), default=dict, blank=True)
    materials = models.JSONField(pgettext_lazy("legal review", "materials"), default=list,
                                 blank=True)
    handling_opinion = models.TextField(_("handling department's opinion"), blank=True)
    changes = models.TextField(_("changes since the last opinion"), blank=True)
    determination = models.JSONField(_("why review is required"), default=list, blank=True)
    submitted_by = models.ForeignKey(User, verbose_name=_("submitted by"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    # the time limit: ``review_days`` working days from submission (the package is complete
    # when submitted), plus an approved extension; ``case_due``: the case's own deadline then
    due = models.DateField(_("review due"), null=True, blank=True, db_index=True)
    review_days = models.PositiveSmallIntegerField(_("review time limit (working days)"),
                                                   default=7)
    extended_days = models.PositiveSmallIntegerField(_("extension (working days)"), default=0)
    case_due = models.DateField(_("case deadline"), null=True, blank=True)
    fits = models.BooleanField(_("fits inside the case's deadline"), default=True)
    # the reviewer
    reviewer = models.ForeignKey(Person, verbose_name=_("legal reviewer"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="review_rounds")
    assigned_by = models.ForeignKey(User, verbose_name=_("assigned by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    # the opinion (法制审核意见): per point ``{"code", "finding", "comment"}``
    points = models.JSONField(_("review points"), default=list, blank=True)
    outcome = models.CharField(pgettext_lazy("legal review", "outcome"), max_length=32,
                               choices=Outcome.choices, blank=True)
    opinion = models.TextField(_("opinion"), blank=True)
    changes_required = models.TextField(_("changes required"), blank=True)
    opinion_saved_at = models.DateTimeField(_("opinion draft saved at"), null=True, blank=True)
    decided_by = models.ForeignKey(User, verbose_name=_("opinion given by"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("opinion given at"), null=True, blank=True)
    decided_on = models.DateField(_("opinion date"), null=True, blank=True)
    late = models.BooleanField(_("given after the time limit"), default=False)
    late_reason = models.TextField(_("reason for the delay"), blank=True)
    opinion_document = models.ForeignKey(
        "documents.Document", verbose_name=_("review opinion document"), null=True,
        blank=True, on_delete=models.PROTECT, related_name="+")
    overdue_alerted = models.BooleanField(_("overdue alert sent"), default=False)

    class Meta:
        verbose_name = _("review round")
        verbose_name_plural = _("review rounds")
        ordering = ["request", "number"]
        unique_together = [("request", "number")]

    def __str__(self) -> str:
        return f"{self.request_id} #{self.number}"


class ExtensionState(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class ReviewExtension(BaseModel):
    round = models.ForeignKey(ReviewRound, on_delete=models.PROTECT, related_name="extensions")
    days = models.PositiveSmallIntegerField(_("working days"))
    reason = models.TextField(_("reason"))
    state = models.CharField(_("state"), max_length=16, choices=ExtensionState.choices,
                             default=ExtensionState.PENDING)
    requested_by = models.ForeignKey(User, verbose_name=_("requested by"),
                                     on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(User, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("review extension")
        verbose_name_plural = _("review extensions")
        ordering = ["round", "id"]

    def __str__(self) -> str:
        return f"{self.round} +{self.days}"


class DiscussionReason(models.TextChoices):
    CONTESTED = "contested", _("The handler contests the legal review opinion")
    COMPLEX = "complex", _("Complex or major case (APL art. 57 §2)")


class DiscussionState(models.TextChoices):
    PENDING = "pending", _("Waiting for the discussion")
    HELD = "held", _("Held")


class Conclusion(models.TextChoices):
    PROPOSAL = "proposal", _("Make the decision as the handler proposes")
    OPINION = "opinion", _("Follow the legal review opinion")
    OTHER = "other", _("Another decision (stated in the conclusion)")


class Position(models.TextChoices):
    PROPOSAL = "proposal", _("For the handler's proposal")
    OPINION = "opinion", _("For the review opinion")
    OTHER = "other", pgettext_lazy("discussion position", "Other view")
    ABSTAIN = "abstain", _("Abstains")


class CollectiveDiscussion(BaseModel):
    """集体讨论: the heads' discussion of a contested opinion or a complex case. Its
    conclusion binds the case (APL art. 57 §2)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="discussions")
    request = models.ForeignKey(ReviewRequest, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="discussions")
    round = models.ForeignKey(ReviewRound, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="discussions")
    reason = models.CharField(_("reason"), max_length=16, choices=DiscussionReason.choices)
    state = models.CharField(_("state"), max_length=16, choices=DiscussionState.choices,
                             default=DiscussionState.PENDING, db_index=True)
    grounds = models.TextField(_("grounds for contesting"), blank=True)
    raised_by = models.ForeignKey(User, verbose_name=_("raised by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(_("raised at"), null=True, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    held_on = models.DateField(_("held on"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    presided_by = models.ForeignKey(Person, verbose_name=_("presided by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    conclusion = models.CharField(_("conclusion"), max_length=16, choices=Conclusion.choices,
                                  blank=True)
    conclusion_text = models.TextField(_("conclusion (text)"), blank=True)
    recorded_by = models.ForeignKey(User, verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    record_document = models.ForeignKey(
        "documents.Document", verbose_name=_("discussion record"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("collective discussion")
        verbose_name_plural = _("collective discussions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.case} {self.get_reason_display()}"


class DiscussionAttendee(models.Model):
    discussion = models.ForeignKey(CollectiveDiscussion, on_delete=models.CASCADE,
                                   related_name="attendees")
    person = models.ForeignKey(Person, verbose_name=_("attendee"), on_delete=models.PROTECT,
                               related_name="+")
    position = models.CharField(_("position"), max_length=16, choices=Position.choices)
    view = models.TextField(_("view"))

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        unique_together = [("discussion", "person")]
        ordering = ["discussion", "id"]

    def __str__(self) -> str:
        return f"{self.person} {self.get_position_display()}"
