"""The error envelope, the OpenAPI document and the offline interactive docs."""

import json
import re

import pytest
from django.conf import settings
from django.test import Client

from tests.api.conftest import API, ApiWorld
from tests.api.helpers import error


def test_envelope_for_each_kind_of_error(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    anonymous = error(client_for(None).get(API + "/people"), 401, "not_authenticated")
    assert anonymous == {"code": "not_authenticated", "message": "请先登录。", "detail": None}
    forbidden = error(client_for(w.u_no_person).get(API + "/people"), 403,
                      "missing_view_registry")
    assert forbidden["detail"] is None
    missing = error(client_for(w.u_officer_b).get(f"{API}/people/{w.officer_a.public_id}"),
                    404, "person_not_found")
    assert missing == {"code": "person_not_found", "message": "未找到该人员。", "detail": None}
    invalid = error(client_for(w.u_officer_a).get(API + "/people?role_kind=mayor"), 422,
                    "invalid_payload")
    assert invalid["message"] == "请求格式不正确。"
    assert [(e["loc"], e["type"]) for e in invalid["detail"]] == [
        (["query", "role_kind"], "enum")]
    business = error(
        client_for(w.u_admin_a).post(f"{API}/certificates/{w.cert_a.public_id}/status",
                                     {"to_status": "valid", "effective_date": "2025-01-01",
                                      "reason": "恢复"}, content_type="application/json"),
        400, "certificate_status_transition")
    assert business["detail"] is None
    unknown_path = error(client_for(w.u_officer_a).get(API + "/no-such-thing"), 404,
                         "not_found")
    assert unknown_path["message"] == "未找到。"


def test_messages_follow_the_language(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    c = client_for(None)
    # zh-Hans by default, whatever the browser asks for; English when the user chose it.
    assert c.get(API + "/people", HTTP_ACCEPT_LANGUAGE="en").json()["message"] == "请先登录。"
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert c.get(API + "/people").json()["message"] == "Please log in first."


def test_csrf_failure_envelope(w: ApiWorld) -> None:
    c = Client(enforce_csrf_checks=True)
    c.force_login(w.u_admin_a)
    body = error(c.post(f"{API}/certificates/{w.cert_a.public_id}/status", {},
                        content_type="application/json"), 403, "csrf_failed")
    assert body["message"] == "安全令牌缺失或已过期，请刷新页面后重试。"


OPERATION_IDS = {
    # issue 7: open data (anonymous)
    "search_publications", "public_publication", "public_withdrawals", "publication_changes",
    # issue 7: publicity (staff)
    "visible_publications", "publication_get_for_user", "publication_mask_update",
    "publication_approve", "publication_withhold", "publication_withdraw",
    "publication_end_early",
    # issue 6: legal review
    "review_for_case", "review_package", "eligible_reviewers", "body_reviewers",
    "review_queue", "review_kpis", "review_draft_save", "review_submit", "review_assign",
    "opinion_save", "opinion_submit", "extension_request", "extension_decide",
    "review_contest", "discussion_open", "discussion_record",
    "visible_regions", "region_tree", "visible_sectors", "visible_bodies", "body_get_for_user",
    "body_departments", "visible_people", "person_get_for_user", "visible_certificates",
    "certificate_find_by_number", "certificate_get_for_user", "certificate_validity",
    "certificate_status_change", "visible_items", "item_get_for_user", "visible_benchmarks",
    "benchmark_get_for_user", "visible_review_catalogues", "article_in_force",
    "hearing_threshold_for",
    # cases (issue 3)
    "cases_for_list", "case_view_for", "case_create", "case_act", "approval_decide",
    "approval_withdraw", "stream_entries", "visible_procedures", "procedure_get",
    "provisional_deadlines",
    # ledger (issue 3)
    "checkpoint_latest", "checkpoint_list", "checkpoint_get", "inclusion_proof",
    "consistency_proof", "cosignature_add",
    # evidence, audio/video, custody, coverage and archive (issue 4)
    "evidence_for_case", "evidence_item_create", "evidence_files_for_case",
    "evidence_item_get_for_user", "evidence_item_update", "evidence_item_adopt",
    "evidence_item_withdraw", "file_get_for_user", "evidence_file_attach", "file_retention_set",
    "visible_devices", "device_save", "device_get_for_user", "device_update", "av_record_get",
    "av_record_save", "holds_for_case", "hold_place", "hold_release", "shares_for_case",
    "share_create", "share_revoke", "files_due", "disposal_requests_for", "disposal_request",
    "disposal_get_for_user", "disposal_decide", "retention_classes_for", "scrub_report",
    "case_coverage", "agency_coverage", "matters_visible_to", "recorded_matter_save",
    "recorded_matter_update", "archive_for_case", "archive_create", "archive_package",
    "archive_verify_stored",
    # documents, their service, templates, numbers, serials, profile, verification (issue 5)
    "document_types_for", "documents_for_case", "document_draft", "document_get",
    "document_update", "document_preview", "document_issue", "document_void",
    "document_download", "services_for_document", "service_record", "document_verify",
    "templates_visible", "template_upload", "template_file", "template_activate",
    "template_retire", "template_download", "number_pattern", "pattern_save",
    "serial_books_visible", "serial_book_register", "serial_void", "profile_get",
    "profile_save",
}


@pytest.mark.django_db
def test_openapi_document() -> None:
    response = Client().get(API + "/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["title"] == "Zhifa API"
    ops = {(method.upper(), path): op for path, methods in doc["paths"].items()
           for method, op in methods.items()}
    assert {op["operationId"] for op in ops.values()} == OPERATION_IDS
    status_op = ops[("POST", "/api/v1/certificates/{public_id}/status")]
    assert status_op["operationId"] == "certificate_status_change"
    assert set(status_op["responses"]) == {"200", "400", "401", "403", "404", "409", "422"}
    schemas = doc["components"]["schemas"]
    assert set(schemas["ErrorOut"]["properties"]) == {"code", "message", "detail"}
    assert set(schemas["StatusChangeIn"]["required"]) == {"to_status", "effective_date",
                                                          "reason"}
    # Lists are paginated with page numbers.
    params = {p["name"] for p in ops[("GET", "/api/v1/people")]["parameters"]}
    assert {"page", "page_size", "body", "role_kind", "q"} <= params
    assert doc["components"]["securitySchemes"]["SessionAuth"]["in"] == "cookie"


@pytest.mark.django_db
def test_docs_load_only_local_assets() -> None:
    c = Client()
    response = c.get(API + "/docs")
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls, html
    assert all(u.startswith("/static/") for u in urls), urls
    assert "cdn" not in html.lower()
    assert "//" not in "".join(u.removeprefix("/static/") for u in urls)
    assert any(u.endswith("swagger-ui-bundle.js") for u in urls)
    # Swagger UI's online validator is switched off (it would send the document out).
    settings_json = re.search(r'id="swagger-settings">(.*?)</script>', html, re.S)
    assert settings_json is not None
    config = json.loads(settings_json.group(1))
    assert config["validatorUrl"] is None
    assert config["url"] == API + "/openapi.json"
    # The bundled assets are actually served from this installation.
    for url in urls:
        asset = c.get(url)
        assert asset.status_code == 200, url
        body = b"".join(asset.streaming_content) if asset.streaming else asset.content
        assert len(body) > 100, url
