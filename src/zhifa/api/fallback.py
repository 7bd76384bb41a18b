"""Unknown paths under /api/v1/ answer with the error envelope instead of an HTML page.

Mounted last (see ``registry``), so that every real route matches first."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from zhifa.core.errors import NotFound

router = Router()


@router.api_operation(["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}",
                      include_in_schema=False, auth=None)
def unknown_path(request: HttpRequest, rest: str) -> None:
    raise NotFound(_("Not found."), code="not_found")
