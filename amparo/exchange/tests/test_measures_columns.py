"""The column-wise measures (`measures.compute`) agree with a row-by-row state machine.

The oracle below is the state machine Amparo computed measures with before (session 4 of
issue #5), one legajo's rows at a time; the rules are in `derived`'s docstring and the
examples of `test_measures`. Random histories with ties, anomalies, empty values and two
deliveries are cut into random batches, as rows arrive from the database.
"""

import datetime
from itertools import groupby
from operator import itemgetter
from typing import Any

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from amparo.exchange.runac import spec
from amparo.exchange.runac.derived import MEASURE_COLUMNS, PLACEMENT_COLUMNS
from amparo.exchange.runac.errors import IssueCode
from amparo.exchange.runac.measures import READ_COLUMNS, compute, whole_legajos

START, END = spec.MEASURE_START, spec.MEASURE_END
REPORTED = 2


def oracle(rows: list[tuple[Any, ...]], jurisdiction: int) -> tuple[list[Any], list[Any], list[Any]]:
    """One legajo's MPE rows, in order, into its measures, placements and anomalies."""
    measures: list[Any] = []
    placements: list[Any] = []
    found: list[Any] = []
    first = rows[0]
    person = (jurisdiction, first[0], first[14], first[15])
    start: Any = None  # the open measure's start date (None: no measure open)
    opening: Any = None
    project: Any = None
    stretches: list[list[Any]] = []
    current: list[Any] = []

    def place(end_date: Any) -> None:
        begin = stretches[0][0]
        for index, (from_date, setting, facility, plan) in enumerate(stretches, start=1):
            to_date = stretches[index][0] if index < len(stretches) else end_date
            placements.append((*person, begin, from_date, to_date, setting, facility, plan))

    for row in rows:
        kind = row[3]
        if start is None:
            if kind == START:
                opening, start, project = row, row[2], row[8]
                current = [start, row[6], row[7], row[8]]
                stretches = [current]
            elif kind == END and row[11] == REPORTED:
                found.append((row[12], row[13], IssueCode.MEASURE_CLOSE_WITHOUT_START, row[0], None))
            continue
        if row[8]:
            project = row[8]
        if kind == END:
            closed_on = row[2] if row[10] is None else row[10]
            end_date = max(closed_on, start)
            measures.append(
                (*person, opening[1], start, row[1], end_date, opening[4], opening[5], row[9], project)
            )
            place(end_date)
            start = None
            continue
        if kind == START and row[11] == REPORTED:
            found.append((row[12], row[13], IssueCode.MEASURE_START_WHILE_OPEN, row[0], start))
        setting, facility, plan = row[6] or current[1], row[7] or current[2], row[8] or current[3]
        if setting != current[1] or facility != current[2] or plan != current[3]:
            current = [row[2], setting, facility, plan]
            stretches.append(current)
    if start is not None:
        measures.append((*person, opening[1], start, "", None, opening[4], opening[5], "", project))
        place(None)
    return measures, placements, found


DAY = datetime.date(2023, 1, 1)
days = st.integers(min_value=0, max_value=6).map(lambda n: DAY + datetime.timedelta(days=n))
mpe_rows = st.tuples(
    st.sampled_from([START, START, END, END, "SEGUIMIENTO", "OTRA"]),
    days,
    st.sampled_from(["", "FAMILIAR", "INSTITUCIONAL"]),  # ambito
    st.sampled_from(["", "HOGAR", "FAMILIA_AMPLIADA"]),  # dispositivo
    st.sampled_from(["", "REINTEGRO", "ADOPCION"]),  # proyecto
    st.sampled_from(["", "RESTITUIDO"]),  # situación al cese
    st.one_of(st.none(), days),  # fecha de cese
    st.sampled_from([1, REPORTED]),  # delivery (its cut-off orders as its id)
)
histories = st.lists(st.lists(mpe_rows, min_size=1, max_size=12), min_size=1, max_size=8)


def ordered_rows(history: list[list[tuple[Any, ...]]]) -> list[tuple[Any, ...]]:
    """Rows as the reading query returns them: by legajo, date, cut-off, file and line."""
    rows = []
    line = 1
    for number, legajo_rows in enumerate(history):
        legajo = f"L-ñ{number:02d}"
        for kind, day, setting, facility, plan, situation, cese, delivery in legajo_rows:
            line += 1
            rows.append(
                (
                    legajo,
                    f"MPE-{line}",
                    day,
                    kind,
                    "NEGLIGENCIA",
                    "ESCUELA",
                    setting,
                    facility,
                    plan,
                    situation,
                    cese,
                    delivery,
                    0,
                    line,
                    "MUJER" if number % 2 else "",
                    None if number % 3 else datetime.date(2010, 5, number + 1),
                    0,
                )
            )
    return sorted(rows, key=lambda row: (row[0], row[2], row[11], row[12], row[13]))


def as_table(rows: list[tuple[Any, ...]]) -> pa.Table:
    columns = list(zip(*rows, strict=True))
    return pa.table(
        {
            name: pa.array(values, type=kind)
            for (name, kind), values in zip(READ_COLUMNS.items(), columns, strict=True)
        }
    )


@settings(max_examples=300, deadline=None)
@given(histories, st.lists(st.integers(min_value=1, max_value=20), min_size=1, max_size=10))
def test_column_wise_measures_match_the_row_by_row_machine(history, cuts):
    rows = ordered_rows(history)
    expected: tuple[list[Any], list[Any], list[Any]] = ([], [], [])
    for _legajo, group in groupby(rows, key=itemgetter(0)):
        for into, found in zip(expected, oracle(list(group), 21), strict=True):
            into.extend(found)
    # the rows arrive in batches of arbitrary sizes
    tables, position = [], 0
    for size in cuts * (len(rows) // sum(cuts) + 1):
        if position >= len(rows):
            break
        tables.append(as_table(rows[position : position + size]))
        position += size
    measures: list[Any] = []
    placements: list[Any] = []
    anomalies: list[Any] = []
    for table in whole_legajos(tables):
        batch = compute(table, 21, REPORTED)
        measures += [tuple(row[name] for name in MEASURE_COLUMNS) for row in batch.measures.to_pylist()]
        placements += [tuple(row[name] for name in PLACEMENT_COLUMNS) for row in batch.placements.to_pylist()]
        anomalies += batch.anomalies
    assert measures == expected[0]
    assert placements == expected[1]
    assert sorted(anomalies) == sorted(expected[2])


def test_whole_legajos_never_splits_a_legajo():
    rows = ordered_rows(
        [[(START, DAY, "", "", "", "", None, 1)] * 5, [(END, DAY, "", "", "", "", None, 1)] * 3]
    )
    tables = [as_table(rows[index : index + 2]) for index in range(0, len(rows), 2)]
    cut = [table["id_legajo"].to_pylist() for table in whole_legajos(tables)]
    assert cut == [["L-ñ00"] * 5, ["L-ñ01"] * 3]
