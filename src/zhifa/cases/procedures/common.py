"""Pieces shared by the procedure definitions."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from zhifa.catalog.models import PenaltyKind


def text(name: str, label: Any, *, required: bool = True) -> dict[str, Any]:
    return {"name": name, "kind": "text", "label": label, "required": required}


def textarea(name: str, label: Any, *, required: bool = True) -> dict[str, Any]:
    return {"name": name, "kind": "textarea", "label": label, "required": required}


def money(name: str, label: Any, *, required: bool = True) -> dict[str, Any]:
    return {"name": name, "kind": "money", "label": label, "required": required}


# The date the step happened; defaults to today, never in the future (see fields.clean).
DATE_ON = {"name": "acted_on", "kind": "date", "label": _("Date of the step")}
REASON = textarea("reason", _("Reason"))

# When the officers started and finished on site, in local time. Not required by the form:
# a step that must be recorded on audio and video in full (the recorded-matters list: sealing
# up, impoundment, forced demolition) needs both, and its recordings must cover them (the
# ``av_recorded`` guard hook).
ONSITE = [
    {"name": "onsite_from", "kind": "datetime", "required": False,
     "label": _("On site from"),
     "help": _("Needed when the step must be recorded on audio and video in full (sealing "
               "up, impoundment, forced demolition): the recordings must cover the whole "
               "time on site.")},
    {"name": "onsite_until", "kind": "datetime", "required": False,
     "label": _("On site until")},
]

KINDS_FIELD = {
    "name": "kinds", "kind": "multichoice", "label": _("Penalty kinds"),
    "choices": [(k.value, k.label) for k in PenaltyKind],
}

SUSPEND = {
    "code": "suspend", "label": _("Suspend the case (中止)"), "from": "*", "pause": "start",
    "approval": True, "fields": [DATE_ON, {"name": "kind", "kind": "choice",
                                           "label": _("Why"),
                                           "choices": [
                                               ("suspension", _("Suspension")),
                                               ("testing", _("Testing, appraisal or expert "
                                                             "review")),
                                               ("hearing", _("Hearing")),
                                           ]}, REASON],
    "effect": "suspend",
    "source": "行政处罚法第六十条",
}
RESUME = {
    "code": "resume", "label": _("Resume the case"), "from": "*", "pause": "end",
    "fields": [DATE_ON], "effect": "resume",
}


def CLOSE_ACTIONS(sources: list[str], *, approval: bool = True) -> list[dict[str, Any]]:
    return [
        {"code": "close", "label": _("Close the case (结案)"), "from": sources, "to": "closed",
         "approval": approval, "guards": ["execution_complete"],
         "fields": [DATE_ON, textarea("summary", _("Closing report"))],
         "effect": "close", "source": "行政处罚法第四十七条"},
        {"code": "archive", "label": _("Archive the case file (归档)"), "from": "closed",
         "to": "archived", "fields": [DATE_ON, text("archive_number", _("Archive number"))],
         "effect": "archive", "source": "国办发〔2018〕118号"},
    ]
