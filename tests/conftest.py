import os

import pytest

# After a transactional test the harness empties every table; on SQLite that is a DELETE the
# ledger's append-only triggers refuse unless the harness itself unlocks them.
pytest_plugins = ["tests.ledger.plugin"]

_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # In CI nothing may be skipped: a skipped test fails the run.
    if os.environ.get("CI") == "true" and _skipped:
        print("\nCI=true and these tests were skipped:\n  " + "\n  ".join(_skipped))
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def _english_off(settings):  # type: ignore[no-untyped-def]
    """Tests run in the default language (zh-Hans), like users."""
    settings.LANGUAGE_CODE = "zh-hans"


@pytest.fixture(autouse=True)
def _seed_after_flush(request):  # type: ignore[no-untyped-def]
    """Transactional tests (live server, concurrency) empty every table when they end, which
    removes the seeded holiday calendar and deadline rules that migrations put in; put them
    back before such a test runs."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server"))
    if transactional:
        request.getfixturevalue("transactional_db")
        from zhifa.evidence.services.matters import ensure_default_matters
        from zhifa.workdays.defaults import ensure_seeded

        ensure_seeded()
        ensure_default_matters()


@pytest.fixture(autouse=True)
def _evidence_dirs(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Every test stores evidence and partial uploads under its own temporary directory, on
    local disk unless the test configures S3."""
    from zhifa.evidence.storage import reset_storage_cache

    settings.ZHIFA_EVIDENCE_STORAGE = "local"
    settings.ZHIFA_EVIDENCE_DIR = tmp_path / "media"
    settings.ZHIFA_UPLOAD_DIR = tmp_path / "uploads"
    reset_storage_cache()
    yield
    reset_storage_cache()


@pytest.fixture(autouse=True)
def _checkpoint_log_in_tmp(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Signed checkpoints are also appended to a log outside the database; tests keep theirs
    in a temporary directory, never in the working copy's ``var/``."""
    settings.ZHIFA_LEDGER_CHECKPOINT_LOG = str(tmp_path / "checkpoints.jsonl")


def _installed_hooks() -> None:
    """The guard hooks as a running installation has them: the defaults of the cases app,
    replaced by the evidence app's (``EvidenceConfig.ready``) and the documents app's
    (``DocumentsConfig.ready``) and the reviews app's (``ReviewsConfig.ready``: the legal
    review gate, the review steps, the re-determination after a step)."""
    from zhifa.cases import hooks
    from zhifa.documents.hooks import register_case_hooks as register_documents_hooks
    from zhifa.evidence.hooks import register_case_hooks
    from zhifa.reviews.hooks import register_hooks as register_review_hooks

    for name in hooks.DEFAULTS:
        hooks.reset(name)
    register_case_hooks()
    register_documents_hooks()
    register_review_hooks()


@pytest.fixture(autouse=True)
def _hooks_as_installed():  # type: ignore[no-untyped-def]
    """Every test starts, and leaves, with the installation's hooks, whatever a test before it
    registered; ``tests/cases`` then narrows them to the cases app's own defaults."""
    _installed_hooks()
    yield
    _installed_hooks()

