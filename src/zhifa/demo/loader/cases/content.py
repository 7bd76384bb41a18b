"""What a demo case is about: its title, parties, facts, the penalty proposed and decided,
serial and licence numbers. ``Facts`` is what the recipes' step data read."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from zhifa.cases.models import SourceKind
from zhifa.cases.services import PartyIn
from zhifa.catalog.models import EnforcementItem, PartyType
from zhifa.orgs.models import Region

from ...data.cases.other import GENERIC, INSPECTIONS, LICENCES, MEASURES, Inspection
from ...data.cases.parties import COURTS
from ...data.cases.violations import INVESTIGATION_STEPS, VIOLATIONS, Violation
from .parties import PartyMaker

if TYPE_CHECKING:
    from zhifa.orgs.models import Sector

    from .staff import BodyStaff
    from .steps import Clock, Recipe


@dataclass
class Facts:
    title: str
    summary: str
    source_kind: str
    parties: list[PartyIn]
    region: Region
    sector: Sector
    item: EnforcementItem | None
    place: str
    court: str
    clock: Clock
    received: dt.date = dt.date.min  # set when the recipe is placed
    act_back: int = 10  # the act happened this many days before the case was received
    limitation_override: str = ""
    # penalty
    violation: Violation | None = None
    kinds: list[str] = field(default_factory=list)
    fine: int = 0  # yuan
    confiscation: int = 0
    final_fine: int = 0
    major: bool = False
    complex: bool = False
    investigation: tuple[tuple[str, str], ...] = INVESTIGATION_STEPS
    # other procedures
    measure: str = ""
    items: str = ""
    party_absent: bool = False  # a witness signs the on-site record instead (ACL art. 18(9))
    extension_days: int = 30  # ACL art. 25: at most 30
    inspection: Inspection | None = None
    licence_number: str = ""
    missing: str = ""
    steps_text: tuple[str, ...] = ()
    decision_text: str = ""
    serial: str = ""
    archive_number: str = ""
    presiding: str = ""
    head_name: str = ""

    @property
    def act_date(self) -> dt.date:
        return self.received - dt.timedelta(days=self.act_back)

    @property
    def party_name(self) -> str:
        return self.parties[0].name


class ContentMaker:
    """Seeded choices of items, parties and amounts for each planned case."""

    def __init__(self, rng: random.Random, parties: PartyMaker,
                 items: dict[tuple[str, str], EnforcementItem], clock: Clock) -> None:
        self.rng = rng
        self.parties = parties
        self.items = items
        self.clock = clock
        self.today = clock.today
        self._turns: dict[tuple[str, str], int] = {}
        self._numbers: dict[tuple[str, str], int] = {}

    # --- helpers ----------------------------------------------------------------------
    def _take(self, key: tuple[str, str], options: list[str]) -> str:
        turn = self._turns.get(key, 0)
        self._turns[key] = turn + 1
        return options[turn % len(options)]

    def number(self, kind: str, body_key: str) -> int:
        key = (kind, body_key)
        self._numbers[key] = self._numbers.get(key, 0) + 1
        return self._numbers[key]

    def _item_keys(self, staff: BodyStaff, category: str) -> list[str]:
        return [t for (k, t), item in self.items.items()
                if k == staff.key and item.category == category]

    def _base(self, staff: BodyStaff, *, title: str, summary: str, source: str,
              party: PartyIn, district: str, item: EnforcementItem | None) -> Facts:
        body = staff.body
        region = body.region if body.region.code == district else Region.objects.get(
            code=district)
        head = staff.head.person
        reviewer = staff.reviewer.person
        return Facts(
            title=title, summary=summary, source_kind=source, parties=[party], region=region,
            sector=body.sector, item=item, place=party.address, court=COURTS[district],
            clock=self.clock,
            head_name=head.name if head else "",
            presiding=f"{reviewer.department.name}{reviewer.name}" if reviewer and
            reviewer.department else "",
        )

    def _party(self, kinds: str, district: str, sector: str, needs: frozenset[str],
               v: Violation | None = None) -> PartyIn:
        companies, shops = (v.companies, v.shops) if v is not None else ((), ())
        if "minor" in needs:
            return self.parties.minor(district, self.today)
        if "hearing" in needs and "o" in kinds:
            return self.parties.organisation(district, sector, companies)
        if "person" in needs:
            return self.parties.adult(district, self.today)
        return self.parties.of_kind(kinds, district, sector, self.today, companies=companies,
                                    shops=shops)

    # --- penalty cases ----------------------------------------------------------------
    def _violation_keys(self, staff: BodyStaff, needs: frozenset[str]) -> list[str]:
        out = []
        for key in self._item_keys(staff, "penalty"):
            v = VIOLATIONS.get(key)
            if v is None:
                continue
            if {"hearing", "major", "transfer"} & needs - v.tags:
                continue
            if ("minor" in needs or "person" in needs) and "p" not in v.parties:
                continue
            if "warning" in needs and "warning" not in v.kinds:
                continue
            if "fine" in needs and "fine" not in v.kinds:
                continue
            if "summary" in needs and not v.summary_kinds:
                continue
            out.append(key)
        if not out:
            raise ValueError(f"{staff.key}: no penalty item fits {sorted(needs)}")
        return out

    def penalty(self, staff: BodyStaff, recipe: Recipe, source: str) -> Facts:
        needs = recipe.needs
        key = self._take((staff.key, "penalty:" + ",".join(sorted(needs))),
                         self._violation_keys(staff, needs))
        v = VIOLATIONS[key]
        district = self.parties.district(staff.body.region.code)
        party = self._party(v.parties, district, staff.body.sector.code, needs, v)
        facts = self._base(staff, title=f"{party.name}{v.phrase}案",
                           summary=v.facts.format(party=party.name), source=source,
                           party=party, district=district, item=self.items[(staff.key, key)])
        facts.violation = v
        if "summary" in needs:
            return self._summary(staff, facts, v, needs)
        kinds = list(v.kinds)
        if "warning" in needs:
            kinds = ["warning"]
        elif "fine" in needs and "warning" in kinds and len(kinds) > 1:
            kinds.remove("warning")
        facts.kinds = kinds
        if "fine" in kinds:
            facts.fine = max(v.fines) if "hearing" in needs else self.rng.choice(v.fines)
        if {"confiscate_gains", "confiscate_property"} & set(kinds) and v.confiscation:
            facts.confiscation = self.rng.choice(v.confiscation)
        facts.final_fine = facts.fine
        if "reduced" in needs and facts.fine:
            facts.final_fine = facts.fine * 4 // 5  # the defence was partly accepted
        facts.major = "review" in needs
        facts.complex = "complex" in needs
        steps = list(INVESTIGATION_STEPS)
        self.rng.shuffle(steps)
        facts.investigation = tuple(steps)
        facts.act_back = self.rng.randrange(3, 40)
        if "limitation" in needs:
            facts.act_back = 800  # about 26 months: beyond two years, a continuing act
            facts.limitation_override = ("违法行为有连续状态，自行为终了之日起计算，"
                                         "未超过二年追责期限。")
        facts.items = v.preserved or "涉案物品一批"
        return facts

    def _summary(self, staff: BodyStaff, facts: Facts, v: Violation,
                 needs: frozenset[str]) -> Facts:
        person = facts.parties[0].party_type != PartyType.ORGANISATION
        fines = [f for f in v.summary_fines if f <= (200 if person else 3000)]
        if "fine" in v.summary_kinds and fines and "warning" not in needs:
            facts.kinds, facts.fine = ["fine"], self.rng.choice(fines)
        else:
            facts.kinds = ["warning"]
        facts.final_fine = facts.fine
        facts.act_back = 0
        return facts

    # --- other procedures -------------------------------------------------------------
    def measure(self, staff: BodyStaff, recipe: Recipe) -> Facts:
        key = self._take((staff.key, "coercion"), [
            k for k in self._item_keys(staff, "coercion") if k in MEASURES])
        m = MEASURES[key]
        district = self.parties.district(staff.body.region.code)
        party = self._party(m.parties, district, staff.body.sector.code, recipe.needs)
        verb = "查封" if m.measure == "seal" else "扣押"
        facts = self._base(staff, title=f"{verb}{party.name}{m.phrase}",
                           summary=f"检查中发现{party.name}{m.phrase}，拟依法{verb}。",
                           source=SourceKind.INSPECTION, party=party, district=district,
                           item=self.items[(staff.key, key)])
        facts.measure, facts.items = m.measure, m.items
        # taken in turn, not drawn, so that the other seeded choices stay as they were
        facts.party_absent = self._take((staff.key, "coercion:absent"), ["", "", "absent"]) != ""
        facts.extension_days = int(self._take((staff.key, "coercion:days"), ["30", "15", "20"]))
        return facts

    def inspection(self, staff: BodyStaff, recipe: Recipe, party: PartyIn | None = None,
                   district: str = "") -> Facts:
        sector = staff.body.sector.code
        keys = self._item_keys(staff, "inspection")
        item = self.items[(staff.key, keys[0])] if keys else None
        district = district or self.parties.district(staff.body.region.code)
        texts = INSPECTIONS[sector]
        party = party or self.parties.of_kind("ob", district, sector, self.today,
                                              companies=texts.companies, shops=texts.shops)
        name = item.name if item else "日常监督检查"
        facts = self._base(staff, title=f"{name}：{party.name}",
                           summary=f"按年度检查计划对{party.name}开展监督检查。",
                           source=SourceKind.INSPECTION, party=party, district=district,
                           item=item)
        facts.inspection = texts
        return facts

    def licence(self, staff: BodyStaff, recipe: Recipe) -> Facts:
        key = self._take((staff.key, "licensing"), [
            k for k in self._item_keys(staff, "licensing") if k in LICENCES])
        lic = LICENCES[key]
        district = self.parties.district(staff.body.region.code)
        party = self._party(lic.parties, district, staff.body.sector.code, recipe.needs)
        facts = self._base(staff, title=f"{party.name}{lic.subject}",
                           summary=f"{party.name}提交{lic.subject.removesuffix('申请')}申请材料。",
                           source=SourceKind.APPLICATION, party=party, district=district,
                           item=self.items[(staff.key, key)])
        seq = self.number("licence", staff.key)
        facts.licence_number = lic.number.format(region=district, year=self.today.year,
                                                 seq=seq)
        facts.missing = lic.missing
        return facts

    def generic(self, staff: BodyStaff, recipe: Recipe) -> Facts:
        key = self._take((staff.key, "generic"), [
            t for (k, t), item in self.items.items()
            if k == staff.key and item.procedure_type == "generic" and t in GENERIC])
        g = GENERIC[key]
        district = self.parties.district(staff.body.region.code)
        party = self.parties.organisation(district, staff.body.sector.code, g.companies)
        facts = self._base(staff, title=f"{party.name}{g.subject}",
                           summary=f"{party.name}申请办理{g.subject}。",
                           source=SourceKind.APPLICATION if "登记" in g.subject
                           else SourceKind.OTHER, party=party, district=district,
                           item=self.items[(staff.key, key)])
        facts.steps_text, facts.decision_text = g.steps, g.decision
        return facts
