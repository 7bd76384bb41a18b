"""The demo data modules and loader, read without a database."""

import re
from pathlib import Path

import zhifa.demo
from zhifa.demo.data.items import ITEMS

# Every state change goes through a service (orgs, catalog); the demo package only reads.
_DIRECT_WRITE = re.compile(
    r"\.(save|update|create|delete|get_or_create|update_or_create|bulk_create|bulk_update)\(")


def test_the_demo_package_changes_state_only_through_services() -> None:
    package = Path(zhifa.demo.__file__).parent
    sources = sorted(package.rglob("*.py"))
    assert len(sources) > 20
    offending = [
        f"{path.relative_to(package)}:{number}: {line.strip()}"
        for path in sources
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if _DIRECT_WRITE.search(line)
    ]
    assert offending == []


def test_the_write_pattern_would_catch_a_direct_write() -> None:
    assert _DIRECT_WRITE.search("Sector.objects.get_or_create(code=code)")
    assert _DIRECT_WRITE.search("body.save(update_fields=['name'])")
    assert not _DIRECT_WRITE.search("person = person_create(actor=None, body=body)")


def test_coercion_and_licensing_templates_are_never_given_to_entrusted_bodies() -> None:
    # 行政强制法 art. 17: the power of coercive measures cannot be entrusted.
    templates = [t for sector in ITEMS.values() for t in sector]
    coercion = [t for t in templates if t.category == "coercion"]
    assert len(coercion) == 4
    assert not [t.key for t in coercion if t.entrusted]
    assert not [t.key for t in templates if t.category == "licensing" and t.entrusted]
    assert {t.category for t in templates if t.entrusted} == {"penalty", "inspection"}
