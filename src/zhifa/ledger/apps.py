from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "zhifa.ledger"
    label = "ledger"
    verbose_name = _("Ledger")

    def ready(self) -> None:
        from . import events  # noqa: F401  (registers the ledger's own events)
        from .guard import register_sqlite_function

        connection_created.connect(register_sqlite_function,
                                   dispatch_uid="zhifa.ledger.sqlite_function")
