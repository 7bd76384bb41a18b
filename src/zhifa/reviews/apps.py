from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "zhifa.reviews"
    label = "reviews"
    verbose_name = _("Legal review of major decisions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import (
            events,  # noqa: F401  (registers the review event codes)
            tasks,  # noqa: F401  (registers the Celery task reviews.alerts)
        )
        from .hooks import register_hooks

        register_hooks()
