"""Custody and retention of a case's evidence (``/cases/<id>/evidence/custody/``): shares with
their status and the form to create one (the link is shown once, on the answer to the
creation), holds, the retention of every file, which items are used as evidence in the
decision (采信), and the case's custody entries of the ledger (uploads, views, downloads,
shares, retention, holds, disposal). And disposal (``/evidence/disposal/``): the files of
one's body whose retention has run out, the requests, and the heads' decision.

Everyone who sees the case sees this page; each form is shown to those whose service would
accept it. Each POST calls one service; a refusal draws the page again with the reason."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from zhifa.cases.models import Case
from zhifa.cases.selectors import case_get_for_user
from zhifa.cases.services._access import may_handle
from zhifa.core.errors import ApplicationError, NotFound
from zhifa.evidence import events
from zhifa.evidence.models import (
    DisposalRequest,
    DisposalState,
    EvidenceFile,
    EvidenceItem,
    LegalHold,
    RetentionClass,
    ShareLink,
)
from zhifa.evidence.retention import evidence_item_adopt, file_retention_set, retention_label
from zhifa.evidence.services._access import require_writable
from zhifa.evidence.services.custody import share_create, share_revoke, share_status
from zhifa.evidence.services.disposal import (
    disposal_blockers,
    disposal_bodies,
    disposal_decide,
    disposal_get_for_user,
    disposal_request,
    disposal_requests_for,
    files_due,
)
from zhifa.evidence.services.holds import hold_place, hold_reasons, hold_release
from zhifa.ledger.selectors import stream_entries
from zhifa.orgs.permissions import Perm, perms_of

from ..custody_forms import (
    DisposalDecisionForm,
    DisposalRequestForm,
    HoldForm,
    ReleaseForm,
    RevokeForm,
    ShareForm,
    share_expiry,
)
from .cases_page import ENTRY_STATUS_TEXT
from .common import found, render_page, staff_view

CUSTODY_CODES = range(events.FILE_UPLOADED.code, events.FILE_DISPOSED.code + 1)  # 5003–5014
DUE_LIMIT = 200


@dataclass
class ShareRow:
    share: ShareLink
    status: str
    files: list[EvidenceFile]


@dataclass
class FileRow:
    f: EvidenceFile
    retention: str


# --- The case's custody page --------------------------------------------------------------
def _case(request: HttpRequest, public_id: Any) -> Case:
    return found(case_get_for_user, user=request.user, key=public_id)


def _to_page(case: Case, anchor: str) -> HttpResponse:
    url = reverse("web:evidence_custody_case", kwargs={"public_id": case.public_id})
    return redirect(f"{url}#{anchor}")


def _may_manage_retention(user: Any, case: Case) -> bool:
    perms = perms_of(user)
    if Perm.ADMINISTER_SYSTEM in perms:
        return True
    return (Perm.MANAGE_RECORDING in perms and bool(user.person_id)
            and user.person.body_id == case.body_id)


def _writable(case: Case) -> bool:
    try:
        require_writable(case)
    except ApplicationError:
        return False
    return True


def _file_choices(case: Case) -> list[tuple[str, str]]:
    return [(str(f.public_id), f"{f.item.seq}. {f.filename}")
            for f in EvidenceFile.objects.filter(case=case, state="active")
            .select_related("item").order_by("item__seq", "id")]


def custody_page(request: HttpRequest, case: Case, *, share_form: ShareForm | None = None,
                 hold_form: HoldForm | None = None, errors: dict[str, str] | None = None,
                 new_link: str = "", status: int = 200) -> HttpResponse:
    user = request.user
    can_handle = may_handle(user, case.body)
    now = timezone.now()
    files = list(EvidenceFile.objects.filter(case=case)
                 .select_related("item", "blob", "retention_class")
                 .order_by("item__seq", "id"))
    shares = (ShareLink.objects.filter(case=case)
              .select_related("created_by__person", "revoked_by__person")
              .prefetch_related("files").order_by("-created_at", "-id"))
    holds = (LegalHold.objects.filter(case=case)
             .select_related("placed_by__person", "released_by__person")
             .order_by("released_at", "-created_at", "-id"))
    classes = (RetentionClass.objects.filter(Q(body=case.body_id) | Q(body__isnull=True),
                                             active=True)
               .order_by("-body_id", "code"))
    entries = [e for e in stream_entries(stream=case.stream) if e.event_code in CUSTODY_CODES]
    context = {
        "case": case, "tab": "custody", "now": now,
        "can_handle": can_handle,
        "can_adopt": can_handle and _writable(case),
        "can_manage_retention": _may_manage_retention(user, case),
        "items": list(EvidenceItem.objects.filter(case=case).order_by("seq")),
        "files": [FileRow(f=f, retention=retention_label(f)) for f in files],
        "shares": [ShareRow(share=s, status=share_status(s, now),
                            files=sorted(s.files.all(), key=lambda f: f.pk)) for s in shares],
        "holds": list(holds),
        "hold_reasons": hold_reasons(case),
        "classes": list(classes),
        "share_form": share_form or ShareForm(file_choices=_file_choices(case),
                                              auto_id="share-%s"),
        "hold_form": hold_form or HoldForm(auto_id="hold-%s"),
        "errors": errors or {},
        "new_link": new_link,
        "entries": entries,
        "entry_status_text": {k: str(v) for k, v in ENTRY_STATUS_TEXT.items()},
    }
    return render_page(request, "web/evidence/custody/case.html", context, status=status)


@require_safe
@staff_view(Perm.VIEW_CASES)
def evidence_custody_case(request: HttpRequest, public_id: Any) -> HttpResponse:
    return custody_page(request, _case(request, public_id))


@require_POST
@staff_view(Perm.HANDLE_CASES)
def share_create_view(request: HttpRequest, public_id: Any) -> HttpResponse:
    case = _case(request, public_id)
    form = ShareForm(request.POST, file_choices=_file_choices(case), auto_id="share-%s")
    if not form.is_valid():
        return custody_page(request, case, share_form=form, status=400,
                            errors={"shares": _("Please correct the highlighted fields.")})
    data = form.cleaned_data
    chosen = list(EvidenceFile.objects.filter(case=case, public_id__in=data["file_ids"])
                  .select_related("blob"))
    try:
        _share_row, token = share_create(
            actor=request.user, case=case, files=chosen,
            recipient_kind=data["recipient_kind"], recipient=data["recipient"],
            expires_at=share_expiry(data["expires_on"]), purpose=data["purpose"],
            allow_download=data["allow_download"])
    except ApplicationError as exc:
        return custody_page(request, case, share_form=form, status=exc.status,
                            errors={"shares": exc.message})
    link = request.build_absolute_uri(reverse("web:share_page", kwargs={"token": token}))
    # The token is shown on this answer only (its hash is all that is kept): no redirect,
    # and no copy of it kept in any cache, the browser's included.
    response = custody_page(request, case, new_link=link, status=201)
    add_never_cache_headers(response)
    return response


def _share(case: Case, share_id: Any) -> ShareLink:
    share = ShareLink.objects.select_related("case", "case__body").filter(
        case=case, public_id=share_id).first()
    if share is None:
        raise Http404
    return share


@require_POST
@staff_view(Perm.HANDLE_CASES)
def share_revoke_view(request: HttpRequest, public_id: Any, share_id: Any) -> HttpResponse:
    case = _case(request, public_id)
    share = _share(case, share_id)
    form = RevokeForm(request.POST)
    reason = form.cleaned_data.get("reason", "") if form.is_valid() else ""
    try:
        share_revoke(actor=request.user, share=share, reason=reason)
    except ApplicationError as exc:
        return custody_page(request, case, status=exc.status, errors={"shares": exc.message})
    messages.success(request, _("The share with %(recipient)s was revoked.")
                     % {"recipient": share.recipient})
    return _to_page(case, "shares")


@require_POST
@staff_view(Perm.HANDLE_CASES)
def hold_place_view(request: HttpRequest, public_id: Any) -> HttpResponse:
    case = _case(request, public_id)
    form = HoldForm(request.POST, auto_id="hold-%s")
    if not form.is_valid():
        return custody_page(request, case, hold_form=form, status=400,
                            errors={"holds": _("Please correct the highlighted fields.")})
    try:
        hold_place(actor=request.user, case=case, kind=form.cleaned_data["kind"],
                   reason=form.cleaned_data["reason"])
    except ApplicationError as exc:
        return custody_page(request, case, hold_form=form, status=exc.status,
                            errors={"holds": exc.message})
    messages.success(request, _("The hold was placed."))
    return _to_page(case, "holds")


@require_POST
@staff_view(Perm.HANDLE_CASES)
def hold_release_view(request: HttpRequest, public_id: Any, hold_id: Any) -> HttpResponse:
    case = _case(request, public_id)
    hold = LegalHold.objects.select_related("case", "case__body").filter(
        case=case, public_id=hold_id).first()
    if hold is None:
        raise Http404
    form = ReleaseForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        hold_release(actor=request.user, hold=hold, reason=reason)
    except ApplicationError as exc:
        return custody_page(request, case, status=exc.status, errors={"holds": exc.message})
    messages.success(request, _("The hold was released."))
    return _to_page(case, "holds")


@require_POST
@staff_view(Perm.HANDLE_CASES)
def item_adopt_view(request: HttpRequest, public_id: Any, item_id: Any) -> HttpResponse:
    case = _case(request, public_id)
    item = EvidenceItem.objects.select_related("case", "case__body").filter(
        case=case, public_id=item_id).first()
    if item is None:
        raise Http404
    adopted = request.POST.get("adopted") == "1"
    try:
        evidence_item_adopt(actor=request.user, item=item, adopted=adopted)
    except ApplicationError as exc:
        return custody_page(request, case, status=exc.status, errors={"retention": exc.message})
    messages.success(request, _("Evidence %(seq)s is used as evidence in the decision: its "
                                "files are kept permanently.") % {"seq": item.seq} if adopted
                     else _("Evidence %(seq)s is no longer marked as used in the decision.")
                     % {"seq": item.seq})
    return _to_page(case, "retention")


@require_POST
@staff_view()
def file_retention_view(request: HttpRequest, public_id: Any, file_id: Any) -> HttpResponse:
    case = _case(request, public_id)
    f = EvidenceFile.objects.select_related("case", "case__body").filter(
        case=case, public_id=file_id).first()
    if f is None:
        raise Http404
    raw = request.POST.get("retention_class", "")
    cls = None
    if raw:
        try:
            cls = RetentionClass.objects.filter(public_id=uuid.UUID(raw)).first()
        except ValueError:
            cls = None
        if cls is None:
            return custody_page(request, case, status=404,
                                errors={"retention": _("Retention class not found.")})
    try:
        file_retention_set(actor=request.user, file=f, retention_class=cls)
    except ApplicationError as exc:
        return custody_page(request, case, status=exc.status, errors={"retention": exc.message})
    messages.success(request, _("The retention of %(name)s was changed.") % {"name": f.filename})
    return _to_page(case, "retention")


# --- Disposal ------------------------------------------------------------------------------
def _require_disposal_user(user: Any) -> None:
    if not perms_of(user) & {Perm.HANDLE_CASES, Perm.APPROVE_DISPOSAL, Perm.ADMINISTER_SYSTEM}:
        raise DjangoPermissionDenied


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view()
def disposal_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_disposal_user(user)
    due = list(files_due(bodies=disposal_bodies(user))[:DUE_LIMIT])
    choices = [(str(f.public_id), f.filename) for f in due]
    form = DisposalRequestForm(auto_id="disposal-%s", file_choices=choices)
    error, status = "", 200
    if request.method == "POST":
        form = DisposalRequestForm(request.POST, auto_id="disposal-%s", file_choices=choices)
        if form.is_valid():
            chosen = [f for f in due if str(f.public_id) in set(form.cleaned_data["file_ids"])]
            try:
                req = disposal_request(actor=user, files=chosen,
                                       reason=form.cleaned_data["reason"])
            except ApplicationError as exc:
                error, status = exc.message, exc.status
            else:
                messages.success(request, _("The disposal request was sent for approval."))
                return redirect(reverse("web:disposal_detail",
                                        kwargs={"public_id": req.public_id}))
        else:
            error, status = _("Please correct the highlighted fields."), 400
    requests = list(disposal_requests_for(user).prefetch_related("files")[:100])
    perms = perms_of(user)
    return render_page(request, "web/evidence/custody/disposal_list.html", {
        "due": due, "due_limit": DUE_LIMIT, "form": form, "error": error,
        "chosen": set(request.POST.getlist("file_ids")) if request.method == "POST" else set(),
        "requests": requests, "pending": [r for r in requests
                                          if r.state == DisposalState.PENDING],
        "can_request": Perm.HANDLE_CASES in perms,
    }, status=status)


def _can_decide(user: Any, req: DisposalRequest) -> bool:
    return (req.state == DisposalState.PENDING and Perm.APPROVE_DISPOSAL in perms_of(user)
            and bool(user.person_id) and user.person.body_id == req.body_id
            and req.requested_by_id != user.pk)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view()
def disposal_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    user = request.user
    _require_disposal_user(user)
    req = found(disposal_get_for_user, user=user, public_id=public_id)
    form = DisposalDecisionForm(auto_id="decision-%s")
    error, status = "", 200
    if request.method == "POST":
        decision = request.POST.get("decision")
        form = DisposalDecisionForm(request.POST, auto_id="decision-%s")
        if decision not in ("approve", "reject") or not form.is_valid():
            error, status = _("Choose to approve or to reject."), 400
        else:
            try:
                disposal_decide(actor=user, request=req, approve=decision == "approve",
                                note=form.cleaned_data["note"])
            except NotFound:
                raise Http404 from None
            except ApplicationError as exc:
                error, status = exc.message, exc.status
            else:
                messages.success(request, _("The files were disposed of; their hashes stay on "
                                            "the record.") if decision == "approve"
                                 else _("The disposal request was rejected."))
                return redirect(reverse("web:disposal_detail",
                                        kwargs={"public_id": req.public_id}))
    files = list(req.files.select_related("case", "item", "blob", "retention_class")
                 .order_by("case_id", "id"))
    today = timezone.localdate()
    pending = req.state == DisposalState.PENDING
    return render_page(request, "web/evidence/custody/disposal_detail.html", {
        "req": req, "form": form, "error": error, "can_decide": _can_decide(user, req),
        "rows": [(f, disposal_blockers(f, today=today, request=req) if pending else [])
                 for f in files],
    }, status=status)


urlpatterns: list[URLPattern] = [
    path("cases/<uuid:public_id>/evidence/custody/", evidence_custody_case,
         name="evidence_custody_case"),
    path("cases/<uuid:public_id>/evidence/custody/shares/", share_create_view,
         name="evidence_share_create"),
    path("cases/<uuid:public_id>/evidence/custody/shares/<uuid:share_id>/revoke/",
         share_revoke_view, name="evidence_share_revoke"),
    path("cases/<uuid:public_id>/evidence/custody/holds/", hold_place_view,
         name="evidence_hold_place"),
    path("cases/<uuid:public_id>/evidence/custody/holds/<uuid:hold_id>/release/",
         hold_release_view, name="evidence_hold_release"),
    path("cases/<uuid:public_id>/evidence/custody/items/<uuid:item_id>/adopt/",
         item_adopt_view, name="evidence_item_adopt"),
    path("cases/<uuid:public_id>/evidence/custody/files/<uuid:file_id>/retention/",
         file_retention_view, name="evidence_file_retention"),
    path("evidence/disposal/", disposal_list, name="disposal_list"),
    path("evidence/disposal/<uuid:public_id>/", disposal_detail, name="disposal_detail"),
]
