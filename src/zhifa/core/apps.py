from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "zhifa.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # The development server (``zhifa runserver``, the embedded default) sends a response's
        # status line and headers in small writes; with Nagle's algorithm on, each upload chunk
        # then waits for the client's delayed ACK (~40 ms). Production servers set TCP_NODELAY
        # themselves.
        from django.core.servers.basehttp import WSGIRequestHandler

        WSGIRequestHandler.disable_nagle_algorithm = True
