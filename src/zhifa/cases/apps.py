from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "zhifa.cases"
    label = "cases"
    verbose_name = _("Cases")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from zhifa.ledger import references

        from . import events  # noqa: F401  (registers the case event codes)
        from .services.deadlines import register_calendar_hooks

        register_calendar_hooks()
        references.register_max("cases.CaseStep", "ledger_seq")  # verify: no entries cut off
