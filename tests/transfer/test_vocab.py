"""One vocabulary: files use the models' zh-Hans labels; older spellings still import."""

import io

import openpyxl
from django.utils import translation

from tests.transfer.conftest import World, new_id, run_import, xlsx_from_template
from zhifa.catalog.models import PenaltyKind, ProcedureType
from zhifa.orgs.models import Person, RoleKind
from zhifa.transfer.services import transfer_export
from zhifa.transfer.vocab import (
    AMOUNT_UNITS,
    ITEM_CATEGORIES,
    PENALTY_KINDS,
    PROCEDURE_TYPES,
    ROLE_KINDS,
    TIERS,
    TIME_UNITS,
)

ALL = (ROLE_KINDS, ITEM_CATEGORIES, PROCEDURE_TYPES, TIME_UNITS, TIERS, AMOUNT_UNITS,
       PENALTY_KINDS)


def test_terms_are_the_model_labels_in_chinese() -> None:
    for vocabulary in ALL:
        with translation.override("zh-hans"):
            labels = {value: str(label) for value, label in vocabulary.choices.choices}
        assert dict(vocabulary.terms) == labels
        for value, term in labels.items():
            assert vocabulary.parse(term) == value
    assert ROLE_KINDS.terms[RoleKind.AUXILIARY] == "执法辅助人员"
    assert PROCEDURE_TYPES.terms[ProcedureType.GENERAL] == "行政处罚普通程序"


def test_old_spellings_are_still_accepted() -> None:
    assert ROLE_KINDS.parse("辅助人员") == RoleKind.AUXILIARY
    assert PROCEDURE_TYPES.parse("普通程序") == ProcedureType.GENERAL
    assert PROCEDURE_TYPES.parse("一般程序") == ProcedureType.GENERAL
    assert TIERS.parse("从重处罚") == "heavier"
    assert PENALTY_KINDS.parse("其他行政处罚") == PenaltyKind.OTHER
    assert AMOUNT_UNITS.parse("元") == "yuan"


def test_a_term_with_a_separator_stays_whole() -> None:
    other = PENALTY_KINDS.terms[PenaltyKind.OTHER]
    assert "、" in other
    assert PENALTY_KINDS.split(f"警告、{other}、罚款") == ["警告", other, "罚款"]


def test_people_round_trip_with_labels_and_aliases(world: World) -> None:
    old, new = new_id("19800301"), new_id("19800302")
    rows = [
        {"body_credit_code": world.body_a.credit_code, "name": "周一", "id_number": old,
         "role_kinds": "辅助人员"},
        {"body_credit_code": world.body_a.credit_code, "name": "周二", "id_number": new,
         "role_kinds": "执法辅助人员、执法人员"},
    ]
    report = run_import(world.admin_a, "people", xlsx_from_template("people", rows))
    assert report.ok and report.committed
    assert Person.objects.get(id_number=old).role_kinds() == [RoleKind.AUXILIARY]
    with translation.override("zh-hans"):
        content = transfer_export(actor=world.admin_a, kind="people", fmt="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    keys = [c.value for c in sheet[2]]
    by_id = {row[keys.index("id_number")]: row[keys.index("role_kinds")]
             for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert by_id[old] == "执法辅助人员"
    assert by_id[new] == "执法人员、执法辅助人员"
