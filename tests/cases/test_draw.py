import datetime as dt

import pytest

from zhifa.cases.models import Case, SourceKind
from zhifa.cases.services.draw import draw_targets, inspection_draw
from zhifa.catalog.services import inspection_item_create
from zhifa.core.errors import InvalidInput, PermissionDenied
from zhifa.ledger.models import LedgerEntry

from .factories import agency, company_party

pytestmark = pytest.mark.django_db


def _item(a):  # type: ignore[no-untyped-def]
    return inspection_item_create(actor=None, body=a.body, code="RI-001",
                                  name="食品经营许可事项检查", inspection_objects="食品经营者",
                                  method="现场检查", effective_from=dt.date(2025, 1, 1))


def test_draw_is_reproducible_from_its_seed_and_recorded() -> None:
    a = agency()
    item = _item(a)
    candidates = [company_party(f"长沙某某食品店{i}") for i in range(10)]
    result = inspection_draw(actor=a.u_officer, random_item=item, candidates=candidates,
                             count=3, region=a.regions["county"], sector=a.market,
                             seed="fixed-seed")
    picked = draw_targets("fixed-seed", 10, 3)
    assert [c.parties.get().name for c in result.cases] == [candidates[i].name for i in picked]
    for case in result.cases:
        assert case.procedure == "inspection" and case.stage == "planned"
        assert case.source_kind == SourceKind.RANDOM_DRAW
        assert case.random_item == item and case.draw_seed == "fixed-seed"
        assert case.officers.count() == 2  # two certified officers drawn from the pool
    entry = LedgerEntry.objects.get(stream="cases.draws")
    assert '"seed":"fixed-seed"' in entry.payload
    assert f'"picked":[{",".join(map(str, picked))}]' in entry.payload


def test_draw_refusals_change_nothing() -> None:
    a = agency()
    item = _item(a)
    before = (Case.objects.count(), LedgerEntry.objects.count())
    with pytest.raises(InvalidInput) as exc:
        inspection_draw(actor=a.u_officer, random_item=item, candidates=[company_party()],
                        count=2, region=a.regions["county"], sector=a.market)
    assert exc.value.code == "draw_count"
    with pytest.raises(PermissionDenied):
        inspection_draw(actor=a.u_other, random_item=item, candidates=[company_party()],
                        count=1, region=a.regions["county"], sector=a.market)
    assert (Case.objects.count(), LedgerEntry.objects.count()) == before
