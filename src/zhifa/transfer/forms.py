from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .kinds import Kind


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"))
    file = forms.FileField(label=_("File (.xlsx or .csv)"))
    dry_run = forms.BooleanField(
        label=_("Validate only (save nothing)"), required=False, initial=True,
        help_text=_("Checks every row and shows the report without importing. After a "
                    "successful check you can import the same file with one click."),
    )

    def __init__(self, *args: Any, kinds: Sequence[Kind], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [(k.key, k.title) for k in kinds]
        self.fields["file"].widget.attrs["accept"] = (
            ".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
            "text/csv"
        )
