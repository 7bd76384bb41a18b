"""Shares: created with a one-time token (only its hash kept), bounded expiry, only the case's
active files, by those who handle the case (also on an archived case); revoked; opened by
token with a ledger entry and a count; expired, revoked and unknown tokens refused."""

import datetime as dt
import hashlib
import json

import pytest
from django.utils import timezone

from zhifa.core.errors import ApplicationError
from zhifa.evidence.events import SHARE_ACCESSED, SHARE_CREATED, SHARE_REVOKED
from zhifa.evidence.models import ShareLink
from zhifa.evidence.services.custody import (
    SHARE_MAX_DAYS,
    share_create,
    share_open,
    share_resolve,
    share_revoke,
    share_status,
)
from zhifa.ledger.models import LedgerEntry

from .custody_factories import case_with_files, entries, snapshot, text_bytes
from .factories import a_case, item, stored


def _share(a, case, files, actor=None, days=7, **kwargs):
    return share_create(actor=actor or a.u_officer, case=case, files=files,
                        recipient_kind=kwargs.pop("recipient_kind", "court"),
                        recipient=kwargs.pop("recipient", "芙蓉区人民法院"),
                        expires_at=timezone.now() + dt.timedelta(days=days), **kwargs)


def test_create_keeps_only_the_token_hash_and_records_the_share(a) -> None:
    case, files = case_with_files(a, text_bytes("1"), text_bytes("2"), closed=False)
    share, token = _share(a, case, files, purpose="行政诉讼举证")
    assert len(token) >= 43  # 32 random bytes, URL-safe base64
    assert share.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in json.dumps(list(ShareLink.objects.values()), default=str)
    assert sorted(share.files.values_list("pk", flat=True)) == [f.pk for f in files]
    assert share_status(share) == "active" and share.created_by == a.u_officer
    (payload,) = entries(case.stream, SHARE_CREATED.code)
    assert payload["recipient"] == "芙蓉区人民法院" and payload["recipient_kind"] == "court"
    assert payload["share"] == str(share.public_id) and payload["allow_download"] is True
    assert [f["sha256"] for f in payload["files"]] == [f.blob.sha256 for f in files]
    assert token not in json.dumps(payload)


@pytest.mark.parametrize(("days", "code"), [
    (0, "share_expiry_invalid"),          # now: not in the future
    (-1, "share_expiry_invalid"),
    (SHARE_MAX_DAYS + 1, "share_expiry_invalid"),
])
def test_expiry_must_be_future_and_bounded(a, days, code) -> None:
    case, files = case_with_files(a, closed=False)
    before = snapshot()
    with pytest.raises(ApplicationError) as err:
        _share(a, case, files, days=days)
    assert err.value.code == code
    assert snapshot() == before


def test_expiry_at_the_limit_is_accepted(a) -> None:
    case, files = case_with_files(a, closed=False)
    share, _token = share_create(
        actor=a.u_officer, case=case, files=files, recipient_kind="reviewer", recipient="法制科",
        expires_at=timezone.now() + dt.timedelta(days=SHARE_MAX_DAYS, seconds=-5))
    assert share_status(share) == "active"


@pytest.mark.parametrize(("actor", "code"), [
    ("u_other", "case_out_of_scope"),
    ("u_supervisor", "missing_handle_cases"),
])
def test_only_those_handling_the_case_share_and_nothing_changes(a, actor, code) -> None:
    case, files = case_with_files(a, closed=False)
    before = snapshot()
    with pytest.raises(ApplicationError) as err:
        _share(a, case, files, actor=getattr(a, actor))
    assert err.value.code == code
    assert snapshot() == before


def test_bad_recipient_files_and_kind_are_refused(a) -> None:
    case, files = case_with_files(a, closed=False)
    other_case = a_case(a)
    foreign = stored(a, item(a, other_case), text_bytes("其他案件"), "x.txt")
    before = snapshot()
    for kwargs, code in [
        ({"recipient": "  "}, "share_recipient_required"),
        ({"recipient_kind": "friend"}, "invalid_recipient_kind"),
    ]:
        with pytest.raises(ApplicationError) as err:
            _share(a, case, files, **kwargs)
        assert err.value.code == code
    with pytest.raises(ApplicationError) as err:
        _share(a, case, [])
    assert err.value.code == "share_files_required"
    with pytest.raises(ApplicationError) as err:
        _share(a, case, [files[0], foreign])
    assert (err.value.code, err.value.status) == ("file_not_found", 404)
    assert snapshot() == before


def test_archived_case_can_still_be_shared_and_revoked(a) -> None:
    case, files = case_with_files(a)
    case.status = "archived"
    case.save(update_fields=["status"])
    share, _token = _share(a, case, files)
    revoked = share_revoke(actor=a.u_officer, share=share, reason="已提交法院")
    assert share_status(revoked) == "revoked" and revoked.revoked_by == a.u_officer
    (payload,) = entries(case.stream, SHARE_REVOKED.code)
    assert payload == {"case": case.number, "share": str(share.public_id),
                       "recipient": "芙蓉区人民法院", "reason": "已提交法院", "was": "active"}


def test_revoke_twice_and_by_other_body_refused(a) -> None:
    case, files = case_with_files(a, closed=False)
    share, _token = _share(a, case, files)
    before = snapshot()
    with pytest.raises(ApplicationError) as err:
        share_revoke(actor=a.u_other, share=share)
    assert err.value.code == "case_out_of_scope"
    assert snapshot() == before
    share_revoke(actor=a.u_head, share=share)
    before = snapshot()
    with pytest.raises(ApplicationError) as err:
        share_revoke(actor=a.u_head, share=share)
    assert err.value.code == "share_revoked"
    assert snapshot() == before


def test_open_records_each_opening_and_counts(a) -> None:
    case, files = case_with_files(a, text_bytes("a"), text_bytes("b"), closed=False)
    share, token = _share(a, case, files)
    share_open(token=token, file=files[0].public_id, client="10.0.0.8")
    share_open(token=token, file=files[1].public_id, download=True)
    share.refresh_from_db()
    assert share.access_count == 2
    opened = entries(case.stream, SHARE_ACCESSED.code)
    assert [(p["filename"], p["mode"], p["client"]) for p in opened] == [
        ("file0.txt", "view", "10.0.0.8"), ("file1.txt", "download", "")]
    assert opened[0]["sha256"] == files[0].blob.sha256
    assert opened[0]["recipient"] == "芙蓉区人民法院"
    e = LedgerEntry.objects.filter(stream=case.stream, event_code=SHARE_ACCESSED.code).first()
    assert e is not None and e.actor_id is None and e.body_id == case.body_id


def test_resolving_the_list_writes_nothing(a) -> None:
    case, files = case_with_files(a, closed=False)
    _share_row, token = _share(a, case, files)
    before = snapshot()
    opened = share_resolve(token=token)
    assert opened.file is None and opened.share.case == case
    assert snapshot() == before


def test_unknown_expired_and_revoked_tokens_are_refused_without_entries(a) -> None:
    case, files = case_with_files(a, closed=False)
    share, token = _share(a, case, files)
    before = snapshot()
    for bad in ("", "nope", token[:-1] + ("A" if token[-1] != "A" else "B")):
        with pytest.raises(ApplicationError) as err:
            share_open(token=bad, file=files[0].public_id)
        assert (err.value.code, err.value.status) == ("share_not_found", 404)
    # a file not in the share, or not a file id at all
    other = stored(a, item(a, case, title="另一证据"), text_bytes("未分享"), "other.txt")
    before = snapshot()
    for file_id in (other.public_id, "not-a-uuid"):
        with pytest.raises(ApplicationError) as err:
            share_open(token=token, file=file_id)
        assert (err.value.code, err.value.status) == ("file_not_found", 404)
    assert snapshot() == before
    ShareLink.objects.filter(pk=share.pk).update(expires_at=timezone.now()
                                                 - dt.timedelta(seconds=1))
    before = snapshot()
    with pytest.raises(ApplicationError) as err:
        share_open(token=token, file=files[0].public_id)
    assert (err.value.code, err.value.status) == ("share_expired", 410)
    assert snapshot() == before
    ShareLink.objects.filter(pk=share.pk).update(expires_at=timezone.now()
                                                 + dt.timedelta(days=1))
    share_revoke(actor=a.u_officer, share=share)
    before = snapshot()
    with pytest.raises(ApplicationError) as err:
        share_open(token=token, file=files[0].public_id)
    assert (err.value.code, err.value.status) == ("share_revoked", 410)
    assert snapshot() == before


def test_view_only_share_refuses_download(a) -> None:
    case, files = case_with_files(a, closed=False)
    _share_row, token = _share(a, case, files, allow_download=False)
    before = snapshot()
    with pytest.raises(ApplicationError) as err:
        share_open(token=token, file=files[0].public_id, download=True)
    assert (err.value.code, err.value.status) == ("share_download_not_allowed", 403)
    assert snapshot() == before
    share_open(token=token, file=files[0].public_id)
    assert len(entries(case.stream, SHARE_ACCESSED.code)) == 1


def test_disposed_file_is_gone_from_the_share(a) -> None:
    case, files = case_with_files(a, closed=False)
    share, token = _share(a, case, files)
    files[0].state = "disposed"
    files[0].save(update_fields=["state"])
    before = snapshot()
    with pytest.raises(ApplicationError) as err:
        share_open(token=token, file=files[0].public_id)
    assert (err.value.code, err.value.status) == ("file_disposed", 410)
    assert snapshot() == before
    with pytest.raises(ApplicationError) as err:
        _share(a, case, files)
    assert err.value.code == "file_disposed"
    assert share.pk
