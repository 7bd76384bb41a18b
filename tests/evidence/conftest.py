from collections.abc import Iterator

import pytest

from zhifa.cases import hooks
from zhifa.evidence.storage import reset_storage_cache
from tests.cases.factories import Agency, agency


@pytest.fixture(autouse=True)
def _evidence_dirs(settings, tmp_path) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Every test stores evidence and partial uploads under its own temporary directory."""
    settings.ZHIFA_EVIDENCE_STORAGE = "local"
    settings.ZHIFA_EVIDENCE_DIR = tmp_path / "media"
    settings.ZHIFA_UPLOAD_DIR = tmp_path / "uploads"
    reset_storage_cache()
    yield
    reset_storage_cache()


@pytest.fixture
def a(db: None) -> Agency:
    return agency()


@pytest.fixture(autouse=True)
def _default_hooks() -> Iterator[None]:
    yield
    for name in hooks.DEFAULTS:
        hooks.reset(name)
