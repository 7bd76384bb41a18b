"""Case pages: the list, a case, the procedures as flowcharts, and the case panels of the
workbench. Opening a case is in ``cases_new``, taking steps in ``cases_act``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from zhifa.cases.flowchart import procedure_svg
from zhifa.cases.models import Case
from zhifa.cases.procedures import Procedure, builtin_codes, procedure_get
from zhifa.cases.selectors import (
    case_get_for_user,
    case_search,
    cases_for_list,
    provisional_deadlines,
    workbench_for,
)
from zhifa.core.errors import ApplicationError
from zhifa.core.filters import filter_given
from zhifa.orgs.models import EnforcementBody
from zhifa.orgs.permissions import Perm, has_perm, perms_of
from zhifa.orgs.selectors import visible_bodies

from ..case_forms import CaseFilterForm, procedures_for
from .cases_page import case_page
from .common import found, paginate, render_page, staff_view


class ProcedureLabels:
    """Procedure and stage labels of listed cases, each definition looked up once."""

    def __init__(self) -> None:
        self._cache: dict[tuple[int | None, str], Procedure | None] = {}

    def procedure(self, case: Case) -> Procedure | None:
        builtin = case.procedure in builtin_codes()
        key = (None if builtin else case.body_id, case.procedure)
        if key not in self._cache:
            try:
                self._cache[key] = procedure_get(case.procedure,
                                                 body=None if builtin else case.body)
            except ApplicationError:
                self._cache[key] = None
        return self._cache[key]

    def label(self, case: Case) -> tuple[str, str]:
        proc = self.procedure(case)
        if proc is None:
            return case.procedure, case.stage
        try:
            stage = str(proc.stage(case.stage).label)
        except ValueError:
            stage = case.stage
        return str(proc.label), stage


def with_labels(cases: list[Case], labels: ProcedureLabels | None = None) -> list[Case]:
    labels = labels or ProcedureLabels()
    for case in cases:
        case.procedure_label, case.stage_label = labels.label(case)  # type: ignore[attr-defined]
    return cases


@staff_view(Perm.VIEW_CASES)
def case_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    bodies = visible_bodies(user)
    form = CaseFilterForm(request.GET or None, user=user, bodies=bodies)
    f = form.filters()
    qs = cases_for_list(user)
    if "q" in f:
        qs = case_search(qs, f["q"])
    procedure, _dot, stage = str(f.get("stage", "")).partition(".")
    qs = filter_given(qs, procedure=f.get("procedure"), status=f.get("status"),
                      body__public_id=f.get("body"))
    if stage:
        qs = qs.filter(procedure=procedure, stage=stage)
    if "overdue" in f:
        qs = qs.filter(overdue=f["overdue"] == "yes")
    page = paginate(request, qs.order_by("-received_on", "-id"))
    page.object_list = with_labels(list(page.object_list))
    context = {
        "form": form, "page": page, "rows": page.object_list,
        "results_template": "web/cases/_results.html",
        "show_body": "body" in form.fields,
        "may_open": has_perm(user, Perm.HANDLE_CASES) and getattr(user, "person_id", None),
    }
    return render_page(request, "web/cases/list.html", context,
                       partials={"results": "web/cases/_results.html"})


@require_safe
@staff_view(Perm.VIEW_CASES)
def case_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    case = found(case_get_for_user, user=request.user, key=public_id)
    return case_page(request, case)


def _user_bodies(user: Any) -> Any:
    person = getattr(user, "person", None) if getattr(user, "person_id", None) else None
    return EnforcementBody.objects.filter(pk=person.body_id) if person else \
        EnforcementBody.objects.none()


@require_safe
@staff_view(Perm.VIEW_CASES)
def procedure_list(request: HttpRequest) -> HttpResponse:
    procs = procedures_for(_user_bodies(request.user))
    return render_page(request, "web/cases/procedures.html", {"procedures": procs})


@require_safe
@staff_view(Perm.VIEW_CASES)
def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    procs = {p.code: p for p in procedures_for(_user_bodies(request.user))}
    proc = procs.get(code)
    if proc is None:
        raise Http404
    context = {"procedure": proc, "flowchart": procedure_svg(proc)}
    return render_page(request, "web/cases/procedure.html", context)


# --- The workbench's case panels ------------------------------------------------------------
@dataclass(frozen=True)
class CaseWorkbench:
    mine: list[Case]
    due_this_week: list[Any]
    overdue: list[Any]
    approvals: list[Any]
    provisional: int  # running provisional deadlines of the user's cases
    provisional_all: int | None  # in the user's scope, for system administrators
    may_open: bool


def case_workbench(user: Any) -> CaseWorkbench | None:
    """The case panels for those who work on cases; None for everybody else."""
    perms = perms_of(user)
    admin = Perm.ADMINISTER_SYSTEM in perms
    if Perm.HANDLE_CASES not in perms:
        return None
    today = timezone.localdate()
    bench = workbench_for(user, today=today)
    labels = ProcedureLabels()
    for request in bench.approvals:
        proc = labels.procedure(request.case)
        act = proc.action(request.action) if proc else None
        request.action_label = str(act.label) if act else request.action
    return CaseWorkbench(
        mine=with_labels(bench.mine, labels), due_this_week=bench.due_this_week,
        overdue=bench.overdue, approvals=bench.approvals, provisional=bench.provisional,
        provisional_all=provisional_deadlines(user).count() if admin else None,
        may_open=bool(getattr(user, "person_id", None)),
    )
