"""The kinds of data that can be imported and exported, by key."""

from django.utils.translation import gettext as _

from zhifa.core.errors import InvalidInput

from .base import Kind
from .benchmarks import BenchmarksKind
from .certificates import CertificatesKind
from .items import ItemsKind
from .people import PeopleKind

KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (PeopleKind(), CertificatesKind(), ItemsKind(), BenchmarksKind())
}


def get_kind(key: str) -> Kind:
    try:
        return KINDS[key]
    except KeyError:
        raise InvalidInput(
            _("Unknown kind “%(kind)s”; use one of %(kinds)s.")
            % {"kind": key, "kinds": ", ".join(KINDS)},
            code="kind_unknown",
        ) from None


__all__ = ["KINDS", "Kind", "get_kind"]
