from collections.abc import Iterator

import pytest

from tests.cases.factories import Agency, agency
from zhifa.cases import hooks


@pytest.fixture
def a(db: None) -> Agency:
    return agency()


@pytest.fixture
def documents_hooks() -> Iterator[None]:
    """The documents app's guard hook (``decision_document``) as an installation has it;
    back to the default afterwards."""
    from zhifa.documents.hooks import register_case_hooks

    register_case_hooks()
    yield
    hooks.reset("decision_document")
