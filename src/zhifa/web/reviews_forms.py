"""Forms of the legal review pages (法制审核): the package, assigning a reviewer, the opinion
over the review points, extensions, contesting an opinion and the collective discussion.

The forms only parse and show again what was typed: nothing is required here, so that every
refusal is the service's own (``zhifa.reviews.services``) and comes back on the form as it
was sent (``refuse``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhifa.core.errors import ApplicationError
from zhifa.orgs.models import Person
from zhifa.reviews.models import Conclusion, Finding, Outcome, Position
from zhifa.reviews.points import POINTS

from .forms import DateInput

TEXT_MAX = 20_000
# attendee rows of the discussion form (a discussion needs at least two heads)
ATTENDEE_ROWS = 5


def _text(label: Any, rows: int = 3, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


def _people(people: list[Person]) -> list[tuple[str, str]]:
    return [("", "—")] + [(str(p.public_id), p.name) for p in people]


class PeopleForm(forms.Form):
    """A form whose choices are people, chosen by public id; ``person`` turns the choice
    back into the Person."""

    def __init__(self, *args: Any, people: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {str(p.public_id): p for p in people}
        for field in self.fields.values():
            if isinstance(field, forms.ChoiceField) and getattr(field, "people", False):
                field.choices = _people(people)

    def person(self, name: str) -> Person | None:
        return self.people.get(str(self.data.get(self.add_prefix(name), "")))


def people_field(label: Any) -> forms.ChoiceField:
    field = forms.ChoiceField(label=label, required=False)
    field.people = True  # type: ignore[attr-defined]
    return field


class SubmitForm(PeopleForm):
    handling_opinion = _text(_("Handling department's opinion"), rows=5,
                             help_text=_("What the handling department proposes, and why."))
    changes = _text(_("Changes since the last opinion"), rows=3,
                    help_text=_("Required from the second round: what was changed after the "
                                "reviewer's opinion."))
    voluntary = forms.BooleanField(
        label=_("Send to review voluntarily (no rule requires it)"), required=False)
    reviewer = people_field(_("Legal reviewer (optional)"))


class AssignForm(PeopleForm):
    reviewer = people_field(_("Legal reviewer"))


class OpinionForm(forms.Form):
    """One finding (radios) and one comment per review point, then the outcome."""

    outcome = forms.ChoiceField(label=pgettext_lazy("legal review", "Outcome"), required=False,
                                choices=Outcome.choices, widget=forms.RadioSelect)
    opinion = _text(_("Opinion"), rows=5)
    changes_required = _text(_("Changes required"), rows=3,
                             help_text=_("Required when the outcome is “agree with changes”."))
    late_reason = _text(_("Reason for the delay"), rows=2)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for p in POINTS:
            point_label: Any = p.label
            self.fields[f"finding_{p.code}"] = forms.ChoiceField(
                label=point_label, required=False, choices=Finding.choices,
                widget=forms.RadioSelect)
            self.fields[f"comment_{p.code}"] = _text(_("Comment"), rows=2)

    @classmethod
    def from_round(cls, rnd: Any) -> OpinionForm:
        """The form filled with the round's saved draft."""
        initial: dict[str, Any] = {"outcome": rnd.outcome, "opinion": rnd.opinion,
                                   "changes_required": rnd.changes_required}
        for point in rnd.points or []:
            initial[f"finding_{point.get('code')}"] = point.get("finding", "")
            initial[f"comment_{point.get('code')}"] = point.get("comment", "")
        return cls(initial=initial)

    def rows(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        return [(p, self[f"finding_{p.code}"], self[f"comment_{p.code}"]) for p in POINTS]

    def value(self, name: str) -> str:
        return str(self.data.get(name, "")).strip()

    def points(self) -> list[dict[str, str]]:
        """The points as the services take them (a point without a finding is left out, so
        that the service says which is missing)."""
        out = []
        for p in POINTS:
            finding = self.value(f"finding_{p.code}")
            comment = self.value(f"comment_{p.code}")
            if finding or comment:
                out.append({"code": p.code, "finding": finding, "comment": comment})
        return out


class ExtensionForm(forms.Form):
    """The days are parsed here only: a number out of the range the review allows is the
    service's refusal, shown on the field (a blank asks for the most allowed)."""

    days = forms.IntegerField(label=_("Working days"), required=False,
                              widget=forms.NumberInput(attrs={"min": 1}))
    reason = _text(_("Reason"), rows=2)

    def __init__(self, *args: Any, limit: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["days"]
        field.widget.attrs["max"] = limit
        field.help_text = _("1 to %(limit)d working days; blank: %(limit)d.") % {"limit": limit}


class ExtensionDecisionForm(forms.Form):
    comment = _text(_("Comment"), rows=2,
                    help_text=_("Required when the extension is refused."))


class ContestForm(forms.Form):
    grounds = _text(_("Grounds for contesting"), rows=4)


class DiscussionOpenForm(forms.Form):
    agenda = _text(_("Agenda"), rows=3)


class DiscussionForm(PeopleForm):
    held_on = forms.DateField(label=_("Held on"), required=False, widget=DateInput())
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    presided_by = people_field(_("Presided by"))
    agenda = _text(_("Agenda"), rows=2)
    conclusion = forms.ChoiceField(label=_("Conclusion"), required=False,
                                   choices=[("", "—"), *Conclusion.choices])
    conclusion_text = _text(_("Conclusion (text)"), rows=4)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(ATTENDEE_ROWS):
            person = people_field(_("Attendee"))
            person.choices = _people(list(self.people.values()))
            self.fields[f"attendee_{i}_person"] = person
            self.fields[f"attendee_{i}_position"] = forms.ChoiceField(
                label=_("Position"), required=False, choices=[("", "—"), *Position.choices])
            self.fields[f"attendee_{i}_view"] = _text(
                pgettext_lazy("collective discussion", "View"), rows=2)
            for name in ("person", "position", "view"):
                field = self.fields[f"attendee_{i}_{name}"]
                field.widget.attrs["aria-label"] = f"{field.label} {i + 1}"

    def attendee_rows(self) -> list[tuple[forms.BoundField, ...]]:
        return [(self[f"attendee_{i}_person"], self[f"attendee_{i}_position"],
                 self[f"attendee_{i}_view"]) for i in range(ATTENDEE_ROWS)]

    def attendees(self) -> list[dict[str, Any]]:
        """The rows that were filled in (an empty row is left out), in their order."""
        out, self.rows_sent = [], []
        for i in range(ATTENDEE_ROWS):
            values = [str(self.data.get(f"attendee_{i}_{n}", "")).strip()
                      for n in ("person", "position", "view")]
            if not any(values):
                continue
            self.rows_sent.append(i)
            out.append({"person": self.person(f"attendee_{i}_person"), "position": values[1],
                        "view": values[2]})
        return out

    def field_for(self, key: str) -> str:
        """The field of a problem the service names by the attendee's place in the list."""
        if key.isdigit() and int(key) < len(getattr(self, "rows_sent", [])):
            return f"attendee_{self.rows_sent[int(key)]}_person"
        return key


# the form field each refusal code of the services belongs to
ERROR_FIELDS = {
    "review_changes_missing": "changes",
    "late_reason_required": "late_reason",
    "reason_required": "reason",
    "review_extension_too_long": "days",
    "grounds_required": "grounds",
}


def refuse(form: forms.Form, exc: ApplicationError) -> None:
    """Put a service's refusal on the form: the message at the top, and on the fields it
    concerns (the field of its code; a detail ``{field: message}``; the review points'
    problems ``{"points": {code: message}}`` on each point's row)."""
    form.is_valid()
    form.add_error(None, exc.message)
    name = ERROR_FIELDS.get(exc.code)
    if name in form.fields:
        form.add_error(name, exc.message)
    detail = exc.detail
    if not isinstance(detail, dict):
        return
    named = dict(detail.get("points") or {}) if isinstance(detail.get("points"), dict) else {}
    named = {f"finding_{code}": message for code, message in named.items()}
    named.update({k: v for k, v in detail.items() if k != "points"})
    field_for = getattr(form, "field_for", None)
    for key, message in named.items():
        key = field_for(key) if field_for is not None else key
        if isinstance(message, str) and key in form.fields and key != name:
            form.add_error(key, message)
