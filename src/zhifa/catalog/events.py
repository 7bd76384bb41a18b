"""Ledger events of the catalogues (codes 2000–2999; stable, never reused or renumbered).

Everything goes to the stream ``"catalog"``; the entry's ``body`` is the body whose catalogue
it is (the item's body, the benchmark's issuing body, the review catalogue's body) and
``None`` for what every body shares (legal provisions, hearing thresholds, benchmarks issued
by the system).

A catalogue entry is never edited, only followed by a new version, so each kind has two
events: its first version, and a later one (payload ``previous_version``: the version it
closes). Payloads name the entry by ``public_id``, ``code`` and ``version`` and hold the
version's values, related rows by their codes (articles as ``law_code:number``).
"""

from django.utils.translation import gettext_lazy as _

from zhifa.ledger.events import register_event

CATALOG_STREAM = "catalog"

LAW_CREATED = register_event(2000, "catalog.law_created",
                             _("Legal provision {title} ({label}) recorded"))
LAW_VERSION_CREATED = register_event(2001, "catalog.law_version_created",
                                     _("New text of {title} ({label}) from {effective_from}"))
ITEM_CREATED = register_event(2010, "catalog.item_created",
                              _("Enforcement item {code} {name} created"))
ITEM_VERSION_CREATED = register_event(
    2011, "catalog.item_version_created",
    _("Enforcement item {code} {name}: version {version} from {effective_from}"))
ITEM_LEGALITY_REVIEWED = register_event(
    2012, "catalog.item_legality_reviewed",
    _("Legality review of enforcement item {code} version {version} recorded"))
INSPECTION_ITEM_CREATED = register_event(2020, "catalog.inspection_item_created",
                                         _("Random inspection item {code} {name} created"))
INSPECTION_ITEM_VERSION_CREATED = register_event(
    2021, "catalog.inspection_item_version_created",
    _("Random inspection item {code} {name}: version {version} from {effective_from}"))
SERVICE_GUIDE_CREATED = register_event(2030, "catalog.service_guide_created",
                                       _("Service guide of item {code} created"))
SERVICE_GUIDE_VERSION_CREATED = register_event(
    2031, "catalog.service_guide_version_created",
    _("Service guide of item {code}: version {version} from {effective_from}"))
BENCHMARK_CREATED = register_event(2040, "catalog.benchmark_created",
                                   _("Discretion benchmark {code} {violation} created"))
BENCHMARK_VERSION_CREATED = register_event(
    2041, "catalog.benchmark_version_created",
    _("Discretion benchmark {code} {violation}: version {version} from {effective_from}"))
REVIEW_CATALOGUE_CREATED = register_event(2050, "catalog.review_catalogue_created",
                                          _("Legal review catalogue {title} created"))
REVIEW_CATALOGUE_VERSION_CREATED = register_event(
    2051, "catalog.review_catalogue_version_created",
    _("Legal review catalogue {title}: version {version} from {effective_from}"))
HEARING_THRESHOLD_CREATED = register_event(2060, "catalog.hearing_threshold_created",
                                           _("Hearing threshold {code} set"))
HEARING_THRESHOLD_VERSION_CREATED = register_event(
    2061, "catalog.hearing_threshold_version_created",
    _("Hearing threshold {code}: version {version} from {effective_from}"))
