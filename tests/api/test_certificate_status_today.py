"""``status`` (the stored column) next to ``status_today`` (the status in force today), the
list filter by status today, and status changes a client may not request (expiry)."""

import datetime as dt

from django.utils import timezone

from tests import factories as f
from tests.api.conftest import API, ApiWorld
from tests.api.helpers import certificate_out, error
from zhifa.orgs.models import Certificate, CertificateStatusChange
from zhifa.orgs.services import certificate_status_change, certificates_expire_due


def get(client, url: str):  # type: ignore[no-untyped-def]
    response = client.get(API + url)
    assert response.status_code == 200, response.content
    return response.json()


def state(cert: Certificate) -> tuple[str, int]:
    return (Certificate.objects.get(pk=cert.pk).status,
            CertificateStatusChange.objects.filter(certificate=cert).count())


def numbers(client, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [c["number"] for c in get(client, "/certificates?" + query)["items"]]


def test_expired_by_date_before_the_sweep(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    lapsed = f.certificate(w.officer_a, [w.regions["city"]], [w.market],
                           expiry=dt.date(2025, 6, 30))
    assert state(lapsed) == ("valid", 0)  # the nightly sweep has not run
    c = client_for(w.u_officer_a)
    rows = sorted([certificate_out(w.cert_a),
                   {**certificate_out(lapsed), "status": "valid", "status_today": "expired"}],
                  key=lambda r: r["number"])
    assert get(c, "/certificates") == {"count": 2, "items": rows}
    assert get(c, f"/certificates/{lapsed.public_id}") == {
        **certificate_out(lapsed, status_today="expired"), "history": []}
    assert get(c, f"/certificates/by-number/{lapsed.number}")["status_today"] == "expired"
    # The filter reads the status today, not the stored column.
    assert numbers(c, "status=expired") == [lapsed.number]
    assert numbers(c, "status=valid") == [w.cert_a.number]
    # After the sweep both agree, and the filter answers the same.
    assert certificates_expire_due(today=timezone.localdate()) == (1, [])
    assert get(c, f"/certificates/{lapsed.public_id}")["status"] == "expired"
    assert get(c, "/certificates?status=expired")["items"] == [
        certificate_out(lapsed, status_today="expired")]
    assert numbers(c, "status=valid") == [w.cert_a.number]


def test_suspended_then_expired_by_date(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    cert = f.certificate(w.officer_a, [w.regions["city"]], [w.market],
                         expiry=dt.date(2025, 6, 30))
    certificate_status_change(actor=None, certificate=cert, to_status="suspended",
                              effective_date=dt.date(2025, 3, 1), reason="暂扣")
    c = client_for(w.u_officer_a)
    detail = get(c, f"/certificates/{cert.public_id}")
    assert (detail["status"], detail["status_today"]) == ("suspended", "expired")
    assert numbers(c, "status=suspended") == []
    assert numbers(c, "status=expired") == [cert.number]


def test_suspended_today(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    certificate_status_change(actor=None, certificate=w.cert_a, to_status="suspended",
                              effective_date=timezone.localdate(), reason="暂扣")
    c = client_for(w.u_officer_a)
    assert get(c, "/certificates") == {"count": 1, "items": [
        {**certificate_out(w.cert_a), "status": "suspended", "status_today": "suspended"}]}
    assert numbers(c, "status=suspended") == [w.cert_a.number]
    assert numbers(c, "status=valid") == []


def test_not_yet_issued(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    future = f.certificate(w.officer_a, [w.regions["city"]], [w.market],
                           issue=today + dt.timedelta(days=10),
                           expiry=today + dt.timedelta(days=2000))
    c = client_for(w.u_officer_a)
    assert get(c, f"/certificates/{future.public_id}") == {
        **certificate_out(future, status_today="not_yet_issued"), "history": []}
    assert get(c, "/certificates?status=not_yet_issued")["items"] == [
        certificate_out(future, status_today="not_yet_issued")]
    assert numbers(c, "status=valid") == [w.cert_a.number]
    error(c.get(API + "/certificates?status=lost"), 422, "invalid_payload")


def test_person_detail_lists_status_today(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    lapsed = f.certificate(w.officer_a, [w.regions["city"]], [w.market],
                           expiry=dt.date(2025, 6, 30))
    certs = get(client_for(w.u_officer_a), f"/people/{w.officer_a.public_id}")["certificates"]
    assert sorted((x["number"], x["status"], x["status_today"]) for x in certs) == sorted(
        [(w.cert_a.number, "valid", "valid"), (lapsed.number, "valid", "expired")])


def test_status_change_answer_has_status_today(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    response = client_for(w.u_admin_a).post(
        f"{API}/certificates/{w.cert_a.public_id}/status",
        {"to_status": "suspended", "effective_date": "2025-05-01", "reason": "暂扣"},
        content_type="application/json")
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["status_today"]) == (
        "suspended", "suspended")


def test_expired_cannot_be_requested(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    lapsed = f.certificate(w.officer_a, [w.regions["city"]], [w.market],
                           expiry=dt.date(2025, 6, 30))
    before = state(lapsed)
    response = client_for(w.u_admin_a).post(
        f"{API}/certificates/{lapsed.public_id}/status",
        # Exactly what the sweep would record: the day after the expiry date.
        {"to_status": "expired", "effective_date": "2025-07-01", "reason": "有效期届满"},
        content_type="application/json")
    body = error(response, 422, "invalid_payload")
    assert [(e["loc"], e["type"]) for e in body["detail"]] == [
        (["body", "payload", "to_status"], "enum")]
    assert state(lapsed) == before == ("valid", 0)
    # The refusal is the API's: the service itself records this expiry (for the sweep).
    certificate_status_change(actor=None, certificate=lapsed, to_status="expired",
                              effective_date=dt.date(2025, 7, 1), reason="有效期届满")
    assert state(lapsed) == ("expired", 1)


def test_openapi_documents_the_statuses(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    doc = client_for(None).get(API + "/openapi.json").json()
    schemas = doc["components"]["schemas"]
    assert schemas["RequestableStatus"]["enum"] == ["valid", "suspended", "revoked"]
    assert schemas["StatusChangeIn"]["properties"]["to_status"] == {
        "$ref": "#/components/schemas/RequestableStatus"}
    assert schemas["StatusToday"]["enum"] == ["valid", "suspended", "revoked", "expired",
                                              "not_yet_issued"]
    out = schemas["CertificateOut"]
    assert {"status", "status_today"} <= set(out["required"])
    assert "nightly sweep" in out["properties"]["status"]["description"]
    assert "in force today" in out["properties"]["status_today"]["description"]
    list_op = doc["paths"]["/api/v1/certificates"]["get"]
    assert list_op["description"].startswith(
        "The status filter reads the status today (status_today), not the stored status "
        "column.\n\nPaged by page number")
    status_op = doc["paths"]["/api/v1/certificates/{public_id}/status"]["post"]
    assert "to_status=expired is 422" in status_op["description"]
