"""Opening a case: one form with a repeatable block of parties. "Add a party" sends the form
back to be drawn with one empty party more, so the page needs no JavaScript; what was typed is
kept on every round trip and on every error."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from zhifa.cases.services import PartyIn, case_create
from zhifa.core.errors import ApplicationError
from zhifa.orgs.permissions import Perm

from ..case_forms import CREATE_ERROR_FIELDS, CaseCreateForm, party_formset
from .common import render_page, staff_view


def _show_service_error(form: CaseCreateForm, parties: Any, exc: ApplicationError) -> None:
    detail = exc.detail if isinstance(exc.detail, dict) else {}
    shown = False
    for key, message in detail.items():
        if key in CREATE_ERROR_FIELDS and key in form.fields:
            form.add_error(key, str(message))
            shown = True
        elif key.startswith("parties["):
            # "parties[2]" is the third party sent, which is the third form that was filled
            try:
                index = int(key[len("parties["):-1])
                filled = [f for f in parties.forms if f.has_changed()]
                filled[index].add_error(None, str(message))
                shown = True
            except (ValueError, IndexError):
                pass
    if not shown:
        form.add_error(None, exc.message)


@require_http_methods(["GET", "POST"])
@staff_view(Perm.HANDLE_CASES)
def case_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not getattr(user, "person_id", None):
        # cases belong to the body of the person who opens them
        raise PermissionDenied
    me = user.person
    post = request.POST if request.method == "POST" else None
    adding = post is not None and "add_party" in post
    form = CaseCreateForm(post, body=me.body, me=me)
    parties = party_formset(post, add=adding)
    status = 200
    if post is not None and not adding:
        form_ok = form.is_valid()
        parties_ok = parties.is_valid()
        if form_ok and parties_ok:
            data = form.cleaned_data
            party_list = [
                PartyIn(party_type=p["party_type"], name=p["name"],
                        id_number=p.get("id_number", ""), credit_code=p.get("credit_code", ""),
                        legal_representative=p.get("legal_representative", ""),
                        address=p.get("address", ""), phone=p.get("phone", ""))
                for p in parties.cleaned_data if p
            ]
            try:
                case = case_create(
                    actor=user, procedure=data["procedure"], title=data["title"],
                    sector=data["sector"], region=data["region"], parties=party_list,
                    officers=list(data["officers"]), received_on=data["received_on"],
                    source_kind=data["source_kind"], item=data["item"],
                    summary=data["summary"], body=me.body,
                )
            except ApplicationError as exc:
                _show_service_error(form, parties, exc)
                status = exc.status
            else:
                messages.success(request, _("Case %(number)s was opened.") % {
                    "number": case.number})
                return redirect("web:case_detail", public_id=case.public_id)
        else:
            status = 400
    context = {"form": form, "parties": parties, "body": me.body}
    return render_page(request, "web/cases/new.html", context, status=status)
