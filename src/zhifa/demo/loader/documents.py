"""Demo enforcement documents, made through the documents' services while the demo cases are
walked (``cases.walk`` calls the hooks of ``CaseDocuments`` at each step):

- before the cases: a document profile for every demo enforcement body (fictional address and
  phone, reconsideration body, court, payment instructions); a province template of the
  prior notice (行政处罚事先告知书), uploaded, filed with a fictional filing number and in
  force; a serial book of pre-numbered on-the-spot decision forms for every body with summary
  cases, which the summary cases' serials come from;
- the draft decision document with its three written reasons, which the decision's guard
  asks for: before every general-procedure decision (penalty or no penalty) that was not
  reviewed, and before each legal review, in the words the decision will be made in (the
  review passes that text: the gate refuses a decision whose draft changed after it; see
  ``cases.reviews``); for a licensing refusal reviewed, the draft refusal;
- in the accounts' body (芙蓉区市场监督管理局) only, to keep the load short (rendering one
  PDF takes about a second): the decision of every case that reached one, the prior notices
  of a few of them and the on-the-spot decisions of its closed summary cases (about twenty
  documents), issued on the day of their steps and served through the documents' service
  (in person; one decision by post; one by announcement, not yet deemed served); one prior
  notice voided (its number stays on record) and issued again; one spoiled form voided; and
  the case with the voided notice, archived by its recipe, packaged into its case file
  (``archive_create``) so that the package shows its documents;
- in one more body (芙蓉区城市管理和综合执法局, ``data.publicity.URBAN_BODY``), for its
  publicity clerk: its decisions only (every general-procedure decision, served in person,
  and the on-the-spot decisions of its archived summary cases and of the minor's), so that
  a second body publishes its decisions (``loader.publicity``; a publication is drafted when
  a decision document is issued).

Everything is fictional and marked as demo data (``Document.is_demo``; "演示" in the texts).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from zhifa.cases.models import Case
from zhifa.core.errors import ApplicationError
from zhifa.documents.models import Document, DocumentState, SerialBook, ServiceMethod
from zhifa.documents.render.chinese import date_zh, money_figures, money_upper
from zhifa.documents.services import (
    document_draft,
    document_issue,
    document_update,
    document_void,
    profile_save,
    serial_book_register,
    serial_void,
    service_record,
    template_activate,
    template_file,
    template_upload,
)
from zhifa.evidence.archive.build import archive_create
from zhifa.orgs.models import EnforcementBody, User

from ..data.accounts import ACCOUNTS_BODY
from ..data.cases.parties import COURTS
from ..data.publicity import URBAN_BODY
from ..data.regions import REGIONS
from . import LoadContext, person_in_slot

if TYPE_CHECKING:
    from .cases.content import Facts
    from .cases.staff import BodyStaff
    from .cases.steps import Clock

DECISION_TYPES = {"penalty": "penalty_decision", "no_penalty": "no_penalty_decision"}
# the body whose documents are issued (see the module's description), and which of its
# cases: the decision of every case that reached one, the prior notices of these recipes and
# the on-the-spot decisions of these
ISSUING_BODY = ACCOUNTS_BODY
NOTICES_ISSUED = {"g_notified", "g_served_over", "g_no_penalty_closed", "g_archived_major"}
# per body whose decisions are issued: the recipes whose on-the-spot decisions are issued
SUMMARY_ISSUED = {ISSUING_BODY: {"s_closed"}, URBAN_BODY: {"s_archived", "s_minor"}}
# one prior notice issued with a mistake, voided and issued again; the same case archived
# again into a case-file package (it was archived before packages existed) after the walk,
# to show the documents in the package; one decision served by post; one served by
# announcement, not yet deemed served
VOIDED_NOTICE = "g_archived_major"
PACKAGED = "g_archived_major"
MAILED = "g_served_over"
ANNOUNCED = "g_decided_over"
SERIAL_WIDTH = 6
SERIALS_PER_BOOK = 200
FILING_NUMBER = "湘司备〔2026〕3号（演示）"
STREETS = ("示范路", "建设路", "人民路", "解放路", "文化路", "新华路")
GOVERNMENTS = {r.code: r.government for r in REGIONS}
PAYMENT = ("请自收到本决定书之日起十五日内，持本决定书到指定代收银行网点缴纳罚没款，"
           "或通过湖南省非税收入收缴电子化平台缴纳（演示信息）。到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款，"
           "加处罚款的数额不超过罚款的数额。")
KIND_WORDS = {"warning": "警告", "fine": "罚款", "confiscate_gains": "没收违法所得",
              "confiscate_property": "没收非法财物", "suspend_licence": "暂扣许可证件",
              "revoke_licence": "吊销许可证件", "order_to_close": "责令关闭"}


def _yuan(amount: int) -> str:
    return f"{money_upper(amount * 100)}（{money_figures(amount * 100)}）"


def penalty_text(facts: Facts, *, final: bool) -> str:
    """The penalty in the words of a notice or decision: 罚款人民币伍仟元整（5,000元）……"""
    fine = facts.final_fine if final else facts.fine
    parts = []
    for kind in facts.kinds:
        if kind == "fine" and fine:
            parts.append(f"罚款{_yuan(fine)}")
        elif kind == "confiscate_gains" and facts.confiscation:
            parts.append(f"没收违法所得{_yuan(facts.confiscation)}")
        elif kind == "confiscate_property":
            parts.append(f"没收{facts.items or '涉案物品'}")
        elif kind in KIND_WORDS and kind != "fine":
            parts.append(KIND_WORDS[kind])
    return "；".join(parts) + "。" if parts else "警告。"


def _basis(case: Case) -> str:
    """The provisions the enforcement item cites (every demo penalty item cites some)."""
    item = case.item
    return item.basis_text if item is not None else ""


def _evidence(facts: Facts) -> str:
    kinds = (facts.violation.evidence if facts.violation else "现场检查笔录、询问笔录")
    names = [n for n in kinds.replace("，", "、").split("、") if n]
    return "\n".join(f"{n}. {name}（演示）" for n, name in enumerate(names, start=1))


def reasons(facts: Facts, case: Case, outcome: str, *, defence: bool,
            final: bool = True) -> dict[str, str]:
    """The three written reasons (证据采信理由、依据选择理由、裁量理由), fictional but in the
    form the Hunan rules ask for; ``final`` False: for the penalty proposed before the
    hearing."""
    v = facts.violation
    phrase = v.phrase if v else "违法"
    evidence = v.evidence if v else "现场检查笔录、询问笔录"
    basis = _basis(case)
    heard = ("当事人在陈述、申辩中对上述证据的真实性未提出异议，其提出的从轻处罚请求"
             "已在裁量中予以考虑。" if defence
             else "当事人书面放弃陈述、申辩和听证权利，对上述证据无异议。")
    accepted = (f"本案{evidence}等证据均由两名执法人员依法定程序收集，来源合法，内容客观真实，"
                f"与待证事实具有关联性。上述证据相互印证，形成完整的证据链，足以认定当事人"
                f"{facts.party_name}{phrase}的事实。{heard}")
    if outcome == "no_penalty":
        return {
            "证据采信理由": accepted,
            "依据选择理由": (f"当事人的行为属于{basis}所规定的违法情形。鉴于当事人系初次"
                       "违法，违法行为危害后果轻微并已及时改正，符合《中华人民共和国行政处罚法》"
                       "第三十三条第一款规定的情形，该款是本案应当优先适用的规定，故不适用罚则"
                       "条款。"),
            "裁量理由": ("经审查，当事人首次被发现该类违法行为，违法持续时间短，未造成危害后果，"
                     "收到责令改正通知后当即改正。依照本机关行政处罚裁量权基准的首违不罚情形，"
                     "决定不予行政处罚，并对当事人进行了教育。"),
        }
    chosen = (f"当事人的行为属于{basis}所规定的违法情形。该规定对此类违法行为的构成和法律"
              "责任均作了明确规定，属于本案应当适用的特别规定；经审查，本案不存在应当适用"
              "其他法律规范或者上位法另有规定的情形，故依照该规定予以处罚。")
    penalty = penalty_text(facts, final=final).removesuffix("。")
    if final and facts.final_fine and facts.final_fine < facts.fine:
        discretion = (f"当事人在陈述、申辩中提出系初次违法并已积极整改，经复核属实。依照本机关"
                      f"行政处罚裁量权基准，属于从轻处罚情形，在法定幅度内从轻处罚，决定{penalty}。")
    elif facts.kinds == ["warning"]:
        discretion = ("当事人违法情节轻微，主动配合调查并当场整改，依照本机关行政处罚裁量权基准"
                      "属于较轻情形，决定给予警告。")
    elif facts.major:
        discretion = ("当事人违法行为持续时间较长、涉及范围较广，依照本机关行政处罚裁量权基准属于"
                      f"较重情形；本案经法制审核和集体讨论，决定{penalty}。")
    else:
        discretion = ("经审查，本案未发现依法应当从重、从轻或者减轻处罚的情形，依照本机关行政处罚"
                      f"裁量权基准属于一般情形，在法定幅度的中间档次内确定处罚，决定{penalty}。")
    return {"证据采信理由": accepted, "依据选择理由": chosen, "裁量理由": discretion}


def _with_note(docx: bytes, note: str) -> bytes:
    """The DOCX with one more paragraph (``note``) at the end of its body."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                text = data.decode()
                at = text.rindex("<w:sectPr")
                text = f"{text[:at]}<w:p><w:r><w:t>{escape(note)}</w:t></w:r></w:p>{text[at:]}"
                data = text.encode()
            dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _recipient(case: Case) -> tuple[str, str]:
    party = case.parties.order_by("id").first()
    if party is None:
        return "当事人", "本人"
    if party.legal_representative:
        return party.legal_representative, f"{party.name}法定代表人"
    return party.name, "本人"


class CaseDocuments:
    """The hooks the walker calls at each step of a demo case (see the module's docstring)."""

    def __init__(self, ctx: LoadContext, clock: Clock) -> None:
        self.ctx = ctx
        self.clock = clock
        self.admin = User.objects.get(username="sysadmin")
        self.books: dict[int, SerialBook] = {}
        self.announce: tuple[Case, Document, BodyStaff] | None = None
        self.package: tuple[Case, BodyStaff] | None = None
        self.issued = 0
        self.last_serial: dict[int, int] = {}  # body -> the last form given out

    # --- before the cases --------------------------------------------------------------
    def setup(self, summary_bodies: list[EnforcementBody]) -> None:
        self._profiles()
        self._province_template()
        for body in summary_bodies:
            self._book(body)

    def _profiles(self) -> None:
        for n, (key, body) in enumerate(sorted(self.ctx.bodies.items()), start=1):
            spec = self.ctx.specs[key]
            if spec.is_supervisory or body.status != "active":
                continue
            region = body.region
            city = region.parent.name if region.level == "county" and region.parent else ""
            profile_save(
                actor=self.admin, body=body,
                address=(f"{city}{region.name}{STREETS[n % len(STREETS)]}{100 + n * 7}号"
                         "（演示地址）"),
                phone=f"0731-8{n:03d}{(n * 37) % 10000:04d}（演示）",
                reconsideration_body=GOVERNMENTS[spec.reconsideration_region or spec.region],
                court=COURTS.get(region.code, f"{region.name}人民法院"),
                payment_instructions=PAYMENT)

    def _province_template(self) -> None:
        """The province's common format of the prior notice, filed with the provincial
        justice department (省级部门制定的执法文书格式文本报省司法厅备案)."""
        from zhifa.documents.render.defaults import default_template

        data = _with_note(default_template("prior_notice"),
                          "（本格式文本为湖南省统一格式，仅供演示）")
        province = next(b for b in self.ctx.bodies.values() if b.region.level == "province"
                        and b.is_supervisory).region
        template = template_upload(
            actor=self.admin, doc_type="prior_notice", scope="province", region=province,
            data=data, name="湖南省行政处罚事先告知书（演示格式）",
            note="演示数据：省级统一格式文本。")
        template_file(actor=self.admin, template=template, filing_number=FILING_NUMBER,
                      filed_with="湖南省司法厅（演示）",
                      filed_on=self.clock.today - dt.timedelta(days=600))
        template_activate(actor=self.admin, template=template)

    def _book(self, body: EnforcementBody) -> None:
        holder = (person_in_slot(self.ctx, ISSUING_BODY, "officer")
                  if body == self.ctx.bodies[ISSUING_BODY] else None)
        self.books[body.pk] = serial_book_register(
            actor=self.admin, body=body, first=1, last=SERIALS_PER_BOOK,
            received_on=self.clock.today - dt.timedelta(days=600),
            prefix=f"{body.short_name}简", width=SERIAL_WIDTH, holder=holder,
            note="当场行政处罚决定书（预先编号）一本（演示）。")

    def serial(self, body: EnforcementBody, n: int) -> str:
        """The ``n``-th form of the body's serial book."""
        self.last_serial[body.pk] = max(n, self.last_serial.get(body.pk, 0))
        book = self.books.get(body.pk)
        if book is None:
            return f"{body.short_name}简{n:0{SERIAL_WIDTH}d}"
        return book.serial(book.first + n - 1)

    # --- at the steps -------------------------------------------------------------------
    def _issuing(self, staff: BodyStaff) -> bool:
        return staff.key == ISSUING_BODY

    def _deciding(self, staff: BodyStaff) -> bool:
        """Whether the body's decisions are issued (see the module's description)."""
        return staff.key in SUMMARY_ISSUED

    def _issue(self, actor: User, doc: Document, on: dt.date) -> Document:
        self.issued += 1
        return document_issue(actor=actor, document=doc, issued_on=on)

    def before_step(self, actor: User, staff: BodyStaff, case: Case, action: str, on: dt.date,
                    data: dict[str, Any], facts: Facts, recipe: str) -> None:
        if case.procedure == "general" and action == "decide":
            outcome = str(data.get("outcome") or "")
            if outcome in DECISION_TYPES and not Document.objects.filter(
                    case=case, doc_type=DECISION_TYPES[outcome],
                    state=DocumentState.DRAFT).exists():
                # a draft made for the review is decided as it was reviewed
                self.decision_draft(actor, case, outcome, facts)
        elif case.procedure == "general" and action == "serve_notice" and self._issuing(
                staff) and recipe in NOTICES_ISSUED:
            self._prior_notice(actor, staff, case, on, facts, recipe)

    def decision_draft(self, actor: User, case: Case, outcome: str, facts: Facts, *,
                       final: bool = True) -> None:
        """The draft decision document (brought up to date when there is one: a case
        submitted for review again). ``final`` False: the penalty proposed before a hearing,
        after which the case is reviewed again with the penalty decided."""
        doc_type = DECISION_TYPES[outcome]
        defence = case.steps.filter(action__in=("record_defence", "hold_hearing")).exists()
        fields = {"证据": _evidence(facts),
                  **reasons(facts, case, outcome, defence=defence, final=final)}
        if outcome == "penalty":
            fields["处罚内容"] = penalty_text(facts, final=final)
            if not (facts.final_fine or facts.confiscation):
                fields["履行方式和期限"] = "本决定书自送达之日起生效，警告处罚随之执行完毕。"
        else:
            fields["不予处罚理由"] = "当事人系初次违法，违法行为危害后果轻微并已及时改正。"
            fields["不予处罚依据"] = "《中华人民共和国行政处罚法》第三十三条第一款"
        draft = (Document.objects.filter(case=case, doc_type=doc_type, state=DocumentState.DRAFT)
                 .order_by("-id").first())
        if draft is None:
            document_draft(actor=actor, case=case, doc_type=doc_type, fields=fields)
        else:  # submitted for review again
            document_update(actor=actor, document=draft, fields=fields)

    def denial_draft(self, actor: User, case: Case, reason: str) -> None:
        """The draft refusal of a licence, for the legal review's package (the remedy
        fields come from the body's profile and the item)."""
        document_draft(actor=actor, case=case, doc_type="licensing_decision", fields={
            "决定内容": f"根据{_basis(case)}的规定，决定不予行政许可。", "不予许可理由": reason})

    def _prior_notice(self, actor: User, staff: BodyStaff, case: Case, on: dt.date,
                      facts: Facts, recipe: str) -> None:
        from .cases.recipes import RECIPES

        fields = {"拟处罚内容": penalty_text(facts, final=False)}
        if "hearing" in RECIPES[recipe].needs:
            fields["听证权利"] = ("根据《中华人民共和国行政处罚法》第六十三条、第六十四条的规定，"
                              "你（单位）有权要求听证。如要求听证，应当在收到本告知书之日起五日内"
                              "提出，逾期视为放弃听证权利。")
        if recipe == VOIDED_NOTICE:
            typo = "罚款人民币壹拾万元整（100,000元）。"
            wrong = document_draft(actor=actor, case=case, doc_type="prior_notice",
                                   fields={**fields, "拟处罚内容": typo})
            wrong = self._issue(actor, wrong, on)
            document_void(actor=staff.head, document=wrong,
                          reason="拟处罚内容中的罚款金额录入错误，本告知书作废，重新制作送达（演示）。")
        doc = document_draft(actor=actor, case=case, doc_type="prior_notice", fields=fields)
        self._issue(actor, doc, on)

    def serve(self, actor: User, staff: BodyStaff, case: Case, action: str, on: dt.date,
              data: dict[str, Any], facts: Facts, recipe: str, *, late: str) -> bool:
        """Serve the issued document the step serves, if there is one; the documents'
        service records the step. False: the walker takes the step itself."""
        types = {"serve_notice": ("prior_notice",),
                 "serve_decision": tuple(DECISION_TYPES.values())}.get(action)
        if not types or case.procedure != "general":
            return False
        doc = (Document.objects.filter(case=case, doc_type__in=types,
                                       state=DocumentState.ISSUED)
               .order_by("-issued_at").first())
        if doc is None:
            return False
        recipient, relation = _recipient(case)
        party = case.parties.order_by("id").first()
        kwargs: dict[str, Any] = {"method": ServiceMethod.DIRECT, "recipient": recipient,
                                  "recipient_relation": relation,
                                  "place": party.address if party is not None else ""}
        if recipe == MAILED and action == "serve_decision" and self._issuing(staff):
            kwargs = {"method": ServiceMethod.MAIL, "recipient": recipient,
                      "recipient_relation": relation,
                      "tracking_number": f"1107{case.pk:09d}",
                      "note": ("以中国邮政特快专递（EMS）邮寄送达，以回执上注明的收件日期为"
                               "送达日期（演示）。")}
        try:
            service_record(actor=actor, document=doc, served_on=on, **kwargs)
        except ApplicationError as exc:  # the late reason only when the step needs one
            if exc.code != "late_reason_required":
                raise
            service_record(actor=actor, document=doc, served_on=on, late_reason=late,
                           **kwargs)
        return True

    def after_step(self, actor: User, staff: BodyStaff, case: Case, action: str,
                   on: dt.date, data: dict[str, Any], facts: Facts, recipe: str) -> None:
        if not self._deciding(staff):
            return
        if case.procedure == "general" and action == "decide" and case.decided_on:
            doc = (Document.objects.filter(case=case, doc_type__in=DECISION_TYPES.values(),
                                           state=DocumentState.DRAFT)
                   .order_by("-id").first())
            if doc is not None:
                doc = self._issue(actor, doc, on)
                if recipe == ANNOUNCED and self._issuing(staff):
                    self.announce = (case, doc, staff)
                if recipe == PACKAGED and self.package is None and self._issuing(staff):
                    self.package = (case, staff)
        elif case.procedure == "summary" and action == "decide_on_spot" and (
                recipe in SUMMARY_ISSUED[staff.key]):
            self._summary_decision(actor, case, on, data, facts)

    def _summary_decision(self, actor: User, case: Case, on: dt.date, data: dict[str, Any],
                          facts: Facts) -> None:
        if data.get("paid_on_spot"):
            performed = "当事人已当场缴纳罚款，执法人员出具了财政部门统一制发的专用票据（演示）。"
        elif "fine" in facts.kinds:
            performed = PAYMENT
        else:
            performed = "警告处罚，当场执行完毕。"
        fields = {"处罚内容": penalty_text(facts, final=True),
                  "处罚时间地点": f"{date_zh(on)}，{facts.place}",
                  "履行方式和期限": performed}
        doc = document_draft(actor=actor, case=case, doc_type="summary_decision",
                             fields=fields)
        self._issue(actor, doc, on)

    # --- after the cases ----------------------------------------------------------------
    def finish(self) -> None:
        if self.announce is not None:
            case, doc, staff = self.announce
            today = self.clock.today
            recipient, _relation = _recipient(case)
            service_record(
                actor=staff.head, document=doc, method=ServiceMethod.ANNOUNCEMENT,
                recipient=recipient, announced_on=today,
                announcement_medium="本机关门户网站及办公场所公告栏（演示）",
                note="当事人下落不明，经直接送达、邮寄送达均未能送达，依法公告送达（演示）。",
                late_reason="当事人下落不明，直接送达和邮寄送达均未成功，依法改为公告送达。")
        # the form after the last one given out was spoiled while being filled in
        body = self.ctx.bodies[ISSUING_BODY]
        book = self.books.get(body.pk)
        if book is not None:
            spoiled = book.serial(book.first + self.last_serial.get(body.pk, 0))
            serial_void(actor=self.admin, body=body, serial=spoiled,
                        reason="填写时当事人名称书写错误，该联表格作废（演示）。")
        if self.package is not None:
            case, staff = self.package
            archive_create(actor=staff.head, case=case)
