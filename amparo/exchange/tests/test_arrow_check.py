"""The Arrow fast path of the row checker against the Python checker, the one source of issues.

Whenever the fast path calls a block clean, the Python checker must find nothing wrong
with it and produce the same columns and the same COPY text.
"""

import datetime
import io

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from amparo.exchange.runac import spec
from amparo.exchange.runac.copy_text import copy_text
from amparo.exchange.runac.generator import equivalence_rows
from amparo.exchange.runac.loading import record_columns
from amparo.exchange.runac.reading import byte_blocks
from amparo.exchange.runac.validation import ESCAPE, FileChecker, IssueCollector
from amparo.exchange.tests.builders import LOCAL, entry, exit_, legajo, mpe, mpi

CUT_OFF = datetime.date(2023, 6, 30)
# (unit, field) → {local id: national category}; "99" is a local id with no national category.
MAPPING: dict[tuple[str, str], dict[str, str]] = {}
for _unit, _field, _local, _description, _code in equivalence_rows(LOCAL):
    MAPPING.setdefault((_unit, _field), {})[_local] = _code
for _table in MAPPING.values():
    _table["99"] = ""

NASTY = [
    "",
    " ",
    "\\",
    "a\\b",
    '"',
    "x\ry",
    "\x00",
    "\t",
    "31/02/2023",
    "29/02/2024",
    "29/02/2023",
    "00/01/2023",
    "01/13/2023",
    "01/01/0000",
    "1/1/2023",
    "01/07/2023",
    "30/06/2023",
    "01-01-2023",
    "١٥/٠١/٢٠٢٣",
    "١٥",
    "1234",
    "-1",
    "007",
    "SI",
    "si",
    "INGRESO",
    "EGRESO",
    "CESE_MPE",
    "PER_INICIAL",
    "99",
    "1",
    "0",
    "ñandú",
    "\ufeffL1",
    "x" * 101,
    "é" * 60,
    "y" * 2001,
]


RULE_KINDS = ("TIPO_INTERVENCION", "TIPO_MOVIMIENTO")
# Columns the row rules of MPE and MPJ look at (more often damaged than others).
RULE_COLUMNS = {
    unit: [
        column
        for column in spec.COLUMNS[unit]
        if column.name
        in {
            *spec.MPE_CLOSING_ONLY,
            *spec.MPJ_ENTRY_ONLY,
            *spec.MPJ_EXIT_ONLY,
            "TIPO_INTERVENCION",
            "TIPO_MOVIMIENTO",
        }
    ]
    for unit in spec.Unit
}


def a_checker(unit: spec.Unit, collector: IssueCollector, *, equivalences=MAPPING) -> FileChecker:
    return FileChecker(
        unit=unit,
        file_name=f"82_{unit.value}_30062023_RUNac.txt",
        file_number=3,
        jurisdiction_code="82",
        equivalences=equivalences,
        cut_off=CUT_OFF,
        collector=collector,
        date_cache={},
        null="\\N",
    )


def value_of(unit: spec.Unit, column: spec.Column) -> st.SearchStrategy[str]:
    """A valid value of a column (row rules aside)."""
    optional = st.just("") if not column.required else st.nothing()
    if column.kind == spec.Kind.DATE:
        dates = st.dates(datetime.date(1990, 1, 1), CUT_OFF).map(lambda day: f"{day:%d/%m/%Y}")
        return dates | optional
    if column.kind == spec.Kind.INTEGER:
        return st.integers(0, 999).map(str) | optional
    if column.kind == spec.Kind.PREDEFINED:
        return st.sampled_from(column.choices) | optional
    if column.kind == spec.Kind.EQUIVALENCE:
        return st.sampled_from(sorted(MAPPING[(unit.value, column.name)])) | st.just("")
    if column.is_identifier:
        return st.text("LMPIJE-0123456789", min_size=1, max_size=12) | optional
    text = st.text(st.characters(codec="utf-8", exclude_characters="\t\n\r\\\x00"), max_size=20)
    return text | optional


def near_misses(unit: spec.Unit, column: spec.Column) -> list[str]:
    """Values on either side of what the column takes (empty, at the limits, the wrong case …)."""
    if column.kind == spec.Kind.DATE:
        late = f"{CUT_OFF + datetime.timedelta(days=1):%d/%m/%Y}"
        return ["", late, f"{CUT_OFF:%d/%m/%Y}", "29/02/2023", "29/02/2024", "31/04/2023"]
    if column.kind == spec.Kind.INTEGER:
        return ["", "999", "1000", "12a", " 1", "1.5"]
    if column.kind == spec.Kind.PREDEFINED:
        return ["", *column.choices, *(choice.lower() for choice in column.choices), "OTRO"]
    if column.kind == spec.Kind.EQUIVALENCE:
        return ["", "99", "0", "01", *sorted(MAPPING[(unit.value, column.name)])]
    limit = spec.MAX_ID_LENGTH if column.is_identifier else spec.MAX_TEXT_LENGTH
    return ["", "x" * limit, "x" * (limit + 1), "é" * (limit // 2), "é" * (limit + 1)]


def follow_row_rules(unit: spec.Unit, row: dict[str, str]) -> dict[str, str]:
    if unit == spec.Unit.MPE:
        kind = MAPPING[("MPE", "TIPO_INTERVENCION")].get(row["TIPO_INTERVENCION"], "")
        if kind != spec.MEASURE_END and not (row["TIPO_INTERVENCION"] and not kind):
            row.update(dict.fromkeys(spec.MPE_CLOSING_ONLY, ""))
    elif unit == spec.Unit.MPJ:
        if row["TIPO_MOVIMIENTO"] == spec.ENTRY:
            row.update(dict.fromkeys(spec.MPJ_EXIT_ONLY, ""))
        else:
            row.update(dict.fromkeys(spec.MPJ_ENTRY_ONLY, ""))
            row["ID_INGRESO_ASOCIADO"] = row["ID_INGRESO_ASOCIADO"] or "MPJ-1"
    return row


@st.composite
def blocks_of(draw: st.DrawFn, unit: spec.Unit) -> str:
    """Valid rows, most following the row rules, then random damage to values and lines."""
    columns = spec.COLUMNS[unit]
    rows = []
    rules_followed = draw(st.integers(0, 4)) > 0
    for _ in range(draw(st.integers(1, 12))):
        row = {column.name: draw(value_of(unit, column)) for column in columns}
        rows.append(follow_row_rules(unit, row) if rules_followed else row)
    for _ in range(draw(st.integers(0, 2))):
        row = draw(st.sampled_from(rows))
        column = draw(st.sampled_from(columns) | st.sampled_from(RULE_COLUMNS[unit] or columns))
        odd = st.sampled_from(NASTY) | st.text(max_size=6)
        row[column.name] = draw(st.one_of(*[st.sampled_from(near_misses(unit, column))] * 3, odd))
    lines = ["\t".join(row[column.name] for column in columns) for row in rows]
    for _ in range(draw(st.integers(0, 2)) if draw(st.booleans()) else 0):
        index = draw(st.integers(0, len(lines)))
        damage = draw(st.sampled_from(["blank", "tab", "untab", "cr"]))
        if damage == "blank":
            lines.insert(index, "")
        elif index < len(lines) and damage == "tab":
            lines[index] += "\t"
        elif index < len(lines) and damage == "untab":
            lines[index] = lines[index].replace("\t", "", 1)
        elif index < len(lines):
            lines[index] += "\r"
    return draw(st.sampled_from(["\n", "\r\n"])).join(lines)


def assert_same_as_python(unit: spec.Unit, text: str, *, equivalences=MAPPING) -> bool:
    """Compare both paths on a block; True when the fast path found it clean."""
    data = text.encode()
    fast = a_checker(unit, IssueCollector(), equivalences=equivalences).fast.columns_of(data, 40)
    collector = IssueCollector()
    expected, count = a_checker(unit, collector, equivalences=equivalences).check_block(text, 40)
    assert text.count("\n") + 1 == count
    if fast is None:
        return False
    assert collector.errors == []
    assert collector.warnings == []
    assert expected is not None
    assert ESCAPE not in expected
    assert fast.keys() == expected.keys()
    for name, values in expected.items():
        assert fast[name].to_pylist() == values, name
    names = record_columns(unit)
    assert copy_text([fast[name] for name in names], escape=False) == copy_text(
        [expected[name] for name in names], escape=False
    )
    return True


@pytest.mark.parametrize("unit", list(spec.Unit))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_block_the_fast_path_calls_clean_is_clean_for_the_python_checker(unit, data):
    event("clean" if assert_same_as_python(unit, data.draw(blocks_of(unit))) else "not clean")


@pytest.mark.parametrize("unit", list(spec.Unit))
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_without_equivalence_table_the_categories_stay_empty(unit, data):
    assert_same_as_python(unit, data.draw(blocks_of(unit)), equivalences=None)


@pytest.mark.parametrize("unit", list(spec.Unit))
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_valid_rows_take_the_fast_path(unit, data):
    columns = spec.COLUMNS[unit]
    rows = [
        follow_row_rules(unit, {column.name: data.draw(value_of(unit, column)) for column in columns})
        for _ in range(data.draw(st.integers(1, 8)))
    ]
    text = "\n".join("\t".join(row[column.name] for column in columns) for row in rows)
    assert assert_same_as_python(unit, text) is True


BUILDERS_ROWS = {
    spec.Unit.LEGAJOS: [legajo(), legajo(ID_LEGAJO="L2", FECHA_NACIMIENTO="", EDAD_AL_INGRESO="12")],
    spec.Unit.MPI: [mpi(), mpi(ID_INTERVENCION="MPI-2", FECHA_CIERRE="20/01/2023")],
    spec.Unit.MPE: [mpe(), mpe("CESE_MPE", ID_INTERVENCION="MPE-2")],
    spec.Unit.MPJ: [entry(), exit_()],
}


def text_of(unit: spec.Unit, rows: list[dict[str, str]], newline: str = "\n") -> str:
    return newline.join("\t".join(row[name] for name in spec.header(unit)) for row in rows)


def test_the_builders_rows_take_the_fast_path():
    for unit, rows in BUILDERS_ROWS.items():
        assert assert_same_as_python(unit, text_of(unit, rows, "\r\n")) is True


@pytest.mark.parametrize("unit", list(spec.Unit))
def test_every_near_miss_of_every_column_is_judged_as_the_python_checker_does(unit):
    for index in range(len(BUILDERS_ROWS[unit])):
        for column in spec.COLUMNS[unit]:
            for value in [*near_misses(unit, column), *NASTY]:
                rows = [dict(row) for row in BUILDERS_ROWS[unit]]
                rows[index][column.name] = value
                assert_same_as_python(unit, text_of(unit, rows))


@pytest.mark.parametrize(
    "text",
    [
        "L1\t10/01/2023",  # too few columns
        "\n" + "\t".join(legajo().values()),  # a blank line first
        "\t".join(legajo().values()) + "\n",  # a blank line last
        "\t".join(legajo(MOTIVO="a\\b").values()),  # a backslash (COPY must escape it)
        "\t".join(legajo(GENERO="mujer").values()),
        "\t".join(legajo(FECHA_CREACION="31/06/2023").values()),
    ],
)
def test_blocks_with_something_to_report_or_escape_go_to_the_python_checker(text):
    checker = a_checker(spec.Unit.LEGAJOS, IssueCollector())
    assert checker.fast.columns_of(text.encode(), 2) is None


def test_bytes_of_a_block_that_is_not_clean_are_checked_by_the_python_checker():
    collector = IssueCollector()
    text = "\t".join(legajo(GENERO="mujer").values()) + "\r\n" + "\t".join(legajo(ID_LEGAJO="L2").values())
    columns, count = a_checker(spec.Unit.LEGAJOS, collector).check_block(text.encode(), 2)
    assert count == 2
    assert columns["line"] == ["2", "3"]
    assert [(item.code, item.line, item.column, item.value) for item in collector.errors] == [
        ("predefined_value", 2, "GENERO", "mujer")
    ]


def blocks(text, size):
    """The former text reader's cut (whole lines joined by LF, a CRLF's CR dropped): the oracle."""
    rest = ""
    while data := text.read(size):
        data = rest + data
        cut = data.rfind("\n")
        if cut < 0:
            rest = data
            continue
        yield data[: cut - 1] if cut and data[cut - 1] == "\r" else data[:cut]
        rest = data[cut + 1 :]
    if rest:
        yield rest


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(st.sampled_from("ab\t\r\n"), max_size=60),
    size=st.integers(1, 9),
)
def test_byte_blocks_cut_where_text_blocks_cut(text, size):
    expected = list(blocks(io.StringIO(text, newline=""), size))
    assert [block.decode() for block in byte_blocks(io.BytesIO(text.encode()), size)] == expected


@pytest.mark.parametrize("value", ['Juzgado "Norte"', "sin comillas", "\\N"])
def test_copy_text_of_arrow_columns_is_that_of_the_same_lists(value):
    import pyarrow as pa  # noqa: PLC0415

    lists = [["1", "2"], [value, "b"], ["\\N", "c"]]
    arrays = [pa.array(values, pa.string()) for values in lists]
    assert copy_text(arrays, escape=False) == copy_text(lists, escape=False)
    assert copy_text(lists, escape=False) == f"1\t{value}\t\\N\n2\tb\tc\n".encode()
