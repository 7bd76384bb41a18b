"""The OpenAPI document lists every case operation with its answers, and documents how
money travels (yuan strings in, fen integers out)."""

import pytest
from django.test import Client

from tests.api.cases_helpers import API

pytestmark = pytest.mark.django_db

OPERATIONS = {
    ("GET", "/api/v1/cases"): ("cases_for_list", {"200", "401", "403"}),
    ("POST", "/api/v1/cases"): ("case_create", {"201", "400", "401", "403", "409", "422"}),
    ("GET", "/api/v1/cases/{key}"): ("case_view_for", {"200", "401", "403", "404"}),
    ("GET", "/api/v1/cases/{key}/timeline"): ("stream_entries", {"200", "401", "403", "404"}),
    ("POST", "/api/v1/cases/{key}/actions/{action}"): (
        "case_act", {"201", "202", "400", "401", "403", "404", "409", "422"}),
    ("POST", "/api/v1/approvals/{public_id}/decision"): (
        "approval_decide", {"200", "400", "401", "403", "404", "409", "422"}),
    ("POST", "/api/v1/approvals/{public_id}/withdraw"): (
        "approval_withdraw", {"200", "400", "401", "403", "404", "409", "422"}),
    ("GET", "/api/v1/procedures"): ("visible_procedures", {"200", "401", "403", "404"}),
    ("GET", "/api/v1/procedures/{code}"): ("procedure_get", {"200", "401", "403", "404"}),
    ("GET", "/api/v1/deadlines/provisional"): ("provisional_deadlines", {"200", "401", "403"}),
}


def document() -> dict:  # type: ignore[type-arg]
    response = Client().get(API + "/openapi.json")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def test_every_case_operation_is_documented() -> None:
    doc = document()
    ops = {(method.upper(), path): op for path, methods in doc["paths"].items()
           for method, op in methods.items()}
    found = {key: (ops[key]["operationId"], set(ops[key]["responses"]))
             for key in OPERATIONS if key in ops}
    assert found == OPERATIONS
    # operation ids are unique across the whole document
    ids = [op["operationId"] for op in ops.values()]
    assert len(ids) == len(set(ids))
    params = {p["name"] for p in ops[("GET", "/api/v1/cases")]["parameters"]}
    assert {"procedure", "status", "stage", "q", "overdue", "body", "page", "page_size"} <= params
    paged = {p["name"] for p in ops[("GET", "/api/v1/deadlines/provisional")]["parameters"]}
    assert {"page", "page_size"} <= paged


def test_money_is_documented() -> None:
    doc = document()
    schemas = doc["components"]["schemas"]
    act = doc["paths"]["/api/v1/cases/{key}/actions/{action}"]["post"]
    assert "yuan as a string" in act["description"]
    assert "yuan as a string" in schemas["ActIn"]["properties"]["data"]["description"]
    assert "fen" in schemas["CaseOut"]["properties"]["final_fine_fen"]["description"]
    assert "fen" in schemas["StepOut"]["properties"]["data"]["description"]
    assert "fen" in doc["paths"]["/api/v1/cases/{key}"]["get"]["description"]
    assert set(schemas["ActIn"]["properties"]) == {"data", "reason", "late_reason"}
    assert set(schemas["DecisionIn"]["required"]) == {"approve"}
    assert {"procedure", "title", "sector", "region", "parties", "officers"} == set(
        schemas["CaseCreateIn"]["required"])
    refusal = schemas["RefusalOut"]["properties"]
    assert {"code", "message", "source"} <= set(refusal)
