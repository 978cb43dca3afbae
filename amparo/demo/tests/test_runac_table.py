"""The demo province's equivalence table against the starter RUNac forms and the national categories."""

from amparo.cases.starter import FORMS
from amparo.demo.runac import TABLE
from amparo.exchange.runac import spec
from amparo.exchange.runac.province_types import LEGAJO_FORM, UNIT_FORMS
from amparo.exchange.runac.tables import read_categories_csv


def _form_options(identifier: str, unit: spec.Unit) -> set[tuple[str, str, str]]:
    """(unit, column, local code) of every option the form offers in an equivalence (TE) column."""
    definition = FORMS[identifier][2]
    lists = {item["name"]: item["options"] for item in definition["option_lists"]}
    fields = {item["name"]: item for section in definition["sections"] for item in section["fields"]}
    return {
        (unit, column, option["value"])
        for column in spec.equivalence_fields(unit)
        if "options" in fields.get(column.lower(), {})
        for option in lists[fields[column.lower()]["options"]]
    }


def test_maps_every_option_of_the_starter_runac_forms_to_a_national_category():
    national = set(read_categories_csv())
    mapped = {(unit, field, local): category for unit, field, local, _description, category in TABLE}
    forms = {LEGAJO_FORM: spec.Unit.LEGAJOS, **UNIT_FORMS}
    offered = set().union(*(_form_options(identifier, unit) for identifier, unit in forms.items()))
    # every categorical field of the MPE and MPJ forms is a list (none left as free text)
    assert {(unit, column) for unit, column, _local in offered} >= {
        (unit, column) for unit in (spec.Unit.MPE, spec.Unit.MPJ) for column in spec.equivalence_fields(unit)
    }
    assert sorted(offered - set(mapped)) == []
    assert sorted(key for key in offered if (*key[:2], mapped[key]) not in national) == []
    # the table rows are unique
    assert len(mapped) == len(TABLE)
