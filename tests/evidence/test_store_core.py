import pytest

from zhifa.core.errors import ApplicationError, PermissionDenied
from zhifa.evidence.models import Blob, EvidenceFile, EvidenceItem
from zhifa.evidence.storage import get_storage
from zhifa.ledger.models import LedgerEntry

from .factories import PNG_1PX, a_case, item, stored


def test_item_numbers_and_file_stored_once_with_hashes_on_the_ledger(a) -> None:
    case = a_case(a)
    first = item(a, case, kind="physical", title="不合格产品")
    second = item(a, case, kind="documentary", title="进货单")
    assert (first.seq, second.seq) == (1, 2)
    f1 = stored(a, first, PNG_1PX, "a.png")
    f2 = stored(a, second, PNG_1PX, "b.png")
    assert f1.blob_id == f2.blob_id and Blob.objects.count() == 1
    blob = f1.blob
    assert blob.mime == "image/png" and blob.size == len(PNG_1PX)
    assert get_storage().size(blob.key) == len(PNG_1PX)
    entries = [e for e in LedgerEntry.objects.filter(stream=case.stream, event_code=5003)
               .order_by("seq")]
    assert [e.seq for e in entries] == [f1.ledger_seq, f2.ledger_seq]
    assert f'"sm3":"{blob.sm3}"' in entries[0].payload
    assert '"stored_new":true' in entries[0].payload
    assert '"stored_new":false' in entries[1].payload


def test_other_body_cannot_add_evidence_and_nothing_changes(a) -> None:
    case = a_case(a)
    before = (EvidenceItem.objects.count(), LedgerEntry.objects.count())
    with pytest.raises(PermissionDenied) as err:
        item(a, case, actor=a.u_other)
    assert err.value.code == "case_out_of_scope"
    assert (EvidenceItem.objects.count(), LedgerEntry.objects.count()) == before
    assert EvidenceFile.objects.count() == 0


def test_archived_case_refuses_new_evidence(a) -> None:
    case = a_case(a)
    case.status = "archived"
    case.save(update_fields=["status"])
    before = LedgerEntry.objects.count()
    with pytest.raises(ApplicationError) as err:
        item(a, case)
    assert err.value.code == "case_archived"
    assert LedgerEntry.objects.count() == before and EvidenceItem.objects.count() == 0


def test_sniff_judges_content_not_names() -> None:
    from zhifa.evidence.sniff import sniff

    # a Chinese text whose head ends inside a multi-byte character is still text
    text = "现场检查笔录 待销毁\n".encode()
    assert sniff(text) == "text/plain"
    assert sniff(text[:-2]) == "text/plain"
    assert sniff("现场检查笔录".encode("gb18030")) == "text/plain"
    assert sniff(PNG_1PX) == "image/png"
    assert sniff(b"\x7fELF\x02\x01\x01\x00" + bytes(64)) == "application/x-executable"
    assert sniff(bytes(range(256))) == ""
