from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosureConfig(AppConfig):
    name = "zhifa.disclosure"
    label = "disclosure"
    verbose_name = _("Publicity of enforcement")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import (
            events,  # noqa: F401  (registers the publicity event codes)
            tasks,  # noqa: F401  (registers the Celery task disclosure.alerts)
        )
        from .hooks import register_hooks

        register_hooks()
