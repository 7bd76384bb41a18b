"""zh-Hans is the default language and every user-facing string has a Chinese translation.

- every ``django.po`` of the project is complete: no empty ``msgstr``, nothing fuzzy, the
  placeholders of the msgid kept;
- what a user sees is what the ``.po`` says: no catalogue shadows another one's entry
  (Django merges the catalogues of all installed apps, the first one listed wins);
- the ``.po`` files are in step with the source: running ``makemessages`` on a copy of each app
  would neither add a msgid nor drop one;
- the Django admin renders in Chinese by default and in English when English is selected.
"""

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

import zhifa
from tests import factories
from zhifa.catalog.models import (
    BenchmarkTier,
    DiscretionBenchmark,
    EnforcementItem,
    ItemCategory,
    ProcedureType,
    Tier,
)
from zhifa.orgs.models import RoleKind, User

PACKAGE_DIR = Path(zhifa.__file__).resolve().parent
PO_SUFFIX = Path("locale", "zh_Hans", "LC_MESSAGES", "django.po")


# --- A small .po reader (no dependency) -----------------------------------------------------
@dataclass
class Entry:
    msgid: str
    msgstr: list[str]
    msgctxt: str | None = None
    msgid_plural: str | None = None
    flags: set[str] = field(default_factory=set)
    line: int = 0


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+"(.*)"$')


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), text)


def read_po(path: Path) -> list[Entry]:
    """Entries of a .po file, header and obsolete (``#~``) entries left out."""
    entries: list[Entry] = []
    fields: dict[str, str] = {}
    flags: set[str] = set()
    last: str | None = None
    start = 0

    def flush() -> None:
        nonlocal fields, flags, last
        if "msgid" in fields:
            msgstr = [v for k, v in sorted(fields.items()) if k.startswith("msgstr")]
            if fields["msgid"] != "" or "msgctxt" in fields:
                entries.append(
                    Entry(
                        msgid=fields["msgid"],
                        msgstr=msgstr,
                        msgctxt=fields.get("msgctxt"),
                        msgid_plural=fields.get("msgid_plural"),
                        flags=flags,
                        line=start,
                    )
                )
        fields, flags, last = {}, set(), None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if any(k.startswith("msgstr") for k in fields):
                flush()
            if line.startswith("#,"):
                flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, value = match.groups()
            starts_entry = keyword in ("msgctxt", "msgid")
            if starts_entry and any(k.startswith("msgstr") for k in fields):
                flush()
            if not fields:
                start = number
            fields[keyword] = _unquote(value)
            last = keyword
        elif line.startswith('"') and line.endswith('"') and last is not None:
            fields[last] += _unquote(line[1:-1])
        else:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
    flush()
    return entries


def _rel(path: Path) -> str:
    return str(path.relative_to(PACKAGE_DIR.parent))


def po_files() -> list[Path]:
    """Every zh-Hans catalogue of the project: one per app, plus those in LOCALE_PATHS."""
    found = sorted(PACKAGE_DIR.glob(f"*/{PO_SUFFIX.as_posix()}"))
    for locale_path in settings.LOCALE_PATHS:
        candidate = Path(locale_path, *PO_SUFFIX.parts[1:])
        if candidate.exists() and candidate not in found:
            found.append(candidate)
    return found


def app_dirs() -> list[Path]:
    return sorted(p.parent for p in PACKAGE_DIR.glob("*/apps.py"))


_PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


# --- Completeness ---------------------------------------------------------------------------
def test_core_orgs_and_catalog_have_catalogues() -> None:
    apps = {p.parents[3].name for p in po_files()}
    assert {"core", "orgs", "catalog"} <= apps


@pytest.mark.parametrize("po", po_files(), ids=_rel)
def test_catalogue_is_complete(po: Path) -> None:
    entries = read_po(po)
    assert entries, f"{_rel(po)} has no entries"
    problems = []
    for e in entries:
        where = f"{_rel(po)}:{e.line} {e.msgid!r}"
        if "fuzzy" in e.flags:
            problems.append(f"{where}: fuzzy")
        if not e.msgstr or any(s.strip() == "" for s in e.msgstr):
            problems.append(f"{where}: not translated")
            continue
        wanted = sorted(_PLACEHOLDER.findall(e.msgid))
        for s in e.msgstr:
            if sorted(_PLACEHOLDER.findall(s)) != wanted:
                problems.append(f"{where}: placeholders {wanted} not kept in {s!r}")
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("po", po_files(), ids=_rel)
def test_what_users_see_is_what_the_catalogue_says(po: Path) -> None:
    """Django merges all catalogues and the app listed first wins; an entry another catalogue
    translates differently would never be shown. Also fails on a stale .mo: run
    ``make messages``."""
    mismatches = []
    with translation.override("zh-hans"):
        for e in read_po(po):
            if e.msgid_plural is not None:
                shown = (
                    translation.npgettext(e.msgctxt, e.msgid, e.msgid_plural, 1)
                    if e.msgctxt is not None
                    else translation.ngettext(e.msgid, e.msgid_plural, 1)
                )
            elif e.msgctxt is not None:
                shown = translation.pgettext(e.msgctxt, e.msgid)
            else:
                shown = translation.gettext(e.msgid)
            if shown != e.msgstr[0]:
                mismatches.append(
                    f"{_rel(po)}:{e.line} {e.msgid!r}: shown {shown!r}, "
                    f"catalogue says {e.msgstr[0]!r}"
                )
    assert mismatches == [], "\n".join(mismatches)


# --- In step with the source ----------------------------------------------------------------
def _keys(entries: list[Entry]) -> set[tuple[str | None, str]]:
    return {(e.msgctxt, e.msgid) for e in entries}


@pytest.mark.skipif(
    shutil.which("xgettext") is None or shutil.which("msguniq") is None,
    reason="GNU gettext (xgettext, msguniq) is not installed",
)
@pytest.mark.parametrize("app", app_dirs(), ids=lambda p: p.name)
def test_makemessages_would_change_nothing(app: Path, tmp_path: Path) -> None:
    """Run the documented ``makemessages -l zh_Hans --ignore=migrations`` in a copy of the app
    (without settings, like a developer does from the app directory) and compare msgids.
    ``-P`` keeps the copy off ``sys.path``: its ``selectors.py`` would shadow the stdlib one."""
    copy = tmp_path / app.name
    shutil.copytree(app, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "*.po"))
    (copy / "locale").mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [
            sys.executable,
            "-P",
            "-m",
            "django",
            "makemessages",
            "-l",
            "zh_Hans",
            "--ignore=migrations",
            "-v0",
        ],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    extracted_po = copy / PO_SUFFIX
    extracted = _keys(read_po(extracted_po)) if extracted_po.exists() else set()
    ours = _keys(read_po(app / PO_SUFFIX)) if (app / PO_SUFFIX).exists() else set()
    report = [
        f"missing from the .po (run makemessages and translate): {key}"
        for key in sorted(extracted - ours, key=str)
    ]
    report += [
        f"no longer in the source (run makemessages): {key}"
        for key in sorted(ours - extracted, key=str)
    ]
    assert report == [], "\n".join(report)


# --- The admin in Chinese and in English ----------------------------------------------------
@pytest.fixture
def registry(db: None) -> dict[str, Any]:
    regions = factories.regions()
    market = factories.sector()
    body = factories.body(regions["county"], market, name="芙蓉区市场监督管理局")
    person = factories.person(body, name="李明", roles=(RoleKind.OFFICER,))
    certificate = factories.certificate(
        person, [regions["county"]], [market], number="43010220260001"
    )
    item = EnforcementItem.objects.create(
        code="330217001000",
        name="对未取得许可从事食品生产的处罚",
        category=ItemCategory.PENALTY,
        body=body,
        procedure_type=ProcedureType.GENERAL,
        effective_from=dt.date(2024, 1, 1),
    )
    benchmark = DiscretionBenchmark.objects.create(
        code="SC-001",
        violation="未取得食品生产许可从事食品生产活动",
        sector=market,
        region=regions["province"],
        violated_text="《中华人民共和国食品安全法》第三十五条第一款",
        penalty_text="《中华人民共和国食品安全法》第一百二十二条第一款",
        statutory_min=5_000_000,
        statutory_max=15_000_000,
        source_document="湖南省市场监管行政处罚裁量权基准",
        effective_from=dt.date(2024, 1, 1),
    )
    BenchmarkTier.objects.create(
        benchmark=benchmark,
        tier=Tier.LIGHTER,
        conditions="初次违法且货值较小",
        min_value=5_000_000,
        max_value=8_000_000,
        penalty_kinds=["fine"],
    )
    return {
        "body": body,
        "person": person,
        "certificate": certificate,
        "item": item,
        "benchmark": benchmark,
    }


@pytest.fixture
def superuser_client(registry: dict[str, Any]) -> Client:
    admin = User.objects.create_superuser(
        username="root", email="root@example.org", password="Zhifa-test-2026"
    )
    client = Client()
    client.force_login(admin)
    return client


def _english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


CHANGELISTS = {
    "/admin/orgs/enforcementbody/": (
        ["执法主体", "统一社会信用代码", "行政机关", "正常"],
        ["Select enforcement body to change", "Unified social credit code",
         "Administrative organ", "Active"],
    ),
    "/admin/orgs/person/": (
        ["人员", "公民身份号码", "在岗"],
        ["Select person to change", "ID number", "In post"],
    ),
    "/admin/orgs/certificate/": (
        ["行政执法证", "执法证号", "持证人", "有效期至", "有效"],
        ["enforcement certificate", "Certificate number", "Holder", "Expiry date", "Valid"],
    ),
    "/admin/catalog/enforcementitem/": (
        ["行政执法事项", "行政处罚", "合法性审核", "未审核"],
        ["enforcement item", "Administrative penalty", "Legality review", "Not reviewed"],
    ),
    "/admin/catalog/discretionbenchmark/": (
        ["行政裁量权基准", "违法行为", "执法领域", "适用区域"],
        ["discretion benchmark", "Violation", "Sector", "Applies in region"],
    ),
}
# UI words that must not appear on the English pages (the test data avoids them).
CHINESE_UI = [
    "执法主体",
    "行政执法证",
    "统一社会信用代码",
    "行政裁量权基准",
    "站点管理",
    "行政机关",
    "持证人",
    "违法行为",
]


def test_admin_index_is_chinese_by_default(superuser_client: Client) -> None:
    response = superuser_client.get("/admin/")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "zh-hans"
    html = response.content.decode()
    for text in [
        "站点管理",
        "机构与人员",
        "目录清单",
        "执法主体",
        "人员",
        "行政执法证",
        "行政执法事项",
        "行政裁量权基准",
        "随机抽查事项",
        "法律法规",
        "条文",
        "重大执法决定法制审核目录清单",
        "听证较大数额标准",
        "行政区划",
        "执法领域",
    ]:
        assert text in html, text


def test_admin_index_is_english_when_selected(superuser_client: Client) -> None:
    response = _english(superuser_client).get("/admin/")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "en"
    html = response.content.decode()
    for text in [
        "Site administration",
        "Organisations and personnel",
        "Catalogues",
        "Enforcement bodies",
        "Enforcement certificates",
        "Discretion benchmarks",
        "Legal review catalogues",
        "Hearing thresholds",
    ]:
        assert text in html, text
    for text in CHINESE_UI:
        assert text not in html, text


@pytest.mark.parametrize("url", list(CHANGELISTS))
def test_changelist_is_chinese_by_default(superuser_client: Client, url: str) -> None:
    response = superuser_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    for text in CHANGELISTS[url][0]:
        assert text in html, text


@pytest.mark.parametrize("url", list(CHANGELISTS))
def test_changelist_is_english_when_selected(superuser_client: Client, url: str) -> None:
    response = _english(superuser_client).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    for text in CHANGELISTS[url][1]:
        assert text in html, text
    for text in CHINESE_UI:
        assert text not in html, text


def test_change_forms_are_chinese_by_default(
    superuser_client: Client, registry: dict[str, Any]
) -> None:
    pages = {
        f"/admin/orgs/enforcementbody/{registry['body'].pk}/change/": [
            "统一社会信用代码",
            "上级主管部门",
            "法制审核机构",
            "执法监督机关",
            "内设机构",
            "法律法规授权组织",
            "受委托组织",
        ],
        f"/admin/orgs/certificate/{registry['certificate'].pk}/change/": [
            "持证人",
            "发证机关",
            "执法区域",
            "执法类别",
            "发证日期",
            "有效期至",
            "执法证状态变更记录",
        ],
        f"/admin/catalog/discretionbenchmark/{registry['benchmark'].pk}/change/": [
            "违法行为",
            "违法依据",
            "处罚依据",
            "罚款计算方式",
            "固定金额（分）",
            "法定下限",
            "裁量阶次",
            "从轻",
        ],
        # Versions are read-only once created (catalog.admin); the tier choices are on "add".
        "/admin/catalog/discretionbenchmark/add/": [
            "违法行为",
            "裁量阶次",
            "不予处罚",
            "从重",
        ],
        f"/admin/catalog/enforcementitem/{registry['item'].pk}/change/": [
            "行政执法事项",
            "行政处罚普通程序",
            "申请行政复议期限（日）",
            "合法性审核意见",
        ],
    }
    for url, texts in pages.items():
        response = superuser_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for text in texts:
            assert text in html, (url, text)
