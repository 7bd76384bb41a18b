"""Enforcement documents: rendering every type, issuing one, and issuing many at once.

Issue 5 sets no performance target; these are the figures its closing note reports. Three
parts, each in a child process of its own (the settings choose the database when imported):

**Rendering** (no database). For every type in ``doctypes.TYPES``: the system default template
(``render.defaults.default_template``; ``tpl`` is its first, uncached generation), filled with
a realistic context (every computed value as the engine receives it, the QR code as PNG
bytes, realistic decision texts — facts, evidence list, the three reasons — and two-line
texts for the other fields) by
``render.engine.render_docx`` (``docx``), then printed by ``render.engine.docx_to_pdf``
(``pdf``): the medians of ``ZHIFA_BENCH_RENDER_RUNS`` runs (3), the PDF's page count (pypdf)
and size. Before any of that, in the still fresh child, the one-time cost of the first PDF
of a process is taken apart: importing WeasyPrint (``render.pdf``; the engine imports it
lazily), cutting the GB 2312 faces out of the Noto CJK collections (``render.fonts.faces``)
and the first ``docx_to_pdf`` itself (Pango and WeasyPrint's font configuration); their sum
is what the first document a server process prints costs over a later one.

**Issue**, per database: SQLite as configured for production (a file in a scratch data
directory: WAL, ``synchronous=NORMAL``, ``BEGIN IMMEDIATE``, busy timeout 20 s) and PostgreSQL
at ``ZHIFA_BENCH_POSTGRES`` (default ``postgres://postgres@127.0.0.1:5432/postgres``) in a
database of its own, dropped afterwards; the blobs go to the scratch directory. A body with
officers, ``ZHIFA_BENCH_DOCS`` (N, 30) general-procedure cases taken through the services to
a served prior notice and decided (fine 5,000 yuan) on a complete 行政处罚决定书 draft with its
three reasons; then ``document_issue`` for each, one after the other, dated the day of the
decision. ``first`` is the first issue of the installation (it also generates and stores the
system default template; the process's fonts are cut beforehand, as counted above);
``median``/``p95`` are over all N (nearest rank); ``docs/s`` = N / the sum of the latencies.
The phases are timed by wrapping, for the run only, four names the issuing module looks up
when it runs (``services.issue``): ``transaction`` (a stand-in whose ``atomic()`` times the
real one from entry to exit, so ``in tx`` is phase 2 whole: BEGIN — on SQLite the wait for the
write lock —, the case and document locked and checked again, the number taken, the printed
values computed again (``values``: the QR code included), both files stored (``store``), the
document frozen, the ledger entry, COMMIT; ``stmts`` counts the SQL statements Django sends
inside it), ``_render`` (``render`` is the phase-1 DOCX + PDF, before the transaction; a call
inside the transaction is a re-render because the number changed meanwhile), ``_values`` and
``store_bytes``. ``other`` = median total − median render − median in tx: phase 1 without the
rendering (reading and checking the draft, the peeked number, the verify code, the printed
values with their QR code). The account is loaded before each call, outside the time counted.
The columns are medians taken one by one, so they do not add up exactly.

**Concurrent issue**, per database: a second body with N more decided cases;
``ZHIFA_BENCH_THREADS`` (T, 4) threads, each with its own connection, start together behind a
barrier and issue their share of the body's 行政处罚决定书 (the same counter: body, 罚, 2026).
``docs/s`` = N / wall time from the barrier to the last issue; ``median``/``p95`` are one
issue's latency; ``re-render`` counts the issues whose peeked number was taken by another
thread before their transaction, so they were rendered again inside it, holding the lock
(on PostgreSQL the body's counter row; on SQLite the whole database's write lock, which every
other writer of the installation then waits for); ``in tx``/``tx max`` are the median and
the longest phase 2, waits for the lock included (compare ``tx max`` on SQLite with its 20 s
busy timeout, past which a waiting writer fails with "database is locked"). Then the check:
the issued documents carry the numbers 1..N once each, no gap, no duplicate, the rest are
still plain drafts, the counter is at N, and there are N ``DOCUMENT_ISSUED`` entries (a
failed issue is counted in ``errors``, and the check then expects the numbers 1..issued).
Printing a PDF is serialised inside one process (``render.pdf`` holds a lock: WeasyPrint and
Pango are not thread-safe) and Python's GIL covers the rest, so threads in one process
measure the locking, not more throughput: a deployment adds processes (server workers).

``load`` is the machine's 1-minute load average before and after each part, since other
processes slow everything. The whole run takes about 3 minutes of one CPU (N = 30), most of
it the two migrations, the 2 × N cases' setup (one transaction, not measured) and the
concurrent part, where nearly every document is rendered twice.
``python -m benchmarks.bench_documents --part render`` or ``--db sqlite|postgresql`` runs one
child in this process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import itertools
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks import scratch_pg

POSTGRES_URL = os.environ.get("ZHIFA_BENCH_POSTGRES",
                              "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB_NAME = "zhifa_bench_documents"
DOCS = int(os.environ.get("ZHIFA_BENCH_DOCS", "30"))
THREADS = int(os.environ.get("ZHIFA_BENCH_THREADS", "4"))
RENDER_RUNS = int(os.environ.get("ZHIFA_BENCH_RENDER_RUNS", "3"))
DOC_TYPE = "penalty_decision"
RESULT_MARK = "RESULT "
ROOT = Path(__file__).resolve().parent.parent

# the dates of the benchmark's cases (past days; the numbers are of 2026)
RECEIVED = dt.date(2026, 9, 1)
DECIDED = dt.date(2026, 9, 29)

# the drafted values of a decision, as an officer writes them
FIELD_VALUES = {
    "违法事实": "经查，当事人于2026年8月在其经营场所销售经抽样检验不合格的电热水壶共计120台，"
                "货值金额人民币9,600元，违法所得人民币1,800元。",
    "证据": "1. 书证：抽样检验报告（湖南省产品质量检验研究院）\n"
            "2. 现场笔录：现场检查笔录（执法人员李明、张伟）\n"
            "3. 当事人陈述：询问笔录（当事人法定代表人陈某）\n"
            "4. 书证：进货单据、销售台账复印件",
    "违法依据": "《中华人民共和国产品质量法》第三十九条",
    "处罚依据": "《中华人民共和国产品质量法》第五十条",
    "处罚内容": "1. 没收违法所得人民币1,800元；\n2. 罚款人民币伍仟元整。",
    "履行方式和期限": "自收到本决定书之日起十五日内，持缴款通知书到指定银行缴纳罚没款。"
                      "逾期不缴纳的，每日按罚款数额的百分之三加处罚款。",
    "复议机关": "长沙市芙蓉区人民政府",
    "复议期限": "六十日",
    "诉讼法院": "长沙市芙蓉区人民法院",
    "诉讼期限": "六个月",
    "证据采信理由": "现场检查笔录、抽样检验报告与当事人陈述相互印证，证明当事人销售的产品"
                    "经检验不合格；当事人提出的进货凭证不能证明其不知道该产品不合格，不予采信。",
    "依据选择理由": "当事人的行为属于销售不合格产品，适用《中华人民共和国产品质量法》"
                    "第三十九条、第五十条，不适用其他规定。",
    "裁量理由": "当事人初次违法，违法货值较小，积极配合调查，依照裁量基准属于从轻情形，"
                "在法定幅度内从轻处罚。",
}


# --- Parent: the children, then the tables --------------------------------------------------
def run() -> None:
    render = _run_child(["--part", "render"], "render")
    dbs = [_run_child(["--db", db], db) for db in ("sqlite", "postgresql")]
    print()
    _print_render(render)
    print()
    _print_issue(dbs)


def _print_render(r: dict[str, Any]) -> None:
    if "skipped" in r:
        print(f"rendering: {r['skipped']}")
        return
    first = r["first"]
    print(f"rendering (no database; medians of {r['runs']} runs; load "
          f"{_load(r['load'])}):")
    print(f"{'type':<30} {'title':<20} {'pages':>5} {'tpl ms':>7} {'docx ms':>8} "
          f"{'pdf ms':>7} {'pdf KB':>7}")
    for t in r["types"]:
        print(f"{t['code']:<30} {_pad(t['title'], 20)} {t['pages']:>5} {t['tpl_ms']:>7.0f} "
              f"{t['docx_ms']:>8.0f} {t['pdf_ms']:>7.0f} {t['pdf_kb']:>7.0f}")
    types = r["types"]
    print(f"{'median of the types':<47} {statistics.median(t['pages'] for t in types):>5.0f} "
          f"{statistics.median(t['tpl_ms'] for t in types):>7.0f} "
          f"{statistics.median(t['docx_ms'] for t in types):>8.0f} "
          f"{statistics.median(t['pdf_ms'] for t in types):>7.0f} "
          f"{statistics.median(t['pdf_kb'] for t in types):>7.0f}")
    total = first["import_ms"] + first["fonts_ms"] + first["first_pdf_ms"]
    print(f"first PDF of a fresh process ({first['code']}): {total / 1000:.2f} s = import "
          f"WeasyPrint {first['import_ms']:.0f} ms + cut the faces ({first['faces']} faces, "
          f"{first['faces_kb']:,.0f} KB) {first['fonts_ms']:.0f} ms + first docx_to_pdf "
          f"{first['first_pdf_ms']:.0f} ms; the next PDF of the same document "
          f"{first['second_pdf_ms']:.0f} ms.")


def _print_issue(results: list[dict[str, Any]]) -> None:
    print(f"issue: {DOCS} 行政处罚决定书 one after the other (ms per document; other = "
          "median − render − in tx)")
    print(f"{'database':<11} {'first':>6} {'median':>7} {'p95':>6} {'render':>7} {'in tx':>6} "
          f"{'values':>6} {'store':>6} {'stmts':>5} {'other':>6} {'docs/s':>7} {'numbers':>16} "
          f"{'load':>10}")
    for r in results:
        if "skipped" in r:
            print(f"{r['db']:<11} skipped: {r['skipped']}")
            continue
        s = r["serial"]
        print(f"{r['db']:<11} {s['first_ms']:>6.0f} {s['median_ms']:>7.0f} {s['p95_ms']:>6.0f} "
              f"{s['render_ms']:>7.0f} {s['tx_ms']:>6.0f} {s['values_ms']:>6.0f} "
              f"{s['store_ms']:>6.0f} {s['statements']:>5.0f} {s['other_ms']:>6.0f} "
              f"{s['per_s']:>7.2f} {s['check']:>16} {_load(s['load']):>10}")
    print()
    print(f"concurrent issue: {THREADS} threads, {DOCS} 行政处罚决定书 of one body at once")
    print(f"{'database':<11} {'wall s':>7} {'docs/s':>7} {'median':>7} {'p95':>6} "
          f"{'in tx':>6} {'tx max':>7} {'re-render':>9} {'errors':>6} {'numbers':>16} "
          f"{'load':>10}")
    for r in results:
        if "skipped" in r:
            continue
        c = r["concurrent"]
        print(f"{r['db']:<11} {c['wall_s']:>7.1f} {c['per_s']:>7.2f} {c['median_ms']:>7.0f} "
              f"{c['p95_ms']:>6.0f} {c['tx_ms']:>6.0f} {c['tx_max_ms']:>7.0f} "
              f"{c['rerendered']:>9} {c['errors']:>6} {c['check']:>16} {_load(c['load']):>10}")
    for r in results:
        if "skipped" not in r and r["concurrent"]["error_text"]:
            print(f"{r['db']}: first error: {r['concurrent']['error_text']}")
    print("median/p95: one issue's latency (ms); in tx: phase 2 (the write transaction, lock "
          "waits included); numbers: the body's numbers 1..N once each; load: 1-minute load "
          f"average ({os.cpu_count()} CPUs) before and after.")


def _pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (a CJK character takes two)."""
    return text + " " * max(0, width - 2 * len(text))


def _load(pair: list[float]) -> str:
    return "–".join(f"{x:.1f}" for x in pair)


def _run_child(args: list[str], label: str) -> dict[str, Any]:
    data_dir = tempfile.mkdtemp(prefix=f"zhifa-bench-documents-{label}-")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "zhifa.settings", "ZHIFA_DATA_DIR": data_dir,
           "ZHIFA_EVIDENCE_STORAGE": "local"}
    for name in ("DATABASE_URL", "ZHIFA_EVIDENCE_DIR", "ZHIFA_UPLOAD_DIR"):
        env.pop(name, None)
    try:
        proc = subprocess.run([sys.executable, "-m", "benchmarks.bench_documents", *args],
                              cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    result: dict[str, Any] | None = None
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_MARK):
            result = json.loads(line[len(RESULT_MARK):])
        else:
            print(line)
    if proc.returncode != 0 or result is None:
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        print(f"{label}: benchmark FAILED (exit {proc.returncode})\n{tail}")
        return {"db": label, "skipped": f"failed (exit {proc.returncode}), see above"}
    return result


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def _p95(values: list[float]) -> float:
    """The nearest-rank 95th percentile."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


# --- Child: rendering ------------------------------------------------------------------------
def render_context(t: Any) -> dict[str, Any]:
    """Every placeholder of type ``t`` with the value the engine receives at issue."""
    from zhifa.documents.render.chinese import date_upper, date_zh, money_figures, money_upper
    from zhifa.documents.render.qr import qr_png

    code = "7K3M9QXR2HDW"
    url = f"http://127.0.0.1:8000/v/{code}"
    values: dict[str, Any] = {
        "文书名称": t.title, "机关名称": "长沙市芙蓉区市场监督管理局", "机关简称": "芙蓉市监",
        "机关地址": "长沙市芙蓉区五一大道1号", "机关电话": "0731-84000000",
        "机关统一社会信用代码": "11430102MB1234567X",
        "文号": "芙蓉市监罚〔2026〕12号" if t.number_word else "",
        "案件编号": "芙蓉市监立〔2026〕7号", "案由": "销售不合格产品案",
        "执法事项": "对销售不合格产品的行政处罚", "当事人": "长沙某某贸易有限公司",
        "当事人类型": "法人或者其他组织", "证件名称": "统一社会信用代码",
        "证件号码": "91430102MA4L123456", "法定代表人": "陈某",
        "当事人地址": "长沙市芙蓉区某路1号", "当事人电话": "13800000000",
        "承办人员": "李明（43000000001）、张伟（43000000002）",
        "受理日期": date_zh(RECEIVED), "立案日期": date_zh(RECEIVED + dt.timedelta(days=1)),
        "决定日期": date_zh(DECIDED), "日期": date_zh(DECIDED), "日期大写": date_upper(DECIDED),
        "处罚种类": "罚款、没收违法所得",
        "罚款金额": money_figures(500_000), "罚款金额大写": money_upper(500_000),
        "没收金额": money_figures(180_000), "没收金额大写": money_upper(180_000),
        "合计金额": money_figures(680_000), "合计金额大写": money_upper(680_000),
        "核验码": "-".join(code[i:i + 4] for i in (0, 4, 8)), "核验网址": url,
        "核验二维码": qr_png(url), "模板版本": "系统默认 v1",
    }
    for f in t.fields:
        values[f.name] = FIELD_VALUES.get(
            f.name, f"{f.name}第一行内容\n{f.name}第二行内容" if f.kind == "textarea"
            else f"{f.name}值")
    return values


def _ms(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return (time.perf_counter() - t0) * 1000, out


def render_child() -> dict[str, Any]:
    import django

    django.setup()
    from pypdf import PdfReader

    from zhifa.documents import doctypes
    from zhifa.documents.render import defaults, engine, fonts

    load_before = os.getloadavg()[0]
    # the first PDF of this fresh process, taken apart (the engine does these lazily, in order)
    t = doctypes.doctype(DOC_TYPE)
    already = "weasyprint" in sys.modules
    docx = engine.render_docx(defaults.default_template(t.code), render_context(t))
    import_ms, _ = _ms(lambda: __import__("zhifa.documents.render.pdf"))
    fonts_ms, faces = _ms(fonts.faces)
    first_pdf_ms, _ = _ms(lambda: engine.docx_to_pdf(docx, title=t.title))
    second_pdf_ms, _ = _ms(lambda: engine.docx_to_pdf(docx, title=t.title))
    if already:
        print("render: WeasyPrint was imported by django.setup(); its import is not counted")
    first = {"code": t.code, "import_ms": import_ms, "fonts_ms": fonts_ms,
             "first_pdf_ms": first_pdf_ms, "second_pdf_ms": second_pdf_ms,
             "faces": len(faces), "faces_kb": sum(len(f.data) for f in faces) / 1024}

    defaults.default_template.cache_clear()
    rows = []
    for t in doctypes.TYPES:
        tpl_ms, template = _ms(partial(defaults.default_template, t.code))
        context = render_context(t)
        docx_times, pdf_times = [], []
        for _run in range(RENDER_RUNS):
            ms, docx = _ms(partial(engine.render_docx, template, context))
            docx_times.append(ms)
            ms, pdf = _ms(partial(engine.docx_to_pdf, docx, title=t.title))
            pdf_times.append(ms)
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        rows.append({"code": t.code, "title": t.title, "pages": pages, "tpl_ms": tpl_ms,
                     "docx_ms": _median(docx_times), "pdf_ms": _median(pdf_times),
                     "pdf_kb": len(pdf) / 1024})
        print(f"render: {t.code}: {pages} page(s), docx {rows[-1]['docx_ms']:.0f} ms, "
              f"pdf {rows[-1]['pdf_ms']:.0f} ms")
    return {"db": "render", "first": first, "types": rows, "runs": RENDER_RUNS,
            "load": [load_before, os.getloadavg()[0]]}


# --- Child: one database ---------------------------------------------------------------------
def db_child(db: str) -> dict[str, Any]:
    if db == "postgresql":
        why = scratch_pg.prepare(POSTGRES_URL, PG_DB_NAME)
        if why:
            print(f"postgresql: {why}; skipped")
            return {"db": db, "skipped": why}
    import django

    django.setup()
    from django.db import connection

    try:
        return _measure(db)
    finally:
        connection.close()
        if db == "postgresql":
            scratch_pg.drop(POSTGRES_URL, PG_DB_NAME)


_seq = itertools.count(1)


def _credit_code(region: str) -> str:
    from zhifa.core.validators import credit_code_check_char

    first = f"91{region}{next(_seq):09d}"[:17]
    return first + credit_code_check_char(first)


def _id_number(birth: str = "19850315") -> str:
    from zhifa.core.validators import id_number_check_char

    first = f"430102{birth}{next(_seq) % 1000:03d}"
    return first + id_number_check_char(first)


@dataclass
class Body:
    """An enforcement body with two certified officers and a head (accounts without
    passwords: no login here, and no Argon2 hashing in the setup)."""

    body: Any
    county: Any
    sector: Any
    officers: list[Any]
    u_officer: Any
    u_head: Any
    cases: list[Any] = field(default_factory=list)


def _regions() -> dict[str, Any]:
    from zhifa.orgs.services import region_upsert

    province = region_upsert(code="430000", name="湖南省")
    city = region_upsert(code="430100", name="长沙市", parent=province)
    other_city = region_upsert(code="430200", name="株洲市", parent=province)
    return {"city": city, "county": region_upsert(code="430102", name="芙蓉区", parent=city),
            "other_city": other_city,
            "other_county": region_upsert(code="430202", name="荷塘区", parent=other_city)}


def _body(city: Any, county: Any, name: str, short_name: str, tag: str) -> Body:
    from zhifa.orgs.models import (
        AccountRole,
        BodyKind,
        BodyLevel,
        Certificate,
        EnforcementBody,
        Person,
        PersonRole,
        RoleKind,
        Sector,
        User,
    )

    sector = Sector.objects.get_or_create(code="market", defaults={"name": "市场监管"})[0]
    body = EnforcementBody.objects.create(
        name=name, short_name=short_name, credit_code=_credit_code(county.code),
        kind=BodyKind.ADMINISTRATIVE_ORGAN, level=BodyLevel.COUNTY, region=county, sector=sector)

    def person(person_name: str, role: str) -> Any:
        p = Person.objects.create(body=body, name=person_name, id_number=_id_number())
        PersonRole.objects.create(person=p, kind=role)
        cert = Certificate.objects.create(
            number=f"43000{next(_seq):07d}", person=p, issuer="湖南省人民政府",
            issue_date=dt.date(2024, 1, 1), expiry_date=dt.date(2029, 12, 31))
        cert.areas.set([city])
        cert.categories.set([sector])
        return p

    officers = [person("李明", RoleKind.OFFICER), person("张伟", RoleKind.OFFICER)]
    head = person("王芳", RoleKind.HEAD)

    def user(p: Any, role: str) -> Any:
        return User.objects.create_user(username=f"{tag}{next(_seq)}", password=None, person=p,
                                        roles=[role])

    return Body(body=body, county=county, sector=sector, officers=officers,
                u_officer=user(officers[0], AccountRole.OFFICER),
                u_head=user(head, AccountRole.HEAD))


def _act(b: Body, case: Any, action: str, **data: Any) -> None:
    """A step; a step needing approval is approved by the head at once."""
    from zhifa.cases.services import approval_decide, case_act

    result = case_act(actor=b.u_officer, case=case, action=action,
                      data={k: (v.isoformat() if isinstance(v, dt.date) else v)
                            for k, v in data.items()})
    if result.approval is not None and result.step is None:
        approval_decide(actor=b.u_head, request=result.approval, approve=True)
    case.refresh_from_db()


def _decided_drafts(b: Body, n: int) -> list[Any]:
    """``n`` general-procedure cases decided on a complete draft 行政处罚决定书: the drafts."""
    from zhifa.cases.services import PartyIn, case_create
    from zhifa.catalog.models import PartyType
    from zhifa.documents import doctypes
    from zhifa.documents.services import document_draft

    fields = {f.name: FIELD_VALUES.get(f.name, f"{f.name}内容")
              for f in doctypes.doctype(DOC_TYPE).fields}
    drafts = []
    for i in range(n):
        party = PartyIn(party_type=PartyType.ORGANISATION, name=f"长沙某某贸易有限公司{i + 1}",
                        credit_code=_credit_code("430102"), legal_representative="陈某")
        case = case_create(actor=b.u_officer, procedure="general", title="销售不合格产品案",
                           sector=b.sector, region=b.county, parties=[party],
                           officers=b.officers, received_on=RECEIVED)
        _act(b, case, "register", acted_on=RECEIVED + dt.timedelta(days=1),
             act_date=RECEIVED - dt.timedelta(days=10), grounds="涉嫌销售不合格产品")
        _act(b, case, "start_investigation", acted_on=RECEIVED + dt.timedelta(days=2))
        _act(b, case, "submit_report", acted_on=RECEIVED + dt.timedelta(days=20),
             facts="经查，当事人销售不合格产品。", kinds=["fine"], fine="5000")
        _act(b, case, "serve_notice", acted_on=RECEIVED + dt.timedelta(days=21),
             served_on=RECEIVED + dt.timedelta(days=21), method="direct")
        doc = document_draft(actor=b.u_officer, case=case, doc_type=DOC_TYPE, fields=fields)
        _act(b, case, "decide", acted_on=DECIDED, outcome="penalty", kinds=["fine"],
             fine="5000", reasons="见决定书")
        drafts.append(doc)
    return drafts


class Probe:
    """Times the phases of ``document_issue`` per call (per thread) by wrapping the names the
    issuing module looks up: ``transaction`` (its ``atomic()``), ``_render`` and
    ``store_bytes``. Installed for the measurement only."""

    def __init__(self) -> None:
        self.local = threading.local()

    def _now(self) -> dict[str, float]:
        rec: dict[str, float] | None = getattr(self.local, "rec", None)
        if rec is None:
            rec = self.local.rec = {"render": 0.0, "tx": 0.0, "store": 0.0, "values": 0.0,
                                      "rerender": 0, "statements": 0}
        return rec

    def take(self) -> dict[str, float]:
        rec = self._now()
        self.local.rec = None
        return rec

    @contextmanager
    def installed(self) -> Iterator[None]:
        from django.db import connection, transaction

        from zhifa.documents.services import issue

        probe = self

        def count(execute: Callable[..., Any], *args: Any) -> Any:
            probe._now()["statements"] += 1
            return execute(*args)

        class TimedAtomic:
            def __init__(self, inner: Any) -> None:
                self.inner = inner
                self.counting = connection.execute_wrapper(count)

            def __enter__(self) -> Any:
                self.t0 = time.perf_counter()
                probe.local.in_tx = True
                self.counting.__enter__()
                return self.inner.__enter__()

            def __exit__(self, *exc: Any) -> Any:
                try:
                    return self.inner.__exit__(*exc)
                finally:
                    self.counting.__exit__(*exc)
                    probe.local.in_tx = False
                    probe._now()["tx"] += time.perf_counter() - self.t0

        class TimedTransaction:
            def atomic(self, *args: Any, **kwargs: Any) -> TimedAtomic:
                return TimedAtomic(transaction.atomic(*args, **kwargs))

            def __getattr__(self, name: str) -> Any:
                return getattr(transaction, name)

        real_render, real_store, real_values = issue._render, issue.store_bytes, issue._values

        def render(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return real_render(*args, **kwargs)
            finally:
                if getattr(probe.local, "in_tx", False):
                    probe._now()["rerender"] += 1
                else:
                    probe._now()["render"] += time.perf_counter() - t0

        def store(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return real_store(*args, **kwargs)
            finally:
                probe._now()["store"] += time.perf_counter() - t0

        def values(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return real_values(*args, **kwargs)
            finally:
                if getattr(probe.local, "in_tx", False):
                    probe._now()["values"] += time.perf_counter() - t0

        saved = issue.transaction
        issue.transaction = TimedTransaction()  # type: ignore[assignment]
        issue._render, issue.store_bytes, issue._values = render, store, values
        try:
            yield
        finally:
            issue.transaction = saved
            issue._render, issue.store_bytes, issue._values = (real_render, real_store,
                                                               real_values)


def _actor(user: Any) -> Any:
    """The account as a view hands it to the service (loaded afresh, roles read)."""
    from django.contrib.auth import get_user_model

    from zhifa.orgs.permissions import perms_of

    actor = get_user_model().objects.get(pk=user.pk)
    perms_of(actor)
    return actor


def _issue_one(probe: Probe, b: Body, doc: Any) -> tuple[float, dict[str, float], Any]:
    from zhifa.documents.services import document_issue

    actor = _actor(b.u_officer)
    probe.take()
    t0 = time.perf_counter()
    issued = document_issue(actor=actor, document=doc, issued_on=DECIDED)
    return time.perf_counter() - t0, probe.take(), issued


def _check_numbers(b: Body, n: int) -> str:
    """The body's ``n`` issued decisions carry the numbers 1..n once each, the others are
    still drafts without a number, the counter is at n and the ledger has n issue entries:
    "1..n ok", else "FAIL" (and what is wrong is printed)."""
    from zhifa.documents.events import DOCUMENT_ISSUED
    from zhifa.documents.models import Document, DocumentCounter, DocumentState
    from zhifa.ledger.models import LedgerEntry

    docs = list(Document.objects.filter(case__body=b.body, doc_type=DOC_TYPE)
                .values_list("state", "number_seq", "number"))
    issued = [(seq, number) for state, seq, number in docs if state == DocumentState.ISSUED]
    seqs = sorted(seq for seq, _number in issued if seq is not None)
    numbers = {number for _seq, number in issued if number}
    problems = []
    if len(issued) != n:
        problems.append(f"{len(issued)} issued, {n} expected")
    if any(state != DocumentState.DRAFT or number for state, _s, number in docs
           if state != DocumentState.ISSUED):
        problems.append("a document neither issued nor a plain draft")
    if seqs != list(range(1, n + 1)):
        problems.append(f"sequence {seqs[:3]}…{seqs[-3:]} ({len(seqs)})")
    if len(numbers) != len(issued):
        problems.append("duplicate or missing numbers")
    counter = DocumentCounter.objects.get(body=b.body, key="罚", year=DECIDED.year).last
    if counter != n:
        problems.append(f"counter at {counter}")
    entries = LedgerEntry.objects.filter(body=b.body,
                                         event_code=DOCUMENT_ISSUED.code).count()
    if entries != n:
        problems.append(f"{entries} ledger entries")
    if problems:
        print(f"numbers of {b.body.short_name}: " + "; ".join(problems))
        return "FAIL"
    return f"1..{n} ok"


def _serial(db: str, b: Body, drafts: list[Any], probe: Probe) -> dict[str, Any]:
    totals, renders, txs, stores, values, statements = [], [], [], [], [], []
    load_before = os.getloadavg()[0]
    first_number = last_number = ""
    with probe.installed():
        for doc in drafts:
            seconds, rec, issued = _issue_one(probe, b, doc)
            assert rec["rerender"] == 0, rec
            totals.append(seconds * 1000)
            renders.append(rec["render"] * 1000)
            txs.append(rec["tx"] * 1000)
            stores.append(rec["store"] * 1000)
            values.append(rec["values"] * 1000)
            statements.append(rec["statements"])
            first_number = first_number or issued.number
            last_number = issued.number
    load_after = os.getloadavg()[0]
    check = _check_numbers(b, len(drafts))
    median = _median(totals)
    print(f"{db}: issued {first_number} … {last_number} one after the other: median "
          f"{median:.0f} ms, p95 {_p95(totals):.0f} ms, first {totals[0]:.0f} ms; numbers "
          f"{check}")
    return {"first_ms": totals[0], "median_ms": median, "p95_ms": _p95(totals),
            "render_ms": _median(renders), "tx_ms": _median(txs), "store_ms": _median(stores),
            "values_ms": _median(values), "statements": _median(statements),
            "other_ms": median - _median(renders) - _median(txs),
            "per_s": len(totals) / (sum(totals) / 1000), "check": check,
            "load": [load_before, load_after]}


def _concurrent(db: str, b: Body, drafts: list[Any], probe: Probe) -> dict[str, Any]:
    from django.db import connection

    barrier = threading.Barrier(THREADS + 1)
    lock = threading.Lock()
    totals: list[float] = []
    txs: list[float] = []
    rerendered = [0]
    errors: list[BaseException] = []
    ended: list[float] = []

    def work(mine: list[Any]) -> None:
        try:
            barrier.wait(timeout=120)
            for doc in mine:
                seconds, rec, _issued = _issue_one(probe, b, doc)
                with lock:
                    totals.append(seconds * 1000)
                    txs.append(rec["tx"] * 1000)
                    rerendered[0] += int(rec["rerender"])
        except BaseException as exc:  # reported in the table, not lost in a thread
            with lock:
                errors.append(exc)
        finally:
            with lock:
                ended.append(time.perf_counter())
            connection.close()

    threads = [threading.Thread(target=work, args=(drafts[i::THREADS],))
               for i in range(THREADS)]
    load_before = os.getloadavg()[0]
    with probe.installed():
        for t in threads:
            t.start()
        barrier.wait(timeout=120)
        started = time.perf_counter()
        for t in threads:
            t.join(timeout=600)
    wall = max(ended) - started
    load_after = os.getloadavg()[0]
    # after a failed issue (none expected) the issued ones must still be gapless
    check = _check_numbers(b, len(totals))
    print(f"{db}: {THREADS} threads issued {len(totals)} of {len(drafts)} in {wall:.1f} s "
          f"({len(totals) / wall:.2f}/s), {rerendered[0]} re-rendered in the transaction, "
          f"{len(errors)} errors; numbers {check}")
    return {"wall_s": wall, "per_s": len(totals) / wall, "median_ms": _median(totals),
            "p95_ms": _p95(totals), "tx_ms": _median(txs), "tx_max_ms": max(txs, default=0),
            "rerendered": rerendered[0], "errors": len(errors), "check": check,
            "error_text": f"{type(errors[0]).__name__}: {errors[0]}"[:200] if errors else "",
            "load": [load_before, load_after]}


def _measure(db: str) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection, transaction

    from zhifa.cases.services import approval_ladder_save
    from zhifa.documents.render import engine, fonts
    from zhifa.orgs.models import AccountRole, User

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter() - started
    regions = _regions()
    sysadmin = User.objects.create_user(username="bench-sysadmin", password=None, person=None,
                                        roles=[AccountRole.SYSTEM_ADMIN])
    serial_body = _body(regions["city"], regions["county"], "芙蓉区市场监督管理局", "芙蓉市监",
                        "fr")
    threads_body = _body(regions["other_city"], regions["other_county"],
                         "荷塘区市场监督管理局", "荷塘市监", "ht")
    for b in (serial_body, threads_body):
        # no approval ladder: the steps apply at once, as in bench_cases
        approval_ladder_save(actor=sysadmin, body=b.body, procedure="general", steps=[])
    t0 = time.perf_counter()
    # the setup is not measured: one commit for all of it (the services nest as savepoints)
    with transaction.atomic():
        serial_drafts = _decided_drafts(serial_body, DOCS)
        threads_drafts = _decided_drafts(threads_body, DOCS)
    per_case = (time.perf_counter() - t0) / (2 * DOCS)
    # the process's faces are cut before the first issue (counted in the rendering part)
    fonts.faces()
    engine.docx_to_pdf(engine.render_docx(_blank_docx(), {}))
    print(f"{db}: {connection.vendor} {connection.get_database_version()}; migrated in "
          f"{migrated:.1f} s; {2 * DOCS} cases decided on their drafts in "
          f"{per_case * 1000:.0f} ms each")

    probe = Probe()
    serial = _serial(db, serial_body, serial_drafts, probe)
    concurrent = _concurrent(db, threads_body, threads_drafts, probe)
    return {"db": db, "serial": serial, "concurrent": concurrent}


def _blank_docx() -> bytes:
    import docx

    buf = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("预热")
    document.save(buf)
    return buf.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"])
    parser.add_argument("--part", choices=["render"])
    args = parser.parse_args()
    if args.db is None and args.part is None:
        run()
        return
    scratch = None
    if not os.environ.get("ZHIFA_DATA_DIR"):
        scratch = tempfile.mkdtemp(prefix="zhifa-bench-documents-")
        os.environ["ZHIFA_DATA_DIR"] = scratch
        os.environ["ZHIFA_EVIDENCE_STORAGE"] = "local"
        for name in ("ZHIFA_EVIDENCE_DIR", "ZHIFA_UPLOAD_DIR"):
            os.environ.pop(name, None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhifa.settings")
    if args.db == "sqlite":
        os.environ.pop("DATABASE_URL", None)
    try:
        result = render_child() if args.part == "render" else db_child(args.db)
        print(RESULT_MARK + json.dumps(result, ensure_ascii=False))
    finally:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
