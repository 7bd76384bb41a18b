from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "zhifa.catalog"
    label = "catalog"
    verbose_name = _("Catalogues")

    def ready(self) -> None:
        from . import events  # noqa: F401  (registers the catalogues' ledger events)
