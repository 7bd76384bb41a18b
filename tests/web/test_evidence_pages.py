"""The evidence page of a case (证据与音像) as each role sees it: items in evidence-number
order with their files, hashes and audio/video details; the forms only for those who may
change the evidence; recording, editing, withdrawing and attaching through the forms, with a
refused form drawn again as it was typed; another body's case is "not found"."""

import datetime as dt
import re
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.cases.factories import Agency, agency, registered
from tests.evidence.factories import PNG_1PX, a_case, item, stored
from tests.evidence.test_items_services import state
from zhifa.cases.models import CaseStep
from zhifa.evidence.models import (
    AvRecord,
    DeviceKind,
    EvidenceItem,
    ItemState,
    ProbeState,
    RecordingDevice,
)
from zhifa.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db

BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def a() -> Agency:
    return agency()


def as_user(client: Client, user: Any) -> Client:
    client.force_login(user, backend=BACKEND)
    return client


def text(response: Any) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style|svg|template)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def page_url(case: Any) -> str:
    return reverse("web:evidence_case", kwargs={"public_id": case.public_id})


@pytest.fixture
def filled(a: Agency) -> Any:
    """A registered case with two items: a photo, and a video with its recording details."""
    case = registered(a)
    photo_item = item(a, case, kind="physical", title="不合格产品", source="当事人仓库",
                      place="长沙市芙蓉区某路1号仓库", latitude="28.194100",
                      longitude="112.982300", collectors=[a.officer2, a.officer],
                      collected_at=timezone.make_aware(dt.datetime(2026, 9, 3, 10, 30)),
                      step=CaseStep.objects.get(case=case, action="register"))
    photo = stored(a, photo_item, PNG_1PX, "现场照片.png")
    video_item = item(a, case, kind="audio_visual", title="现场执法记录")
    video = stored(a, video_item, b"\x00\x00\x00\x18ftypmp42" + bytes(200), "执法记录.mp4",
                   metadata={})
    device = RecordingDevice.objects.create(body=a.body, kind=DeviceKind.BODY_CAMERA,
                                            serial="DSJ-0001", holder=a.officer)
    av = AvRecord.objects.get(file=video)
    av.device, av.officer = device, a.officer
    av.started_at = timezone.make_aware(dt.datetime(2026, 9, 3, 10, 0))
    av.ended_at = timezone.make_aware(dt.datetime(2026, 9, 3, 10, 12, 5))
    av.duration_ms, av.probe_state = 725_000, ProbeState.DONE
    av.save()
    return case, photo_item, photo, video_item, video


def test_the_page_lists_items_in_order_with_files_and_av_details(client, a, filled) -> None:
    case, photo_item, photo, video_item, video = filled
    response = as_user(client, a.u_officer).get(page_url(case))
    assert response.status_code == 200
    page = text(response)
    html = response.content.decode()
    assert html.index('id="item-1"') < html.index('id="item-2"')
    assert "不合格产品" in page and "现场执法记录" in page
    for value in ("当事人仓库", "长沙市芙蓉区某路1号仓库", "28.194100, 112.982300",
                  "2026-09-03 10:30", "张伟、李明", "现场照片.png", "执法记录.mp4",
                  "DSJ-0001", "2026-09-03 10:00:00 – 10:12:05", "12:05", "image/png"):
        assert value in page, value
    step = CaseStep.objects.get(case=case, action="register")
    assert f"{step.label}（{step.acted_on:%Y-%m-%d}）" in page
    # the hashes: short on the page, in full on hover
    for digest in (photo.blob.sha256, photo.blob.sm3, video.blob.sha256, video.blob.sm3):
        assert f'title="{digest}"' in html
        assert f"{digest[:12]}…" in page
    assert re.search(r'class="muted evidence-count">\D*2\D+2\D', html)
    # forms for an officer of the body
    assert 'id="upload-form"' in html and 'id="new-item"' in html
    assert reverse("web:evidence_item_edit", args=[case.public_id, photo_item.public_id]) in html
    assert reverse("web:evidence_item_withdraw", args=[case.public_id,
                                                       video_item.public_id]) in html
    assert reverse("web:evidence_file_attach", args=[case.public_id, photo.public_id]) in html
    # the widget gets the body's devices and officers, and its scripts
    assert "DSJ-0001" in html.split('id="upload-device"')[1].split("</select>")[0]
    assert "/static/vendor/tus.min.js" in html and "/static/web/evidence-upload.js" in html
    assert f'data-case="{case.public_id}"' in html
    assert 'data-chunk-size="8388608"' in html


@pytest.mark.parametrize("role", ["u_supervisor", "u_head", "u_reviewer", "u_sysadmin"])
def test_who_sees_forms(client, a, filled, role) -> None:
    case = filled[0]
    response = as_user(client, getattr(a, role)).get(page_url(case))
    assert response.status_code == 200
    html = response.content.decode()
    assert "现场照片.png" in html
    may_change = role != "u_supervisor"
    for marker in ('id="upload-form"', 'id="new-item"', "/withdraw/", "/attach/",
                   "evidence-upload.js"):
        assert (marker in html) is may_change, (role, marker)


def test_other_body_gets_not_found_everywhere(client, a, filled) -> None:
    case, photo_item, photo, video_item, _video = filled
    c = as_user(client, a.u_other)
    before = state(case)
    assert c.get(page_url(case)).status_code == 404
    assert c.get(reverse("web:evidence_item_edit",
                         args=[case.public_id, photo_item.public_id])).status_code == 404
    for url, data in (
        (reverse("web:evidence_item_create", args=[case.public_id]),
         {"kind": "documentary", "title": "x"}),
        (reverse("web:evidence_item_edit", args=[case.public_id, photo_item.public_id]),
         {"kind": "documentary", "title": "x"}),
        (reverse("web:evidence_item_withdraw", args=[case.public_id, photo_item.public_id]),
         {"reason": "x"}),
        (reverse("web:evidence_file_attach", args=[case.public_id, photo.public_id]),
         {"item": str(video_item.public_id)}),
    ):
        assert c.post(url, data).status_code == 404, url
    assert state(case) == before


def test_supervisor_may_not_post(client, a, filled) -> None:
    case, photo_item, photo, video_item, _video = filled
    c = as_user(client, a.u_supervisor)
    before = state(case)
    assert c.post(reverse("web:evidence_item_create", args=[case.public_id]),
                  {"kind": "documentary", "title": "x"}).status_code == 403
    assert c.post(reverse("web:evidence_item_withdraw",
                          args=[case.public_id, photo_item.public_id]),
                  {"reason": "x"}).status_code == 403
    assert c.post(reverse("web:evidence_file_attach", args=[case.public_id, photo.public_id]),
                  {"item": str(video_item.public_id)}).status_code == 403
    assert state(case) == before


def test_anonymous_goes_to_the_login_page(client, a, filled) -> None:
    response = client.get(page_url(filled[0]))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_record_an_item_through_the_form(client, a) -> None:
    case = registered(a)
    step = CaseStep.objects.get(case=case, action="register")
    c = as_user(client, a.u_officer)
    response = c.post(reverse("web:evidence_item_create", args=[case.public_id]), {
        "kind": "documentary", "title": "进货单据", "description": "三张", "source": "当事人提供",
        "collected_at": "2026-09-03T10:30", "place": "办公室", "latitude": "28.1941",
        "longitude": "112.9823", "step": str(step.pk),
        "collectors": [str(a.officer.public_id), str(a.officer2.public_id)]})
    assert response.status_code == 302
    assert response["Location"] == page_url(case) + "#item-1"
    it = EvidenceItem.objects.get(case=case)
    assert (it.seq, it.kind, it.title, it.description, it.source, it.place, it.step_id,
            it.latitude, it.longitude) == (1, "documentary", "进货单据", "三张", "当事人提供",
                                           "办公室", step.pk, Decimal("28.194100"),
                                           Decimal("112.982300"))
    assert timezone.localtime(it.collected_at).replace(tzinfo=None) == dt.datetime(
        2026, 9, 3, 10, 30)
    assert sorted(p.name for p in it.collectors.all()) == ["张伟", "李明"]
    assert LedgerEntry.objects.filter(stream=case.stream, event_code=5001).count() == 1
    follow = c.get(response["Location"])
    assert "进货单据" in text(follow)


def test_a_refused_item_form_comes_back_as_typed(client, a) -> None:
    case = a_case(a)
    c = as_user(client, a.u_officer)
    before = state(case)
    sent = {"kind": "physical", "title": "现场提取物", "description": "详细描述\n第二行",
            "source": "现场", "collected_at": "2026-09-03T10:30", "place": "路口",
            "latitude": "95", "longitude": "112.9", "collectors": [str(a.officer2.public_id)]}
    response = c.post(reverse("web:evidence_item_create", args=[case.public_id]), sent)
    assert response.status_code == 400
    assert state(case) == before
    html = response.content.decode()
    form = html.split('id="new-item"')[1]
    assert "<details class=\"action-panel\" open>" in form
    for name in ("title", "source", "place", "latitude", "longitude"):
        assert f'value="{sent[name]}"' in form, name
    assert 'value="2026-09-03T10:30"' in form
    assert ">\n详细描述\n第二行</textarea>" in form or ">详细描述\n第二行</textarea>" in form
    assert '<option value="physical" selected>' in form
    assert re.search(rf'value="{a.officer2.public_id}"[^>]*checked', form)
    assert re.search(r'has-error">\s*<label for="new-item-latitude"', form)
    # a missing name is a form error; nothing else is lost either
    response = c.post(reverse("web:evidence_item_create", args=[case.public_id]),
                      {**sent, "title": "", "latitude": "28.1"})
    assert response.status_code == 400
    form = response.content.decode().split('id="new-item"')[1]
    assert re.search(r'has-error">\s*<label for="new-item-title"', form)
    assert 'value="28.1"' in form
    assert state(case) == before


def test_edit_an_item(client, a, filled) -> None:
    case, photo_item, *_rest = filled
    c = as_user(client, a.u_officer)
    url = reverse("web:evidence_item_edit", args=[case.public_id, photo_item.public_id])
    response = c.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="不合格产品"' in html and 'value="2026-09-03T10:30"' in html
    assert 'value="28.194100"' in html
    response = c.post(url, {"kind": "physical", "title": "不合格产品（三箱）",
                            "source": "当事人仓库", "collected_at": "2026-09-03T10:30",
                            "place": "长沙市芙蓉区某路1号仓库", "latitude": "28.194100",
                            "longitude": "112.982300",
                            "collectors": [str(a.officer.public_id)]})
    assert response.status_code == 302
    photo_item.refresh_from_db()
    assert photo_item.title == "不合格产品（三箱）"
    assert [p.name for p in photo_item.collectors.all()] == ["李明"]
    entry = LedgerEntry.objects.get(stream=case.stream, event_code=5002)
    assert '"title":["不合格产品","不合格产品（三箱）"]' in entry.payload
    # the step was cleared (the form sent none), and that is recorded too
    assert '"step":[{' in entry.payload
    # a refused edit is drawn again as typed and changes nothing
    before = state(case)
    response = c.post(url, {"kind": "physical", "title": "新名称", "latitude": "28.1"})
    assert response.status_code == 400
    assert 'value="新名称"' in response.content.decode()
    assert state(case) == before


def test_withdraw_an_item_and_a_refusal_keeps_the_form(client, a, filled) -> None:
    case, photo_item, *_rest = filled
    c = as_user(client, a.u_officer)
    url = reverse("web:evidence_item_withdraw", args=[case.public_id, photo_item.public_id])
    before = state(case)
    response = c.post(url, {"reason": "   "})
    assert response.status_code == 400
    assert state(case) == before
    block = response.content.decode().split('id="item-1"')[1].split("</article>")[0]
    assert '<details class="item-withdraw" open>' in block and "field-error" in block
    response = c.post(url, {"reason": "与本案无关"})
    assert response.status_code == 302
    photo_item.refresh_from_db()
    assert (photo_item.state, photo_item.state_reason) == (ItemState.WITHDRAWN, "与本案无关")
    page = c.get(page_url(case))
    block = page.content.decode().split('id="item-1"')[1].split("</article>")[0]
    assert "与本案无关" in block and "现场照片.png" in block  # the file stays
    assert "/withdraw/" not in block and "/edit/" not in block
    # editing a withdrawn item leads back to the page; nothing changes
    before = state(case)
    edit = reverse("web:evidence_item_edit", args=[case.public_id, photo_item.public_id])
    assert c.post(edit, {"kind": "physical", "title": "x"}).status_code == 302
    assert state(case) == before


def test_attach_a_file_to_another_item(client, a, filled) -> None:
    case, _photo_item, photo, video_item, _video = filled
    c = as_user(client, a.u_officer)
    url = reverse("web:evidence_file_attach", args=[case.public_id, photo.public_id])
    # an item of another case is not a choice
    elsewhere = item(a, a_case(a), title="他案")
    before = state(case)
    response = c.post(url, {"item": str(elsewhere.public_id)})
    assert response.status_code == 400
    assert state(case) == before
    response = c.post(url, {"item": str(video_item.public_id)})
    assert response.status_code == 302 and response["Location"].endswith("#item-2")
    photo.refresh_from_db()
    assert photo.item_id == video_item.pk
    assert LedgerEntry.objects.filter(stream=case.stream, event_code=5021).count() == 1


def test_archived_case_is_read_only(client, a, filled) -> None:
    case = filled[0]
    case.status = "archived"
    case.save(update_fields=["status"])
    response = as_user(client, a.u_officer).get(page_url(case))
    html = response.content.decode()
    assert response.status_code == 200 and "现场照片.png" in html
    assert 'id="upload-form"' not in html and "/withdraw/" not in html
    before = state(case)
    response = client.post(reverse("web:evidence_item_create", args=[case.public_id]),
                           {"kind": "documentary", "title": "x"})
    assert response.status_code == 409
    assert state(case) == before


def test_the_list_fragment_for_the_upload_widget(client, a, filled) -> None:
    case = filled[0]
    response = as_user(client, a.u_officer).get(
        page_url(case), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="evidence-items")
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="panel" id="evidence-items"')
    assert "<html" not in html and "现场照片.png" in html
    # the items the widget offers after the swap
    assert html.count("<option value=") >= 2 and 'id="evidence-item-choices"' in html


def test_chunk_size_override_only_when_testing(client, a, filled, settings, monkeypatch) -> None:
    case = filled[0]
    c = as_user(client, a.u_officer)
    assert 'data-chunk-size="262144"' in c.get(page_url(case) + "?chunk=262144").content.decode()
    monkeypatch.delenv("ZHIFA_TESTING", raising=False)
    settings.DEBUG = False
    assert 'data-chunk-size="8388608"' in c.get(page_url(case) + "?chunk=262144").content.decode()
    settings.ZHIFA_UPLOAD_CHUNK_BYTES = 1024 * 1024
    assert 'data-chunk-size="1048576"' in c.get(page_url(case)).content.decode()


def test_the_case_page_links_to_the_evidence(client, a) -> None:
    case = a_case(a)
    html = as_user(client, a.u_supervisor).get(
        reverse("web:case_detail", kwargs={"public_id": case.public_id})).content.decode()
    assert f'id="case-evidence-link" href="{page_url(case)}"' in html


def test_the_page_costs_the_same_queries_for_1_and_20_items(client, a) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    one, many = a_case(a), a_case(a)
    stored(a, item(a, one, collectors=[a.officer]), PNG_1PX)
    for n in range(20):
        stored(a, item(a, many, title=f"证据{n}", collectors=[a.officer, a.officer2]),
               PNG_1PX + bytes([n]), f"p{n}.png")
    f.person(a.body, "新同事")  # one more officer offered as collector: no extra query
    c = as_user(client, a.u_officer)
    counts = []
    for case in (one, many):
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(page_url(case)).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_editing_keeps_a_collector_who_has_left(client, a) -> None:
    from zhifa.orgs.models import PersonStatus

    case = a_case(a)
    it = item(a, case, collectors=[a.officer2])
    a.officer2.status = PersonStatus.LEFT
    a.officer2.save(update_fields=["status"])
    c = as_user(client, a.u_officer)
    url = reverse("web:evidence_item_edit", args=[case.public_id, it.public_id])
    html = c.get(url).content.decode()
    assert re.search(rf'value="{a.officer2.public_id}"[^>]*checked', html)
    response = c.post(url, {"kind": "audio_visual", "title": "新名称",
                            "collectors": [str(a.officer2.public_id)]})
    assert response.status_code == 302
    it.refresh_from_db()
    assert (it.title, [p.name for p in it.collectors.all()]) == ("新名称", ["张伟"])
