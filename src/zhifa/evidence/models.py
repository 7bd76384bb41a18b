"""Evidence: items of the eight statutory kinds, their files (content-addressed blobs), tus
uploads in progress, audio/video records and recording devices, shares, retention and holds,
the recorded-matters list (音像记录事项清单) and case-file archives (案卷).

Nothing here is ever deleted through the ORM by the platform: a disposed file keeps its row
(state ``disposed``) and its blob row (state ``deleted``) with the hashes, so the proof
outlives the bytes.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhifa.cases.models import Case, CaseStep
from zhifa.catalog.models import EnforcementItem
from zhifa.core.models import BaseModel
from zhifa.ledger.models import Checkpoint
from zhifa.orgs.models import EnforcementBody, Person, Sector

User = settings.AUTH_USER_MODEL


class EvidenceKind(models.TextChoices):
    """APL art. 46 (and ALL art. 33): the eight kinds of evidence."""

    DOCUMENTARY = "documentary", _("Documentary evidence")
    PHYSICAL = "physical", _("Physical evidence")
    AUDIO_VISUAL = "audio_visual", _("Audio-visual material")
    ELECTRONIC = "electronic", _("Electronic data")
    WITNESS = "witness", _("Witness testimony")
    PARTY_STATEMENT = "party_statement", _("Statement of the party")
    EXPERT_OPINION = "expert_opinion", _("Expert opinion")
    INSPECTION_RECORD = "inspection_record", _("Inspection or on-site record")


# --- Stored bytes -----------------------------------------------------------------------------
class BlobState(models.TextChoices):
    PRESENT = "present", _("Stored")
    DELETED = "deleted", _("Deleted (tombstone)")


class VerifyState(models.TextChoices):
    UNCHECKED = "unchecked", _("Not yet re-checked")
    OK = "ok", _("Hashes match")
    MISMATCH = "mismatch", _("Hash mismatch")
    MISSING = "missing", _("Missing from storage")


class Blob(models.Model):
    """The same bytes are stored once: the SHA-256 is the storage address, SM3 the national
    standard hash recorded beside it. Rows stay after the bytes are deleted (tombstones)."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    sm3 = models.CharField(_("SM3"), max_length=64, db_index=True)
    size = models.BigIntegerField(_("size (bytes)"))
    mime = models.CharField(_("content type"), max_length=100)
    storage = models.CharField(_("storage backend"), max_length=16)
    key = models.CharField(_("storage key"), max_length=255)
    state = models.CharField(_("state"), max_length=16, choices=BlobState.choices,
                             default=BlobState.PRESENT)
    deleted_at = models.DateTimeField(_("bytes deleted at"), null=True, blank=True)
    verify_state = models.CharField(_("last check"), max_length=16, choices=VerifyState.choices,
                                    default=VerifyState.UNCHECKED)
    verified_at = models.DateTimeField(_("last checked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("stored at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")

    def __str__(self) -> str:
        return f"{self.sha256[:12]}… ({self.size} B)"


# --- Evidence items and their files -----------------------------------------------------------
class ItemState(models.TextChoices):
    ACTIVE = "active", _("In the file")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class EvidenceItem(BaseModel):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="evidence_items")
    seq = models.PositiveIntegerField(_("evidence number"))
    kind = models.CharField(_("kind of evidence"), max_length=32, choices=EvidenceKind.choices)
    title = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True,
                              help_text=_("Where or from whom the evidence was obtained."))
    collected_at = models.DateTimeField(_("collected at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True,
                                   blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True,
                                    blank=True)
    step = models.ForeignKey(CaseStep, verbose_name=_("case step"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="evidence_items")
    collectors = models.ManyToManyField(Person, verbose_name=_("collecting officers"),
                                        blank=True, related_name="collected_evidence")
    # 采信: used as evidence for the decision; its files are then kept permanently
    adopted = models.BooleanField(_("used as evidence in the decision"), default=False)
    state = models.CharField(_("state"), max_length=16, choices=ItemState.choices,
                             default=ItemState.ACTIVE)
    state_reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(User, verbose_name=_("recorded by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    meta = models.JSONField(_("other details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")
        ordering = ["case_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"],
                                               name="evidence_item_seq_unique")]

    def __str__(self) -> str:
        return f"{self.seq}. {self.title}"


class FileState(models.TextChoices):
    ACTIVE = "active", _("Stored")
    DISPOSED = "disposed", _("Disposed (bytes deleted)")


class RetentionClass(BaseModel):
    """How long an agency keeps the files of a matter. ``months`` empty = permanently."""

    body = models.ForeignKey(EnforcementBody, verbose_name=_("enforcement body"), null=True,
                             blank=True, on_delete=models.PROTECT, related_name="+",
                             help_text=_("Empty: the installation's default for every body."))
    code = models.CharField(_("code"), max_length=64)
    name = models.CharField(pgettext_lazy("retention class", "name"), max_length=128)
    item = models.ForeignKey(EnforcementItem, verbose_name=_("enforcement item"), null=True,
                             blank=True, on_delete=models.PROTECT, related_name="+")
    sector = models.ForeignKey(Sector, verbose_name=_("enforcement category"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+")
    procedure = models.CharField(_("procedure"), max_length=64, blank=True)
    months = models.PositiveIntegerField(_("kept for (months)"), null=True, blank=True,
                                         help_text=_("At least 6. Empty: kept permanently."))
    source = models.CharField(_("legal source"), max_length=200, blank=True)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("retention class")
        verbose_name_plural = _("retention classes")
        constraints = [models.UniqueConstraint(fields=["body", "code"],
                                               name="evidence_retention_class_unique")]

    def __str__(self) -> str:
        return self.name


class EvidenceFile(BaseModel):
    """One file of an item: a complete upload whose hashes are on the ledger. A file is never
    partial: it is created only when its upload has every byte and passed every check."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="evidence_files")
    item = models.ForeignKey(EvidenceItem, verbose_name=_("evidence item"),
                             on_delete=models.PROTECT, related_name="files")
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="files")
    filename = models.CharField(_("file name"), max_length=255)
    mime = models.CharField(_("content type"), max_length=100)
    size = models.BigIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(User, verbose_name=_("uploaded by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=16, choices=FileState.choices,
                             default=FileState.ACTIVE)
    disposed_at = models.DateTimeField(_("disposed at"), null=True, blank=True)
    retention_class = models.ForeignKey(RetentionClass, verbose_name=_("retention class"),
                                        null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="files")
    # empty with a class of limited months: computed when the case closes
    retain_until = models.DateField(_("kept until"), null=True, blank=True)
    permanent = models.BooleanField(_("kept permanently"), default=False)
    ledger_seq = models.BigIntegerField(_("ledger entry"), null=True, blank=True)
    meta = models.JSONField(_("other details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["case_id", "id"]

    def __str__(self) -> str:
        return self.filename

    @property
    def is_video(self) -> bool:
        return self.mime.startswith("video/")

    @property
    def is_audio(self) -> bool:
        return self.mime.startswith("audio/")

    @property
    def is_image(self) -> bool:
        return self.mime.startswith("image/")


# --- tus uploads in progress ------------------------------------------------------------------
class UploadState(models.TextChoices):
    OPEN = "open", _("Receiving")
    COMPLETE = "complete", _("Complete")
    TERMINATED = "terminated", _("Cancelled")
    EXPIRED = "expired", _("Expired")
    REFUSED = "refused", _("Refused")


class Upload(BaseModel):
    """A tus upload. Its bytes are in ``<ZHIFA_DATA_DIR>/uploads/<public_id>.part`` until the
    last byte arrives; only then does it become an ``EvidenceFile`` (or is refused)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="uploads")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    length = models.BigIntegerField(_("declared length"))
    offset = models.BigIntegerField(_("bytes received"), default=0)
    filename = models.CharField(_("file name"), max_length=255)
    # Upload-Metadata, decoded: item / kind / title / device / started_at / … (see tus.py)
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=UploadState.choices,
                             default=UploadState.OPEN)
    error_code = models.CharField(_("error code"), max_length=64, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    file = models.ForeignKey(EvidenceFile, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")

    class Meta:
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")


# --- Audio/video ------------------------------------------------------------------------------
class DeviceKind(models.TextChoices):
    BODY_CAMERA = "body_camera", _("Body-worn camera")
    CAMERA = "camera", _("Camera")
    FIXED_MONITOR = "fixed_monitor", _("Fixed monitoring equipment")
    AUDIO_RECORDER = "audio_recorder", _("Audio recorder")
    OTHER = "other", _("Other device")


class DeviceStatus(models.TextChoices):
    ACTIVE = "active", _("In use")
    RETIRED = "retired", _("Retired")


class RecordingDevice(BaseModel):
    """APL art. 41: electronic monitoring equipment used for enforcement passes a legal and
    technical review before use; the review date is recorded here."""

    body = models.ForeignKey(EnforcementBody, verbose_name=_("enforcement body"),
                             on_delete=models.PROTECT, related_name="recording_devices")
    kind = models.CharField(_("kind"), max_length=32, choices=DeviceKind.choices)
    serial = models.CharField(_("serial number"), max_length=64)
    model_name = models.CharField(_("model"), max_length=128, blank=True)
    holder = models.ForeignKey(Person, verbose_name=pgettext_lazy("recording device", "holder"),
                               null=True, blank=True, on_delete=models.PROTECT,
                               related_name="recording_devices")
    location = models.CharField(_("installed at"), max_length=200, blank=True)
    reviewed_on = models.DateField(_("legal and technical review passed on"), null=True,
                                   blank=True)
    review_note = models.CharField(_("review reference"), max_length=200, blank=True)
    clock_checked_on = models.DateField(_("clock last checked on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=DeviceStatus.choices,
                              default=DeviceStatus.ACTIVE)

    class Meta:
        verbose_name = _("recording device")
        verbose_name_plural = _("recording devices")
        ordering = ["body_id", "serial"]
        constraints = [models.UniqueConstraint(fields=["body", "serial"],
                                               name="evidence_device_serial_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.serial}"


class ProbeState(models.TextChoices):
    PENDING = "pending", _("Being analysed")
    DONE = "done", _("Analysed")
    FAILED = "failed", _("Could not be analysed")


class AvRecord(BaseModel):
    """The recording details of an audio/video file: who recorded what, with which device,
    from when to when. ``started_at``/``ended_at`` are what coverage checks; the duration and
    poster frame come from ffprobe/ffmpeg in a background task."""

    file = models.OneToOneField(EvidenceFile, on_delete=models.PROTECT, related_name="av")
    device = models.ForeignKey(RecordingDevice, verbose_name=_("recording device"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="records")
    officer = models.ForeignKey(Person, verbose_name=_("recording officer"), null=True,
                                blank=True, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("recording started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("recording ended at"), null=True, blank=True)
    duration_ms = models.BigIntegerField(_("duration (ms)"), null=True, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True,
                                   blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True,
                                    blank=True)
    interruption_note = models.TextField(_("interruptions explained"), blank=True)
    probe_state = models.CharField(_("analysis"), max_length=16, choices=ProbeState.choices,
                                   default=ProbeState.PENDING)
    probe = models.JSONField(_("analysis result"), default=dict, blank=True)
    poster = models.ForeignKey(Blob, verbose_name=_("poster frame"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("audio/video record")
        verbose_name_plural = _("audio/video records")


# --- Custody: shares --------------------------------------------------------------------------
class RecipientKind(models.TextChoices):
    REVIEWER = "reviewer", _("Legal reviewer")
    COURT = "court", _("People's court")
    RECONSIDERATION = "reconsideration", _("Administrative reconsideration body")
    SUPERVISOR = "supervisor", _("Supervision body")
    OTHER = "other", _("Other")


class ShareLink(BaseModel):
    """A link that lets someone outside the case see chosen files until it expires or is
    revoked. Only the SHA-256 of the token is stored; the token is shown once."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="shares")
    recipient_kind = models.CharField(_("recipient"), max_length=32,
                                      choices=RecipientKind.choices)
    recipient = models.CharField(_("recipient name"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    files = models.ManyToManyField(EvidenceFile, verbose_name=_("files"), related_name="shares")
    allow_download = models.BooleanField(_("may download"), default=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    access_count = models.PositiveIntegerField(_("times opened"), default=0)

    class Meta:
        verbose_name = _("evidence share")
        verbose_name_plural = _("evidence shares")


# --- Retention: holds and disposal ------------------------------------------------------------
class HoldKind(models.TextChoices):
    RECONSIDERATION = "reconsideration", _("Administrative reconsideration")
    LITIGATION = "litigation", _("Administrative litigation")
    COMPLAINT = "complaint", _("Complaint or petition")
    SUPERVISION = "supervision", _("Supervision or audit")
    OTHER = "other", _("Other dispute")


class LegalHold(BaseModel):
    """A dispute hold: while any hold on a case is in place (and while the case is open),
    none of its files can be disposed of, whatever their retention."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="holds")
    kind = models.CharField(_("kind"), max_length=32, choices=HoldKind.choices)
    reason = models.TextField(_("reason"))
    placed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    release_reason = models.TextField(_("reason for release"), blank=True)

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("holds")


class DisposalState(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved and carried out")
    REJECTED = "rejected", _("Rejected")


class DisposalRequest(BaseModel):
    """Deleting expired bytes needs a second person's approval; the rows and the ledger keep
    the hashes (the tombstone)."""

    body = models.ForeignKey(EnforcementBody, on_delete=models.PROTECT, related_name="+")
    files = models.ManyToManyField(EvidenceFile, verbose_name=_("files"),
                                   related_name="disposal_requests")
    reason = models.TextField(_("reason"))
    state = models.CharField(_("state"), max_length=16, choices=DisposalState.choices,
                             default=DisposalState.PENDING)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("disposal request")
        verbose_name_plural = _("disposal requests")


# --- Recording coverage -----------------------------------------------------------------------
class Requirement(models.TextChoices):
    MANDATORY = "mandatory", _("Recorded in full (mandatory)")
    AS_NEEDED = "as_needed", _("Recorded as circumstances require")


class RecordedMatter(BaseModel):
    """One line of an agency's 音像记录事项清单: which step of which procedure is recorded on
    audio/video, and whether in full. A line with no body is the installation's default,
    used by every body that has no line of its own for that step."""

    body = models.ForeignKey(EnforcementBody, verbose_name=_("enforcement body"), null=True,
                             blank=True, on_delete=models.PROTECT, related_name="+")
    matter = models.CharField(_("matter"), max_length=200)
    procedure = models.CharField(_("procedure"), max_length=64)
    action = models.CharField(_("step (action)"), max_length=64)
    # data conditions on the step, e.g. {"measure": ["seal", "impound"]}
    when = models.JSONField(_("only when the step's data match"), default=dict, blank=True)
    requirement = models.CharField(_("requirement"), max_length=16,
                                   choices=Requirement.choices)
    source = models.CharField(_("legal source"), max_length=200, blank=True)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("recorded matter")
        verbose_name_plural = _("recorded matters (音像记录事项清单)")
        ordering = ["body_id", "procedure", "action"]

    def __str__(self) -> str:
        return self.matter


# --- Case-file archive ------------------------------------------------------------------------
class CaseArchive(BaseModel):
    """The archived case file: its number, the package in the store and the manifest hash on
    the ledger. Once it exists the case is read-only."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="archive")
    number = models.CharField(_("archive number"), max_length=64, unique=True)
    package = models.ForeignKey(Blob, verbose_name=_("package"), on_delete=models.PROTECT,
                                related_name="+")
    manifest_sha256 = models.CharField(_("manifest SHA-256"), max_length=64)
    manifest_sm3 = models.CharField(_("manifest SM3"), max_length=64)
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="+")
    ledger_seq = models.BigIntegerField(_("ledger entry"))
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    retention = models.CharField(_("kept"), max_length=32, default="permanent")

    class Meta:
        verbose_name = _("case-file archive")
        verbose_name_plural = _("case-file archives")

    def __str__(self) -> str:
        return self.number
