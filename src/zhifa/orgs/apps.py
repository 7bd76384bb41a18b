from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "zhifa.orgs"
    label = "orgs"
    verbose_name = _("Organisations and personnel")

    def ready(self) -> None:
        from . import events  # noqa: F401  (registers the registry's ledger events)
