"""The demo province's evidence: what the demo logins find on the evidence pages."""

import pytest

from zhifa.cases.models import CaseStatus
from zhifa.evidence.archive.verify import verify_package
from zhifa.evidence.models import (
    AvRecord,
    CaseArchive,
    EvidenceFile,
    EvidenceItem,
    LegalHold,
    RecordedMatter,
    RecordingDevice,
    ShareLink,
)
from zhifa.evidence.storage import LocalStorage
from zhifa.orgs.models import User


@pytest.mark.django_db
def test_demo_has_devices_evidence_shares_holds_and_an_archive(demo, demo_media) -> None:  # type: ignore[no-untyped-def]
    officer = User.objects.get(username="officer")
    body = officer.person.body
    own = RecordingDevice.objects.filter(body=body)
    assert own.count() == 5
    assert own.filter(reviewed_on__isnull=True).count() == 1  # shows the APL art. 41 warning
    items = EvidenceItem.objects.filter(case__body=body, case__is_demo=True)
    assert {"physical", "party_statement", "audio_visual"} <= set(
        items.values_list("kind", flat=True))
    assert items.filter(adopted=True).exists()
    files = EvidenceFile.objects.filter(case__body=body)
    assert {"image/png", "text/plain", "audio/x-wav", "video/mp4"} <= set(
        files.values_list("mime", flat=True))
    # the interview recording names the fixed monitor it came from
    assert AvRecord.objects.filter(device__serial="JK-DEMO-001").exists()
    assert ShareLink.objects.filter(case__body=body, recipient_kind="court").count() == 1
    assert LegalHold.objects.filter(case__body=body, released_at__isnull=True).count() == 1
    assert RecordedMatter.objects.filter(body__isnull=True).count() == 13
    # two packages: the evidence's closed case, archived here, and the case the documents'
    # demo packaged (its documents: tests/demo/test_documents_demo.py)
    archives = CaseArchive.objects.select_related("case", "package").filter(case__body=body)
    assert archives.count() == 2
    # both hold evidence: the documents' case has the evidence item of its legal review package
    assert archives.filter(case__evidence_items__isnull=False).distinct().count() == 2
    for archive in archives:
        assert archive.case.status == CaseStatus.ARCHIVED
        assert archive.package.storage == "local"
        report = verify_package(LocalStorage(demo_media / "media").path(archive.package.key))
        assert report.ok, report.problems
        assert report.archive_number == archive.number
