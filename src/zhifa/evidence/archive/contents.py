"""What goes into a case file: the case's particulars, its steps in the statutory order, its
evidence items and files, and which files are embedded or referenced by their hashes, and
what other apps contribute (``contributors``: the issued enforcement documents).

The documents are official records in Chinese whatever the reader's language: labels are
read with zh-Hans active, and the text of the documents is written in Chinese in the
templates (like the Chinese labels the ledger keeps in its payloads).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone, translation

from zhifa.cases.models import Case, CaseStep
from zhifa.cases.procedures import Action, Procedure, procedure_get
from zhifa.core.validators import mask_id_number

from ..hashing import DualHasher
from ..models import BlobState, EvidenceFile, EvidenceItem, FileState, ItemState
from . import layout
from .contributors import Contribution, contributions

# The statutory order of a case file (RULES.md "Case file order"; reference 8.3): each step
# of a built-in procedure goes to one part. Steps of an agency's own procedure that are not
# listed go to "decision" when they decide, else to "investigation".
PHASES: tuple[tuple[str, str], ...] = (
    ("registration", "立案（受理）"),
    ("investigation", "调查取证"),
    ("review", "审查（审核、告知、听证）"),
    ("decision", "决定"),
    ("service", "送达"),
    ("execution", "执行"),
    ("closing", "结案归档"),
)
PHASE_OF_ACTION = {
    **dict.fromkeys(("register", "decline", "accept", "request_materials",
                     "materials_supplied", "refuse_acceptance", "start"), "registration"),
    **dict.fromkeys(("start_investigation", "record_investigation", "preserve_evidence",
                     "decide_preservation", "suspend", "resume", "resume_investigation",
                     "submit_report", "start_inspection", "apply_measure", "start_testing",
                     "end_testing", "extend_measure", "start_pause", "end_pause",
                     "record_step"), "investigation"),
    **dict.fromkeys(("submit_legal_review", "record_review_opinion", "collective_discussion",
                     "serve_notice", "record_defence", "waive_defence", "request_hearing",
                     "schedule_hearing", "hold_hearing", "extend_decision"), "review"),
    **dict.fromkeys(("decide", "decide_on_spot", "grant", "deny", "conclude", "handle"),
                    "decision"),
    **dict.fromkeys(("serve_decision", "serve_freeze_decision", "issue_certificate"),
                    "service"),
    **dict.fromkeys(("record_payment", "grant_deferral", "send_reminder",
                     "apply_court_enforcement"), "execution"),
    **dict.fromkeys(("close", "file_with_agency", "archive"), "closing"),
}
# APL art. 46: the statutory names of the eight kinds, as the case file prints them.
KIND_NAMES = {
    "documentary": "书证", "physical": "物证", "audio_visual": "视听资料",
    "electronic": "电子数据", "witness": "证人证言", "party_statement": "当事人的陈述",
    "expert_opinion": "鉴定意见", "inspection_record": "勘验笔录、现场笔录",
}
RETENTION_LABELS = {"permanent": "永久", "30y": "30年", "10y": "10年"}
# Important files (general procedure, coercive measures, major cases) are kept permanently,
# ordinary ones 30 years (机关文件材料归档范围和文书档案保管期限规定; reference 8.3). An
# installation may map procedures otherwise with ZHIFA_ARCHIVE_RETENTION.
DEFAULT_RETENTION = {"general": "permanent", "coercive": "permanent", "*": "30y"}


def zh_date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def zh(value: Any) -> str:
    with translation.override("zh-hans"):
        return str(value)


def retention_for(case: Case) -> str:
    table = {**DEFAULT_RETENTION, **(getattr(settings, "ZHIFA_ARCHIVE_RETENTION", {}) or {})}
    if case.is_major:
        return "permanent"
    return table.get(case.procedure, table["*"])


@dataclass(frozen=True)
class StepView:
    step: CaseStep
    anchor: str
    phase: str
    fields: list[tuple[str, str]]
    warnings: list[str]
    from_label: str
    to_label: str

    @property
    def zh_date(self) -> str:
        return zh_date(self.step.acted_on)


@dataclass
class FileEntry:
    file: EvidenceFile
    member: str | None = None  # its path in the package; None: referenced by hash only
    note: str = ""

    @property
    def referenced(self) -> bool:
        """Referenced by its hashes, its original said to be kept in the agency's store
        (not embedded, not disposed of)."""
        return self.member is None and not file_disposed(self.file)


@dataclass
class ItemView:
    item: EvidenceItem
    anchor: str
    kind_label: str
    collectors: str
    files: list[FileEntry] = field(default_factory=list)

    @property
    def withdrawn(self) -> bool:
        return self.item.state == ItemState.WITHDRAWN

    @property
    def collected(self) -> str:
        at = self.item.collected_at
        return timezone.localtime(at).strftime("%Y年%m月%d日 %H:%M") if at else ""


@dataclass
class DocEntry:
    """A contributed row (an enforcement document) and its place in the package."""

    doc: Contribution
    sha256: str = ""
    sm3: str = ""
    size: int = 0
    member: str | None = None  # its path in the package; None: listed only (voided)

    @property
    def anchor(self) -> str:
        return "doc-" + "".join(c if c.isascii() and c.isalnum() else "-" for c in self.doc.key)

    @property
    def day(self) -> str:
        return zh_date(self.doc.date)


@dataclass(frozen=True)
class IndexRow:
    seq: int
    title: str
    day: str
    member: str  # a member path, with #anchor for places in the steps record
    note: str = ""


@dataclass(frozen=True)
class IndexGroup:
    label: str
    rows: list[IndexRow]


@dataclass
class CaseFile:
    case: Case
    number: str
    archived_at: dt.datetime
    archived_by: str
    retention: str
    procedure_label: str
    outcome_label: str
    parties: list[tuple[str, str, str]]  # name, type, identifier (ID numbers masked)
    officers: list[str]
    steps: list[StepView]
    items: list[ItemView]
    groups: list[IndexGroup]
    algorithm: str
    documents: list[DocEntry] = field(default_factory=list)

    @property
    def archived_on(self) -> dt.date:
        return timezone.localtime(self.archived_at).date()

    @property
    def retention_label(self) -> str:
        return RETENTION_LABELS.get(self.retention, self.retention)

    @property
    def files(self) -> list[FileEntry]:
        return [f for view in self.items for f in view.files]

    @property
    def rows(self) -> list[IndexRow]:
        return [r for g in self.groups for r in g.rows]


def _display(action: Action | None, name: str, value: Any) -> tuple[str, str]:
    f = next((f for f in action.fields if f.name == name), None) if action else None
    if f is None:
        text = "、".join(map(str, value)) if isinstance(value, list) else str(value)
        return name, text
    labels = {c.value: zh(c.label) for c in f.choices}
    if f.kind == "bool":
        text = "是" if value else "否"
    elif isinstance(value, list):
        text = "、".join(labels.get(str(v), str(v)) for v in value)
    elif f.kind == "choice":
        text = labels.get(str(value), str(value))
    elif f.kind == "money":
        text = f"{value}元"
    else:
        text = str(value)
    return zh(f.label), text


def _phase(action: Action | None, code: str) -> str:
    if code in PHASE_OF_ACTION:
        return PHASE_OF_ACTION[code]
    return "decision" if action is not None and action.deciding else "investigation"


def _stage_label(proc: Procedure, code: str) -> str:
    try:
        return zh(proc.stage(code).label)
    except ValueError:  # a stage an agency's procedure no longer has
        return code


def _step_views(case: Case, proc: Procedure) -> list[StepView]:
    views = []
    for step in case.steps.order_by("id"):
        action = proc.action(step.action)
        fields = [_display(action, k, v) for k, v in (step.data or {}).items()
                  if k != "acted_on" and v not in ("", None, [])]
        views.append(StepView(
            step=step, anchor=f"step-{step.pk}", phase=_phase(action, step.action),
            fields=fields, warnings=[str(w.get("message", w.get("code", "")))
                                     for w in step.warnings or [] if isinstance(w, dict)],
            from_label=_stage_label(proc, step.from_stage),
            to_label=_stage_label(proc, step.to_stage)))
    return views


def file_disposed(f: EvidenceFile) -> bool:
    return f.state == FileState.DISPOSED or f.blob.state == BlobState.DELETED


def _file_note(f: EvidenceFile, embed_max: int) -> str:
    if file_disposed(f):
        return "原件已按保管期限经批准处置，本卷仅保留其哈希值"
    if f.size > embed_max:
        return (f"文件较大（{f.size}字节），未装入本卷，以哈希值引用；"
                "原件保存于本机关证据存储")
    return ""


def _item_views(case: Case, embed_max: int) -> list[ItemView]:
    items = (EvidenceItem.objects.filter(case=case).order_by("seq")
             .prefetch_related("collectors", "files__blob"))
    views = []
    for item in items:
        files = [FileEntry(file=f, note=_file_note(f, embed_max))
                 for f in sorted(item.files.all(), key=lambda f: f.pk)]
        kind = KIND_NAMES.get(item.kind) or zh(item.get_kind_display())
        views.append(ItemView(item=item, anchor=f"evidence-{item.seq}", kind_label=kind,
                              collectors="、".join(p.name for p in item.collectors.all()),
                              files=files))
    return views


def _doc_entries(case: Case) -> list[DocEntry]:
    """The contributed rows with the digests of their bytes (a blob's recorded hashes; the
    package copies and checks them again)."""
    entries = []
    for doc in contributions(case):
        if doc.data is not None:
            h = DualHasher()
            h.update(doc.data)
            d = h.digests()
            entries.append(DocEntry(doc, d.sha256, d.sm3, d.size))
        elif doc.blob is not None:
            entries.append(DocEntry(doc, doc.blob.sha256, doc.blob.sm3, doc.blob.size))
        else:
            entries.append(DocEntry(doc))
    return entries


def _index(case: Case, steps: list[StepView], items: list[ItemView],
           documents: list[DocEntry] | None = None) -> list[IndexGroup]:
    """The index (卷内目录) in the statutory order; evidence follows the step it belongs to,
    else closes the investigation part; a contributed document follows its step (after the
    step's evidence) when that step is in the document's part, else closes its part.
    Assigns each embedded file and each contributed document its member path."""
    documents = documents or []
    by_step: dict[int, list[ItemView]] = {}
    loose: list[ItemView] = []
    for view in items:
        if view.item.step_id is not None and any(s.step.pk == view.item.step_id
                                                 for s in steps):
            by_step.setdefault(view.item.step_id, []).append(view)
        else:
            loose.append(view)
    phase_codes = {code for code, _label in PHASES}
    step_phase = {s.step.pk: s.phase for s in steps}
    docs_by_step: dict[int, list[DocEntry]] = {}
    docs_loose: dict[str, list[DocEntry]] = {}
    # by the type's place in its part, then the date; otherwise as the contributor gave them
    for entry in sorted(documents, key=lambda e: (e.doc.order, e.doc.date or dt.date.min)):
        stage = entry.doc.stage if entry.doc.stage in phase_codes else "decision"
        if entry.doc.step_id is not None and step_phase.get(entry.doc.step_id) == stage:
            docs_by_step.setdefault(entry.doc.step_id, []).append(entry)
        else:
            docs_loose.setdefault(stage, []).append(entry)
    parts: dict[str, list[tuple[str, Any]]] = {code: [] for code, _label in PHASES}
    parts["registration"].append(("source", None))
    for s in steps:
        parts[s.phase].append(("step", s))
        parts[s.phase] += [("item", v) for v in by_step.get(s.step.pk, [])]
        parts[s.phase] += [("doc", d) for d in docs_by_step.get(s.step.pk, [])]
    parts["investigation"] += [("item", v) for v in loose]
    for code in parts:
        parts[code] += [("doc", d) for d in docs_loose.get(code, [])]
    groups: list[IndexGroup] = []
    seq = 0
    for code, label in PHASES:
        rows: list[IndexRow] = []
        for kind, obj in parts[code]:
            seq += 1
            if kind == "source":
                rows.append(IndexRow(seq, f"案件来源登记：{case.title}",
                                     zh_date(case.received_on), f"{layout.STEPS}#case"))
            elif kind == "step":
                rows.append(IndexRow(seq, obj.step.label, zh_date(obj.step.acted_on),
                                     f"{layout.STEPS}#{obj.anchor}"))
            elif kind == "doc":
                doc = obj.doc
                if doc.has_file:
                    obj.member = layout.document_member(seq, doc.filename or doc.key)
                title = f"{doc.title}（{doc.number}）" if doc.number else doc.title
                rows.append(IndexRow(seq, title, zh_date(doc.date),
                                     obj.member or f"{layout.BACK_NOTE}#{obj.anchor}",
                                     doc.note))
            else:
                item = obj.item
                note = "已撤回" if item.state == ItemState.WITHDRAWN else ""
                rows.append(IndexRow(
                    seq, f"证据{item.seq}（{obj.kind_label}）：{item.title}",
                    zh_date(timezone.localtime(item.collected_at).date()
                            if item.collected_at else None),
                    f"{layout.STEPS}#{obj.anchor}", note))
                for entry in obj.files:
                    seq += 1
                    if not entry.note:
                        entry.member = layout.evidence_member(seq, item.seq,
                                                              entry.file.filename)
                    rows.append(IndexRow(
                        seq, f"证据{item.seq}的文件：{entry.file.filename}",
                        zh_date(timezone.localtime(entry.file.created_at).date()),
                        entry.member or f"{layout.BACK_NOTE}#file-{entry.file.public_id}",
                        entry.note and "以哈希值引用"))
        if rows:
            groups.append(IndexGroup(label=label, rows=rows))
    return groups


def case_file_collect(*, case: Case, number: str, archived_at: dt.datetime, archived_by: str,
                      algorithm: str) -> CaseFile:
    """Everything the package shows, read once, in a stable order."""
    proc = procedure_get(case.procedure, body=case.body)
    steps = _step_views(case, proc)
    items = _item_views(case, settings.ZHIFA_ARCHIVE_EMBED_MAX_BYTES)
    documents = _doc_entries(case)
    parties = [(p.name, zh(p.get_party_type_display()),
                p.credit_code or mask_id_number(p.id_number))
               for p in case.parties.order_by("id")]
    officers = [o.person.name for o in case.officers.select_related("person")
                .order_by("-role", "id")]
    return CaseFile(
        case=case, number=number, archived_at=archived_at, archived_by=archived_by,
        retention=retention_for(case), procedure_label=zh(proc.label),
        outcome_label=zh(case.get_outcome_display()) if case.outcome else "",
        parties=parties, officers=officers, steps=steps, items=items,
        groups=_index(case, steps, items, documents), algorithm=algorithm,
        documents=documents)
