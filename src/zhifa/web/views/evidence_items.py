"""The evidence page of a case (证据与音像): its items in evidence-number order with their files
(hashes, audio/video details, poster frames), recording a new item, editing or withdrawing
one, attaching a file to another item, and the resumable upload widget
(``static/web/evidence-upload.js`` on tus-js-client, talking to the tus server at
``/uploads/``).

Everyone who sees the case sees its evidence; the forms are shown to those who may change it
(``may_handle`` in the case's body, case not archived). Each POST calls one service; a refusal
draws the page again with the form as it was sent and the reason next to the field."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from zhifa.cases.models import Case
from zhifa.cases.selectors import case_get_for_user
from zhifa.cases.services._access import may_handle
from zhifa.core.errors import ApplicationError, NotFound
from zhifa.evidence.models import DeviceStatus, EvidenceKind, ItemState, RecordingDevice
from zhifa.evidence.selectors import evidence_for_case, file_get_for_user, item_get_for_user
from zhifa.evidence.services._access import require_writable
from zhifa.evidence.services.items import (
    evidence_file_attach,
    evidence_item_create,
    evidence_item_update,
    evidence_item_withdraw,
)
from zhifa.orgs.permissions import Perm

from ..evidence_forms import (
    AttachForm,
    ItemForm,
    WithdrawForm,
    collector_choices,
    item_initial,
)
from .common import found, render_page, staff_view

DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024
LIST_TARGET = "evidence-items"  # the element the upload widget refreshes after an upload


@dataclass
class Feedback:
    """A refused row form, kept to be drawn again as it was sent."""

    form: Any
    error: str = ""


def may_change(user: Any, case: Case) -> bool:
    if not may_handle(user, case.body):
        return False
    try:
        require_writable(case)
    except ApplicationError:
        return False
    return True


def chunk_size(request: HttpRequest) -> int:
    """Bytes per PATCH of the upload widget: ``ZHIFA_UPLOAD_CHUNK_BYTES`` (default 8 MiB).
    ``?chunk=N`` overrides it only in development and tests (the browser test interrupts an
    upload between small chunks)."""
    size = int(getattr(settings, "ZHIFA_UPLOAD_CHUNK_BYTES", DEFAULT_CHUNK_BYTES))
    testing = os.environ.get("ZHIFA_TESTING", "").lower() in {"1", "true", "yes", "on"}
    asked = request.GET.get("chunk", "")
    if (settings.DEBUG or testing) and asked.isdigit():
        size = int(asked)
    return max(1024, min(size, 1024 ** 3))


def _upload_texts() -> dict[str, str]:
    """What the upload widget says, translated here (the script has no catalogue)."""
    return {
        "choose": _("Choose at least one file."),
        "title": _("Give the new evidence a name."),
        "kind": _("Choose the kind of the new evidence."),
        "item": _("Choose the evidence the files belong to."),
        "waiting": _("Waiting"),
        "uploading": _("Uploading"),
        "paused": _("Paused"),
        "done": _("Uploaded"),
        "failed": _("Refused"),
        "resuming": _("An earlier upload of this file will be continued."),
        "pause": _("Pause"),
        "resume": _("Resume"),
        "network": _("The connection was lost. Press “Resume” to continue where it stopped."),
        "unavailable": _("Uploads are not available on this server."),
        "pending": _("Unfinished uploads on this computer (choose the same file again to "
                     "continue):"),
        "forget": _("Forget"),
    }


def _upload_context(request: HttpRequest, case: Case, items: list[Any]) -> dict[str, Any]:
    devices = (RecordingDevice.objects.filter(body_id=case.body_id, status=DeviceStatus.ACTIVE)
               .select_related("holder").order_by("serial"))
    return {
        "chunk_size": chunk_size(request),
        "upload_items": [i for i in items if i.state == ItemState.ACTIVE],
        "devices": list(devices),
        "officers": collector_choices(case),
        "kinds": EvidenceKind.choices,
        "upload_texts": _upload_texts(),
        "av_kind": EvidenceKind.AUDIO_VISUAL.value,
        # several files for one new item: the widget records the item first, through the API
        "items_api": reverse("api:evidence_item_create", kwargs={"key": str(case.public_id)}),
    }


def evidence_page(request: HttpRequest, case: Case, *, create_form: ItemForm | None = None,
                  withdraw: dict[int, Feedback] | None = None,
                  attach: dict[int, Feedback] | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    items = evidence_for_case(user, case)
    change = may_change(user, case)
    active = [i for i in items if i.state == ItemState.ACTIVE]
    for it in items:
        given = (withdraw or {}).get(it.pk)
        it.withdraw_form = given.form if given else WithdrawForm(  # type: ignore[attr-defined]
            auto_id=f"withdraw-{it.seq}-%s")
        it.withdraw_error = given.error if given else ""  # type: ignore[attr-defined]
        for f in it.files.all():
            fed = (attach or {}).get(f.pk)
            others = [i for i in active if i.pk != it.pk]
            f.attach_form = fed.form if fed else AttachForm(  # type: ignore[attr-defined]
                items=others, auto_id=f"attach-{f.public_id}-%s")
            f.attach_error = fed.error if fed else ""  # type: ignore[attr-defined]
    context = {
        "case": case, "tab": "items", "items": items, "may_change": change,
        "file_count": sum(len(i.files.all()) for i in items),
        "create_form": create_form or ItemForm(case=case, auto_id="new-item-%s"),
        "create_open": create_form is not None,
        "list_target": LIST_TARGET,
    }
    if change:
        context.update(_upload_context(request, case, items))
    return render_page(request, "web/evidence/items/page.html", context,
                       partials={LIST_TARGET: "web/evidence/items/_list.html"}, status=status)


def _case(request: HttpRequest, public_id: Any) -> Case:
    return found(case_get_for_user, user=request.user, key=public_id)


def _to_page(case: Case, anchor: str = "") -> HttpResponse:
    url = reverse("web:evidence_case", kwargs={"public_id": case.public_id})
    return redirect(url + (f"#{anchor}" if anchor else ""))


@require_safe
@staff_view(Perm.VIEW_CASES)
def evidence_case(request: HttpRequest, public_id: Any) -> HttpResponse:
    return evidence_page(request, _case(request, public_id))


@require_POST
@staff_view(Perm.HANDLE_CASES)
def item_create(request: HttpRequest, public_id: Any) -> HttpResponse:
    case = _case(request, public_id)
    form = ItemForm(request.POST, case=case, auto_id="new-item-%s")
    if form.is_valid():
        try:
            it = evidence_item_create(actor=request.user, case=case, **form.service_fields())
        except NotFound:
            raise Http404 from None
        except ApplicationError as exc:
            form.refuse(exc)
            return evidence_page(request, case, create_form=form, status=exc.status)
        messages.success(request, _("Evidence %(seq)s “%(title)s” was recorded.")
                         % {"seq": it.seq, "title": it.title})
        return _to_page(case, f"item-{it.seq}")
    return evidence_page(request, case, create_form=form, status=400)


def _item(request: HttpRequest, case: Case, item_id: Any) -> Any:
    it = found(item_get_for_user, user=request.user, public_id=item_id)
    if it.case_id != case.pk:
        raise Http404
    return it


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view(Perm.HANDLE_CASES)
def item_edit(request: HttpRequest, public_id: Any, item_id: Any) -> HttpResponse:
    case = _case(request, public_id)
    it = _item(request, case, item_id)
    if not may_change(request.user, case) or it.state != ItemState.ACTIVE:
        # nothing to edit here: the page says why (read-only case, withdrawn item, watcher)
        return _to_page(case, f"item-{it.seq}")
    status = 200
    if request.method == "POST":
        form = ItemForm(request.POST, case=case, item=it, auto_id="edit-item-%s")
        if form.is_valid():
            try:
                evidence_item_update(actor=request.user, item=it, **form.service_fields())
            except ApplicationError as exc:
                form.refuse(exc)
                status = exc.status
            else:
                messages.success(request, _("Evidence %(seq)s was updated.") % {"seq": it.seq})
                return _to_page(case, f"item-{it.seq}")
        else:
            status = 400
    else:
        form = ItemForm(initial=item_initial(it), case=case, item=it, auto_id="edit-item-%s")
    return render_page(request, "web/evidence/items/edit.html",
                       {"case": case, "tab": "items", "item": it, "form": form}, status=status)


@require_POST
@staff_view(Perm.HANDLE_CASES)
def item_withdraw(request: HttpRequest, public_id: Any, item_id: Any) -> HttpResponse:
    case = _case(request, public_id)
    it = _item(request, case, item_id)
    form = WithdrawForm(request.POST, auto_id=f"withdraw-{it.seq}-%s")
    if form.is_valid():
        try:
            evidence_item_withdraw(actor=request.user, item=it,
                                   reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            feedback = Feedback(form=form, error=exc.message)
            return evidence_page(request, case, withdraw={it.pk: feedback}, status=exc.status)
        messages.success(request, _("Evidence %(seq)s was withdrawn.") % {"seq": it.seq})
        return _to_page(case, f"item-{it.seq}")
    return evidence_page(request, case, withdraw={it.pk: Feedback(form=form)}, status=400)


@require_POST
@staff_view(Perm.HANDLE_CASES)
def file_attach(request: HttpRequest, public_id: Any, file_id: Any) -> HttpResponse:
    case = _case(request, public_id)
    f = found(file_get_for_user, user=request.user, public_id=file_id)
    if f.case_id != case.pk:
        raise Http404
    items = evidence_for_case(request.user, case)
    others = [i for i in items if i.pk != f.item_id]
    form = AttachForm(request.POST, items=others, auto_id=f"attach-{f.public_id}-%s")
    if form.is_valid():
        target = next(i for i in others if str(i.public_id) == form.cleaned_data["item"])
        try:
            evidence_file_attach(actor=request.user, file=f, item=target)
        except ApplicationError as exc:
            return evidence_page(request, case, attach={f.pk: Feedback(form=form,
                                                                       error=exc.message)},
                                 status=exc.status)
        messages.success(request, _("“%(filename)s” now belongs to evidence %(seq)s.")
                         % {"filename": f.filename, "seq": target.seq})
        return _to_page(case, f"item-{target.seq}")
    return evidence_page(request, case, attach={f.pk: Feedback(form=form)}, status=400)


urlpatterns: list[URLPattern] = [
    path("cases/<uuid:public_id>/evidence/", evidence_case, name="evidence_case"),
    path("cases/<uuid:public_id>/evidence/items/new/", item_create,
         name="evidence_item_create"),
    path("cases/<uuid:public_id>/evidence/items/<uuid:item_id>/edit/", item_edit,
         name="evidence_item_edit"),
    path("cases/<uuid:public_id>/evidence/items/<uuid:item_id>/withdraw/", item_withdraw,
         name="evidence_item_withdraw"),
    path("cases/<uuid:public_id>/evidence/files/<uuid:file_id>/attach/", file_attach,
         name="evidence_file_attach"),
]
