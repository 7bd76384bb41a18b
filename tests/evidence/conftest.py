import pytest

from tests.cases.factories import Agency, agency


@pytest.fixture
def a(db: None) -> Agency:
    return agency()
