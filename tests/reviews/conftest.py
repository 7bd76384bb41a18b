import pytest

from .factories import ReviewAgency, review_agency


@pytest.fixture
def a(db: None) -> ReviewAgency:
    """The body with its legal-review office (see ``factories``)."""
    return review_agency()
