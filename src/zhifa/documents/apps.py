from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "zhifa.documents"
    label = "documents"
    verbose_name = _("Enforcement documents")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import events  # noqa: F401  (registers the document event codes)
        from .hooks import register_case_hooks

        register_case_hooks()
        # issued documents go into the case-file archive package (evidence builds it)
        from zhifa.evidence.archive.contributors import register

        from .archive import case_file_documents

        register(case_file_documents, "documents")
