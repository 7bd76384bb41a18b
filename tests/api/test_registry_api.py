"""Regions, sectors, bodies, departments and people: exact payloads within scope."""

import datetime as dt

import pytest
from django.conf import settings

from tests import factories as f
from tests.api.conftest import API, ApiWorld
from tests.api.helpers import body_out, body_ref, error, masked, person_out


def get(client, url: str):  # type: ignore[no-untyped-def]
    response = client.get(API + url)
    assert response.status_code == 200, response.content
    return response.json()


def by_id(rows: list[dict]) -> list[dict]:  # type: ignore[type-arg]
    return sorted(rows, key=lambda r: r["public_id"])


def test_regions_list_and_filters(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    c = client_for(w.u_officer_a)
    assert get(c, "/regions") == {"count": 5, "items": [
        {"code": "430000", "name": "湖南省", "level": "province", "parent_code": None},
        {"code": "430100", "name": "长沙市", "level": "city", "parent_code": "430000"},
        {"code": "430102", "name": "芙蓉区", "level": "county", "parent_code": "430100"},
        {"code": "430200", "name": "株洲市", "level": "city", "parent_code": "430000"},
        {"code": "430202", "name": "荷塘区", "level": "county", "parent_code": "430200"},
    ]}
    assert [r["code"] for r in get(c, "/regions?level=county")["items"]] == ["430102", "430202"]
    assert [r["code"] for r in get(c, "/regions?parent=430100")["items"]] == ["430102"]


def test_region_tree(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    def node(code: str, name: str, level: str, *children: dict) -> dict:  # type: ignore[type-arg]
        return {"code": code, "name": name, "level": level, "children": list(children)}

    assert get(client_for(w.u_officer_a), "/regions/tree") == [
        node("430000", "湖南省", "province",
             node("430100", "长沙市", "city", node("430102", "芙蓉区", "county")),
             node("430200", "株洲市", "city", node("430202", "荷塘区", "county"))),
    ]


def test_sectors(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    assert get(client_for(w.u_officer_b), "/sectors") == [
        {"code": "environment", "name": "生态环境"}, {"code": "justice", "name": "司法行政"},
        {"code": "market", "name": "市场监管"},
    ]


def test_bodies_by_role(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    assert get(client_for(w.u_officer_a), "/bodies") == {"count": 1,
                                                         "items": [body_out(w.body_a)]}
    assert get(client_for(w.u_admin_b), "/bodies") == {"count": 1,
                                                       "items": [body_out(w.body_b)]}
    supervised = get(client_for(w.u_supervisor), "/bodies")
    assert supervised["count"] == 3
    # Ordered by region code, then name (whose order depends on the database's collation).
    assert [b["region"]["code"] for b in supervised["items"]] == ["430100", "430100", "430102"]
    assert by_id(supervised["items"]) == by_id([body_out(w.bureau), body_out(w.body_city),
                                                body_out(w.body_a)])
    assert get(client_for(w.u_sysadmin), "/bodies")["count"] == 5


def test_body_filters(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    c = client_for(w.u_sysadmin)

    def names(query: str) -> list[str]:
        return [b["name"] for b in get(c, "/bodies?" + query)["items"]]

    assert set(names("region=430100")) == {"长沙市司法局", "长沙市市场监督管理局",
                                           "芙蓉区市场监督管理局"}
    assert names("region=430200") == ["荷塘区市场监督管理局"]
    assert names("sector=justice") == ["长沙市司法局"]
    assert names("q=荷塘") == ["荷塘区市场监督管理局"]
    assert names(f"q={w.body_b.credit_code.lower()}") == ["荷塘区市场监督管理局"]
    assert set(names("level=county&status=active&kind=administrative_organ")) == {
        b.name for b in (w.body_province, w.body_city, w.bureau, w.body_a, w.body_b)
    }
    assert names("status=dissolved") == []
    # A supervisor's filter never widens the scope.
    assert [b["name"] for b in get(client_for(w.u_supervisor), "/bodies?region=430200")[
        "items"]] == []
    error(c.get(API + "/bodies?kind=ministry"), 422, "invalid_payload")


def test_body_detail_and_departments(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    c = client_for(w.u_officer_a)
    dep = {"public_id": str(w.dep_a.public_id), "name": "法制审核科", "kind": "legal_review"}
    assert get(c, f"/bodies/{w.body_a.public_id}") == {
        **body_out(w.body_a), "address": "", "phone": "", "supervising_body": None,
        "legal_review_office": dep,
    }
    assert get(c, f"/bodies/{w.body_a.public_id}/departments") == [
        {**dep, "body": body_ref(w.body_a)}
    ]
    # The supervisor sees the county body, including its departments.
    assert get(client_for(w.u_supervisor), f"/bodies/{w.body_a.public_id}/departments") == [
        {**dep, "body": body_ref(w.body_a)}
    ]
    error(client_for(w.u_supervisor).get(f"{API}/bodies/{w.body_b.public_id}"), 404,
          "body_not_found")


def test_people_id_number_masking(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    people_a = [w.officer_a, w.admin_a, w.inactive_a]

    def ids(u) -> dict[str, str]:  # type: ignore[no-untyped-def]
        return {p["name"]: p["id_number"] for p in get(client_for(u), "/people")["items"]}

    full = {p.name: p.id_number for p in people_a}
    assert ids(w.u_admin_a) == full
    assert ids(w.u_officer_a) == {n: masked(i) for n, i in full.items()}
    assert ids(w.u_sysadmin)["李明"] == w.officer_a.id_number
    supervised = ids(w.u_supervisor)
    assert supervised["李明"] == masked(w.officer_a.id_number)
    # Not even the supervisor's own colleague is shown in full: supervisors are not admins.
    assert supervised["周敏"] == masked(w.supervisor.id_number)
    # Detail follows the same rule.
    url = f"/people/{w.officer_a.public_id}"
    assert get(client_for(w.u_admin_a), url)["id_number"] == w.officer_a.id_number
    assert get(client_for(w.u_officer_a), url)["id_number"] == masked(w.officer_a.id_number)
    assert get(client_for(w.u_supervisor), url)["id_number"] == masked(
        w.officer_a.id_number)


def test_person_list_and_detail_payloads(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    p = w.officer_a
    p.legal_qualification_number = "A20191100000001"
    p.legal_qualification_date = dt.date(2019, 12, 1)
    p.post = "执法队员"
    p.save()
    c = client_for(w.u_officer_a)
    listed = {x["name"]: x for x in get(c, "/people")["items"]}
    assert set(listed) == {"李明", "王芳", "吴刚"}
    assert listed["李明"] == person_out(p, masked(p.id_number))
    assert listed["李明"]["legal_qualification"] == {"number": "A20191100000001",
                                                   "date": "2019-12-01"}
    assert listed["王芳"]["role_kinds"] == ["head"]
    assert get(c, f"/people/{p.public_id}") == {
        **person_out(p, masked(p.id_number)), "phone": "",
        "certificates": [{"public_id": str(w.cert_a.public_id), "number": w.cert_a.number,
                          "status": "valid", "status_today": "valid",
                          "issue_date": "2024-01-01",
                          "expiry_date": "2029-12-31"}],
    }


def test_people_filters(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    f.person(w.body_a, "郑洁", roles=("officer", "reviewer"),
             legal_qualification_number="A2020", legal_qualification_date=dt.date(2020, 1, 1))
    c = client_for(w.u_admin_a)

    def names(query: str) -> set[str]:
        return {p["name"] for p in get(c, "/people?" + query)["items"]}

    assert names("role_kind=reviewer") == {"郑洁"}
    assert names("role_kind=officer") == {"李明", "吴刚", "郑洁"}
    assert names("has_qualification=true") == {"郑洁"}
    assert names("has_qualification=false") == {"李明", "王芳", "吴刚"}
    assert names("q=王") == {"王芳"}
    assert names(f"body={w.body_a.public_id}") == {"李明", "王芳", "吴刚", "郑洁"}
    # Filtering by another body's id finds nothing: the scope comes first.
    assert names(f"body={w.body_b.public_id}") == set()
    assert {p["name"] for p in get(client_for(w.u_sysadmin),
                                   f"/people?body={w.body_b.public_id}")["items"]} == {
        "赵强", "陈静"}
    error(c.get(API + "/people?body=not-a-uuid"), 422, "invalid_payload")


def test_pagination_uses_the_configured_page_size(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    size = settings.ZHIFA["PAGE_SIZE"]
    for i in range(size + 2):
        f.person(w.body_a, f"人员{i:03d}")
    total = size + 2 + 3
    c = client_for(w.u_officer_a)
    first = get(c, "/people")
    assert (first["count"], len(first["items"])) == (total, size)
    second = get(c, "/people?page=2")
    assert (second["count"], len(second["items"])) == (total, total - size)
    seen = [p["public_id"] for p in first["items"] + second["items"]]
    assert len(set(seen)) == total
    assert len(get(c, "/people?page=1&page_size=5")["items"]) == 5
    error(c.get(API + "/people?page=0"), 422, "invalid_payload")


@pytest.mark.parametrize("url", ["/bodies", "/people", "/certificates", "/items"])
def test_lists_for_other_body_exclude_body_a(w: ApiWorld, client_for, url: str) -> None:  # type: ignore[no-untyped-def]
    text = client_for(w.u_officer_b).get(API + url).content.decode()
    for row in (w.body_a, w.officer_a, w.cert_a, w.item_a):
        assert str(row.public_id) not in text
