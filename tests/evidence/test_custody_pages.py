"""The custody page of a case and the disposal pages, as each role sees and uses them: forms
only for those whose service would accept them, a refusal drawn with its reason and nothing
changed, the share link shown once, another body's case "not found"."""

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from zhifa.evidence.events import FILE_UPLOADED, ITEM_CREATED
from zhifa.evidence.models import DisposalRequest, EvidenceFile, LegalHold, ShareLink
from zhifa.evidence.retention import retention_class_save
from zhifa.evidence.services.custody import share_create
from zhifa.evidence.services.custody import token_hash as hash_of
from zhifa.evidence.services.holds import hold_place

from .custody_factories import case_with_files, snapshot, text_bytes
from .factories import item, stored

BACKEND = "django.contrib.auth.backends.ModelBackend"


def login(client, user):
    client.force_login(user, backend=BACKEND)
    return client


def page_url(case) -> str:
    return reverse("web:evidence_custody_case", kwargs={"public_id": case.public_id})


def text(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.mark.parametrize(("role", "forms"), [("u_officer", True), ("u_head", True),
                                             ("u_supervisor", False), ("u_sysadmin", True)])
def test_page_for_each_role(client, a, role, forms) -> None:
    case, (_file,) = case_with_files(a, text_bytes("页面"), names=("笔录.txt",))
    hold_place(actor=a.u_officer, case=case, kind="litigation", reason="行政诉讼")
    response = login(client, getattr(a, role)).get(page_url(case))
    assert response.status_code == 200
    html = response.content.decode()
    assert case.number in html and "笔录.txt" in html and "行政诉讼" in html
    assert 'aria-current="page"' in html  # the custody tab
    assert ("evidence/custody/shares/" in html) is forms
    assert ("evidence/custody/holds/" in html) is forms
    assert "2025-09-10" in text(response)  # kept until (closed 2025-03-10 + 6 months)
    # only custody events of the case's record: the upload, not the item's creation
    events = {int(c) for c in re.findall(r'data-event="(\d+)"', html)}
    assert FILE_UPLOADED.code in events and ITEM_CREATED.code not in events


def test_other_body_and_anonymous(client, a) -> None:
    case, _files = case_with_files(a)
    assert login(client, a.u_other).get(page_url(case)).status_code == 404
    client.logout()
    response = client.get(page_url(case))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_share_created_on_the_page_shows_the_link_once(client, a) -> None:
    case, (file,) = case_with_files(a)
    client = login(client, a.u_officer)
    expires = (timezone.localdate() + timezone.timedelta(days=10)).isoformat()
    response = client.post(reverse("web:evidence_share_create",
                                   kwargs={"public_id": case.public_id}),
                           {"recipient_kind": "reconsideration", "recipient": "长沙市人民政府",
                            "purpose": "行政复议", "expires_on": expires, "allow_download": "on",
                            "file_ids": [str(file.public_id)]})
    assert response.status_code == 201
    share = ShareLink.objects.get()
    (link,) = re.findall(r'value="(http://testserver/s/[^"]+/)"', response.content.decode())
    token = link.rsplit("/", 2)[-2]
    assert hash_of(token) == share.token_hash
    assert timezone.localtime(share.expires_at).date().isoformat() == expires
    assert list(share.files.all()) == [file] and share.allow_download is True
    # the token never appears again
    again = client.get(page_url(case)).content.decode()
    assert token not in again and "长沙市人民政府" in again


def test_share_form_errors_and_refusals_change_nothing(client, a) -> None:
    case, (file,) = case_with_files(a)
    url = reverse("web:evidence_share_create", kwargs={"public_id": case.public_id})
    too_late = (timezone.localdate() + timezone.timedelta(days=200)).isoformat()
    before = snapshot()
    response = login(client, a.u_officer).post(url, {"recipient_kind": "court",
                                                     "recipient": "法院",
                                                     "expires_on": too_late})
    assert response.status_code == 400  # no file chosen
    response = client.post(url, {"recipient_kind": "court", "recipient": "法院",
                                 "expires_on": too_late, "file_ids": [str(file.public_id)]})
    assert response.status_code == 400
    assert "90" in text(response)  # the service's refusal names the limit
    assert snapshot() == before
    response = login(client, a.u_supervisor).post(url, {"recipient_kind": "court"})
    assert response.status_code == 403
    assert snapshot() == before


def test_revoke_on_the_page(client, a) -> None:
    case, files = case_with_files(a)
    share, _token = share_create(actor=a.u_officer, case=case, files=files,
                                 recipient_kind="court", recipient="法院",
                                 expires_at=timezone.now() + timezone.timedelta(days=3))
    url = reverse("web:evidence_share_revoke", kwargs={"public_id": case.public_id,
                                                       "share_id": share.public_id})
    before = snapshot()
    assert login(client, a.u_other).post(url).status_code == 404
    assert snapshot() == before
    response = login(client, a.u_head).post(url, {"reason": "不再需要"})
    assert response.status_code == 302 and response["Location"].endswith("#shares")
    share.refresh_from_db()
    assert share.revoked_by == a.u_head
    response = client.post(url)
    assert response.status_code == 409  # already revoked, drawn with the reason


def test_holds_on_the_page(client, a) -> None:
    case, _files = case_with_files(a)
    client = login(client, a.u_officer)
    place = reverse("web:evidence_hold_place", kwargs={"public_id": case.public_id})
    before = snapshot()
    assert client.post(place, {"kind": "litigation", "reason": ""}).status_code == 400
    assert snapshot() == before
    assert client.post(place, {"kind": "litigation", "reason": "起诉"}).status_code == 302
    hold = LegalHold.objects.get()
    release = reverse("web:evidence_hold_release", kwargs={"public_id": case.public_id,
                                                           "hold_id": hold.public_id})
    before = snapshot()
    response = client.post(release, {"reason": ""})
    assert response.status_code == 400 and snapshot() == before
    assert client.post(release, {"reason": "撤诉"}).status_code == 302
    hold.refresh_from_db()
    assert hold.release_reason == "撤诉" and hold.released_at is not None


def test_adopt_and_retention_on_the_page(client, a) -> None:
    case, (file,) = case_with_files(a)
    forever = retention_class_save(actor=a.u_head, body=a.body, code="keep", name="永久保存",
                                   months=None, procedure="general")
    adopt = reverse("web:evidence_item_adopt", kwargs={"public_id": case.public_id,
                                                       "item_id": file.item.public_id})
    assert login(client, a.u_officer).post(adopt, {"adopted": "1"}).status_code == 302
    file.refresh_from_db()
    assert file.permanent is True
    assert client.post(adopt, {"adopted": "0"}).status_code == 302
    retention = reverse("web:evidence_file_retention", kwargs={"public_id": case.public_id,
                                                               "file_id": file.public_id})
    before = snapshot()
    response = client.post(retention, {"retention_class": str(forever.public_id)})
    assert response.status_code == 403  # officers do not set retention
    assert snapshot() == before
    html = login(client, a.u_head).get(page_url(case)).content.decode()
    assert f'value="{forever.public_id}"' in html
    assert client.post(retention, {"retention_class": str(forever.public_id)}).status_code == 302
    file.refresh_from_db()
    assert (file.retention_class, file.permanent) == (forever, True)
    # an archived case: no adopting
    case.status = "archived"
    case.save(update_fields=["status"])
    before = snapshot()
    response = client.post(adopt, {"adopted": "1"})
    assert response.status_code == 409 and snapshot() == before
    assert adopt not in client.get(page_url(case)).content.decode()


def test_disposal_pages_request_and_approve(client, a, django_capture_on_commit_callbacks):
    case, (file,) = case_with_files(a, text_bytes("到期"), names=("过期录像说明.txt",))
    client = login(client, a.u_officer)
    listing = client.get(reverse("web:disposal_list"))
    assert listing.status_code == 200 and "过期录像说明.txt" in listing.content.decode()
    before = snapshot()
    response = client.post(reverse("web:disposal_list"), {"file_ids": [str(file.public_id)]})
    assert response.status_code == 400 and snapshot() == before  # no reason
    response = client.post(reverse("web:disposal_list"),
                           {"file_ids": [str(file.public_id)], "reason": "期限届满"})
    req = DisposalRequest.objects.get()
    detail = reverse("web:disposal_detail", kwargs={"public_id": req.public_id})
    assert response.status_code == 302 and response["Location"] == detail
    page = client.get(detail).content.decode()
    assert file.blob.sm3 in page and 'name="decision"' not in page  # the requester
    before = snapshot()
    assert client.post(detail, {"decision": "approve"}).status_code == 403
    assert snapshot() == before
    client = login(client, a.u_head)
    assert 'value="approve"' in client.get(detail).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(detail, {"decision": "approve", "note": "同意"})
    assert response.status_code == 302
    file.refresh_from_db()
    assert file.state == "disposed"
    assert "过期录像说明.txt" not in client.get(reverse("web:disposal_list")).content.decode()
    assert case.number in client.get(detail).content.decode()


def test_disposal_pages_scope(client, a) -> None:
    _case, (file,) = case_with_files(a)
    from zhifa.evidence.services.disposal import disposal_request

    req = disposal_request(actor=a.u_officer, files=[file], reason="期限届满")
    detail = reverse("web:disposal_detail", kwargs={"public_id": req.public_id})
    assert login(client, a.u_other).get(detail).status_code == 404
    assert "期限届满" not in client.get(reverse("web:disposal_list")).content.decode()
    assert login(client, a.u_supervisor).get(reverse("web:disposal_list")).status_code == 403
    assert EvidenceFile.objects.get(pk=file.pk).state == "active"


def test_page_queries_do_not_grow_with_files_shares_and_holds(client, a) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case, files = case_with_files(a, text_bytes("1"), text_bytes("2"))
    client = login(client, a.u_head)

    def add_more(n: int) -> None:
        for i in range(n):
            f_ = stored(a, item(a, case, title=f"证据{i}"), text_bytes(f"more {i}"), f"m{i}.txt")
            share_create(actor=a.u_officer, case=case, files=[f_], recipient_kind="court",
                         recipient=f"法院{i}",
                         expires_at=timezone.now() + timezone.timedelta(days=3))
            hold_place(actor=a.u_officer, case=case, kind="complaint", reason=f"投诉{i}")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(page_url(case)).status_code == 200
        return len(ctx.captured_queries)

    add_more(1)
    few = count()
    add_more(4)
    assert count() == few
    assert len(files) == 2
