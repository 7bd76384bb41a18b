"""Demo evidence, made through the evidence services after the demo cases: recording devices
(with one lacking its APL art. 41 review, to show the warning), evidence items of several
statutory kinds with photos, audio and questioning records on the login officer's general
cases, a share with a court, a dispute hold, a retention class, and one closed case archived
into its case-file package. All media are made on the spot (``media``) and fictional.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from zhifa.cases.models import Case, CaseStatus
from zhifa.evidence.archive.build import archive_create
from zhifa.evidence.hashing import hash_chunks
from zhifa.evidence.models import DeviceKind, EvidenceKind, HoldKind, RecipientKind
from zhifa.evidence.retention import evidence_item_adopt, retention_class_save
from zhifa.evidence.services import evidence_file_create, evidence_item_create
from zhifa.evidence.services.custody import share_create
from zhifa.evidence.services.devices import device_save
from zhifa.evidence.services.holds import hold_place
from zhifa.evidence.sniff import sniff
from zhifa.orgs.models import Person, User

from ..data.accounts import ACCOUNTS_BODY
from . import LoadContext, media

EARLY = {"source", "registered"}  # stages with nothing collected yet


def _store(actor: User, item: Any, data: bytes, filename: str,
           metadata: dict[str, Any] | None = None) -> None:
    """Hand ``data`` to the evidence store the way a finished upload does."""
    folder = Path(settings.ZHIFA_UPLOAD_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"demo-{item.case.pk}-{item.seq}-{len(data)}.part"
    path.write_bytes(data)
    evidence_file_create(actor=actor, item=item, path=path, digests=hash_chunks([data]),
                         mime=sniff(data[:8192]), filename=filename, metadata=metadata)


def _devices(ctx: LoadContext, head: User, admin: User) -> None:
    body = ctx.bodies[ACCOUNTS_BODY]
    today = timezone.localdate()
    officers = list(Person.objects.filter(body=body, account__isnull=False).order_by("id")[:3])
    for n, holder in enumerate(officers, start=1):
        device_save(actor=head, body=body, serial=f"DSJ-DEMO-{n:03d}",
                    kind=DeviceKind.BODY_CAMERA, model_name="执法记录仪（演示型号）",
                    holder=holder, reviewed_on=today - dt.timedelta(days=300 + n),
                    review_note=f"法制和技术审核（演示）第{n}号",
                    clock_checked_on=today - dt.timedelta(days=7))
    device_save(actor=head, body=body, serial="JK-DEMO-001", kind=DeviceKind.FIXED_MONITOR,
                model_name="询问室固定监控（演示）", location="执法办案区询问室一",
                reviewed_on=today - dt.timedelta(days=400), review_note="法制和技术审核（演示）")
    # a camera not yet reviewed: the register and its recordings show the warning
    device_save(actor=head, body=body, serial="DSJ-DEMO-099", kind=DeviceKind.BODY_CAMERA,
                model_name="执法记录仪（演示型号，待审核）")
    for key, other in ctx.bodies.items():
        if key != ACCOUNTS_BODY and other.status == "active":
            device_save(actor=admin, body=other, serial="DSJ-DEMO-001",
                        kind=DeviceKind.BODY_CAMERA, model_name="执法记录仪（演示型号）",
                        reviewed_on=today - dt.timedelta(days=200),
                        review_note="法制和技术审核（演示）")


def _items(officer: User, case: Case, n: int) -> list[Any]:
    when = timezone.make_aware(dt.datetime.combine(case.received_on, dt.time(10, 20)))
    step = case.steps.filter(action="record_investigation").order_by("id").first()
    me = [officer.person] if officer.person else []
    photo = evidence_item_create(
        actor=officer, case=case, kind=EvidenceKind.PHYSICAL, title="涉案物品现场照片",
        description="现场检查时拍摄的涉案物品照片（演示数据）。", source="现场检查拍摄",
        collected_at=when, place="经营场所", latitude="28.194100", longitude="112.982300",
        step=step, collectors=me)
    for k in range(2):
        _store(officer, photo, media.png(160, 120, n * 3 + k), f"现场照片_{k + 1}.png")
    record = evidence_item_create(
        actor=officer, case=case, kind=EvidenceKind.PARTY_STATEMENT, title="询问笔录",
        description="对当事人的询问笔录（演示数据）。", source="当事人",
        collected_at=when + dt.timedelta(hours=1), place="执法办案区询问室一", step=step,
        collectors=me)
    text = (f"询问笔录（演示数据）\n案件：{case.number}\n问：你是否知道检查的原因？\n"
            "答：知道。\n（以下空白）\n").encode()
    _store(officer, record, text, "询问笔录.txt")
    audio = evidence_item_create(
        actor=officer, case=case, kind=EvidenceKind.AUDIO_VISUAL, title="询问过程录音",
        source="询问室固定监控", collected_at=when + dt.timedelta(hours=1),
        place="执法办案区询问室一", collectors=me)
    start = when + dt.timedelta(hours=1)
    _store(officer, audio, media.wav(6, n), "询问录音.wav", metadata={
        "device": "JK-DEMO-001", "started_at": start.isoformat(),
        "ended_at": (start + dt.timedelta(seconds=6)).isoformat()})
    return [photo, record, audio]


def load(ctx: LoadContext) -> None:
    body = ctx.bodies[ACCOUNTS_BODY]
    officer = User.objects.get(username="officer")
    head = User.objects.get(username="head")
    admin = User.objects.get(username="sysadmin")
    _devices(ctx, head, admin)
    retention_class_save(actor=head, body=body, code="general-36", name="一般程序案件音像资料",
                         months=36, procedure="general", source="本机关音像记录管理办法（演示）")
    mine = (Case.objects.filter(body=body, procedure="general", is_demo=True,
                                officers__person=officer.person)
            .exclude(stage__in=EARLY).distinct().order_by("received_on", "id"))
    open_cases = [c for c in mine if c.status == CaseStatus.OPEN][:6]
    closed = list(Case.objects.filter(body=body, is_demo=True, status=CaseStatus.CLOSED)
                  .exclude(procedure="licensing").order_by("received_on", "id")[:2])
    for n, case in enumerate(open_cases + closed):
        items = _items(officer, case, n)
        if case.decided_on or case.status == CaseStatus.CLOSED:
            for item in items[:2]:  # used as evidence in the decision: kept permanently
                evidence_item_adopt(actor=officer, item=item, adopted=True)
    decided = next((c for c in open_cases if c.decided_on), None)
    if decided is not None:
        share_create(actor=officer, case=decided,
                     files=[f for i in decided.evidence_items.all() for f in i.files.all()],
                     recipient_kind=RecipientKind.COURT, recipient="长沙市芙蓉区人民法院（演示）",
                     purpose="行政诉讼举证（演示）",
                     expires_at=timezone.now() + dt.timedelta(days=30))
    if closed:
        hold_place(actor=officer, case=closed[0], kind=HoldKind.RECONSIDERATION,
                   reason="当事人已申请行政复议（演示）。")
    if len(closed) > 1:
        archive_create(actor=head, case=closed[1])
