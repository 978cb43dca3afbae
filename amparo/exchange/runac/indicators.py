"""National indicators at any date and for any period, by jurisdiction, category, gender and age group.

Everything counts the newest loaded version of each row (`is_latest`) of the chosen
jurisdictions. "At" a date D: legajos created on or before D, rows dated on or before D,
measures started on or before D and open at D (no end, or an end after D), penal entries
on or before D without an exit on or before D. "In a period": dates between its first and
last day, both included. Age groups use the age at D for stocks and at the event for flows;
the birth date is FECHA_NACIMIENTO or, when missing, estimated from EDAD_AL_INGRESO.
"""

import datetime
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils.translation import gettext_lazy as _

from amparo.common.dates import years_before
from amparo.exchange.runac import spec
from amparo.exchange.runac.choices import AGE_GROUP_LOWER_BOUNDS, AgeGroup, Breakdown
from amparo.exchange.runac.models import (
    ExceptionalMeasure,
    Jurisdiction,
    LegajoRecord,
    MeasurePlacement,
    MpeRecord,
    MpiRecord,
    MpjRecord,
    NationalCategory,
    PenalStay,
)

TOTAL = "TOTAL"
NO_DATA = "SIN_DATO"
EMPTY_LABEL = "(vacío)"


@dataclass(frozen=True)
class IndicatorQuery:
    jurisdictions: Sequence[Jurisdiction]
    at: datetime.date
    period_start: datetime.date
    period_end: datetime.date
    breakdown: Breakdown = Breakdown.NONE


@dataclass
class Row:
    key: str
    label: str
    values: dict[str, float]
    total: float


@dataclass
class Table:
    key: str
    title: Any
    columns: list[tuple[str, str]]
    rows: list[Row]
    total: Row | None = None
    is_days: bool = False
    chart: bool = True

    def lines(self) -> list[dict[str, Any]]:
        """Rows (then the total) with their values in column order, for the HTML table."""
        rows = [(row, False) for row in self.rows] + ([(self.total, True)] if self.total else [])
        return [
            {
                "label": row.label,
                "values": [row.values.get(key, 0) for key, _label in self.columns],
                "total": row.total,
                "is_total": is_total,
            }
            for row, is_total in rows
        ]

    def bars(self) -> list[dict[str, Any]]:
        """The rows with their share of the largest total (0–100), for the bar charts."""
        top = max((row.total for row in self.rows), default=0) or 1
        return [
            {"label": row.label, "value": row.total, "width": round(100 * row.total / top, 1)}
            for row in self.rows
        ]


@dataclass
class IndicatorResult:
    query: IndicatorQuery
    summary: dict[str, int] = field(default_factory=dict)
    tables: list[Table] = field(default_factory=list)


def default_period(at: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The RUNac semester containing `at`: 28/12 (of the year before) to 30/06, or 01/07 to 27/12."""
    if at.month < 7:
        return datetime.date(at.year - 1, 12, 28), datetime.date(at.year, 6, 30)
    if (at.month, at.day) <= (12, 27):
        return datetime.date(at.year, 7, 1), datetime.date(at.year, 12, 27)
    return datetime.date(at.year, 12, 28), datetime.date(at.year + 1, 6, 30)


# --- SQL building blocks -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    table: str
    with_legajo: bool

    @property
    def gender(self) -> str:
        return "l.genero" if self.with_legajo else "x.genero"

    @property
    def birth(self) -> str:
        return "l.birth_date" if self.with_legajo else "x.birth_date"


def _source(model: type[models.Model], *, with_legajo: bool) -> _Source:
    return _Source(model._meta.db_table, with_legajo)


LEGAJOS = _source(LegajoRecord, with_legajo=False)
MPI = _source(MpiRecord, with_legajo=True)
MPE_ROWS = _source(MpeRecord, with_legajo=True)
MPJ = _source(MpjRecord, with_legajo=True)
MEASURES = _source(ExceptionalMeasure, with_legajo=False)
PLACEMENTS = _source(MeasurePlacement, with_legajo=False)
STAYS = _source(PenalStay, with_legajo=False)
RECORD_TABLES = {LEGAJOS.table, MPI.table, MPE_ROWS.table, MPJ.table}


def _years_before_sql(expression: str, years: int) -> str:
    if connection.vendor == "postgresql":
        return f"CAST({expression} - INTERVAL '{int(years)} years' AS date)"
    return f"date({expression}, '-{int(years)} years')"


def _age_group_sql(birth: str, age_at: datetime.date | str) -> tuple[str, list[Any]]:
    """CASE giving the age group at a date (a parameter) or at a date column (an SQL expression)."""
    parts = [f"CASE WHEN {birth} IS NULL THEN %s"]
    params: list[Any] = [AgeGroup.UNKNOWN.value]
    for years, group in AGE_GROUP_LOWER_BOUNDS[:-1]:
        if isinstance(age_at, datetime.date):
            parts.append(f"WHEN {birth} <= %s THEN %s")
            params += [years_before(age_at, years), group.value]
        else:
            parts.append(f"WHEN {birth} <= {_years_before_sql(age_at, years)} THEN %s")
            params.append(group.value)
    parts.append("ELSE %s END")
    params.append(AGE_GROUP_LOWER_BOUNDS[-1][1].value)
    return " ".join(parts), params


def _group_sql(breakdown: Breakdown, source: _Source, age_at: datetime.date | str) -> tuple[str, list[Any]]:
    if breakdown == Breakdown.JURISDICTION:
        return "x.jurisdiction_id", []
    if breakdown == Breakdown.GENDER:
        return f"COALESCE(NULLIF({source.gender}, ''), %s)", [NO_DATA]
    if breakdown == Breakdown.AGE_GROUP:
        return _age_group_sql(source.birth, age_at)
    return "%s", [TOTAL]


def _count(
    query: IndicatorQuery,
    source: _Source,
    *,
    where: str,
    params: Sequence[Any],
    categories: Sequence[str] = (),
    age_at: datetime.date | str | None = None,
    join: str = "",
    join_params: Sequence[Any] = (),
) -> Counter[tuple[str, ...]]:
    """Counts of `source` rows matching `where`, by (*category values, breakdown group)."""
    jurisdiction_ids = [jurisdiction.pk for jurisdiction in query.jurisdictions]
    if not jurisdiction_ids:
        return Counter()
    group, group_params = _group_sql(query.breakdown, source, age_at if age_at is not None else query.at)
    selected = [f"COALESCE({category}, '')" for category in categories]
    # Rows of MPI/MPE/MPJ take gender and birth date from their legajo: joined only when needed.
    needs_legajo = source.with_legajo and query.breakdown in (Breakdown.GENDER, Breakdown.AGE_GROUP)
    legajo_join = ""
    if needs_legajo:
        legajo_join = (
            f"LEFT JOIN {LEGAJOS.table} l ON l.jurisdiction_id = x.jurisdiction_id "
            "AND l.id_legajo = x.id_legajo AND l.is_latest = %s "
        )
    latest = "AND x.is_latest = %s " if source.table in RECORD_TABLES else ""
    positions = ", ".join(str(position) for position in range(1, len(selected) + 2))
    sql = (
        f"SELECT {''.join(f'{item}, ' for item in selected)}{group} AS grp, COUNT(*) "  # noqa: S608
        f"FROM {source.table} x {legajo_join}{join}"
        f"WHERE x.jurisdiction_id IN ({', '.join(['%s'] * len(jurisdiction_ids))}) "
        f"{latest}AND ({where}) GROUP BY {positions}"
    )
    all_params: list[Any] = [*group_params]
    if needs_legajo:
        all_params.append(True)
    all_params += [*join_params, *jurisdiction_ids]
    if latest:
        all_params.append(True)
    all_params += list(params)
    with connection.cursor() as cursor:
        cursor.execute(sql, all_params)
        return Counter({tuple(str(value) for value in row[:-1]): int(row[-1]) for row in cursor.fetchall()})


def _by(counts: Counter[tuple[str, ...]], index: int | None = None) -> Counter[tuple[str, str]]:
    """(category, group) counts from a multi-category count; index None = no category."""
    result: Counter[tuple[str, str]] = Counter()
    for key, value in counts.items():
        result[("" if index is None else key[index], key[-1])] += value
    return result


# --- Tables ----------------------------------------------------------------------------------


def _columns(query: IndicatorQuery) -> list[tuple[str, str]]:
    if query.breakdown == Breakdown.JURISDICTION:
        return [
            (str(jurisdiction.pk), f"{jurisdiction.code} {jurisdiction.name}")
            for jurisdiction in query.jurisdictions
        ]
    if query.breakdown == Breakdown.GENDER:
        return [(gender, gender) for gender in spec.GENDERS]
    if query.breakdown == Breakdown.AGE_GROUP:
        return [(group.value, str(group.label)) for group in AgeGroup]
    return []


def _row(key: str, label: str, counts: Mapping[str, float], columns: list[tuple[str, str]]) -> Row:
    values = {column: counts.get(column, 0) for column, _label in columns}
    return Row(key=key, label=label, values=values, total=sum(counts.values()))


def _category_table(
    query: IndicatorQuery,
    key: str,
    title: Any,
    counts: Counter[tuple[str, str]],
    unit: spec.Unit | None = None,
    field_name: str = "",
    choices: Sequence[str] = (),
) -> Table:
    """One row per national category (all of them, zeros included), then unexpected values."""
    columns = _columns(query)
    known = list(choices) or list(
        NationalCategory.objects.filter(unit=unit, field=field_name, is_active=True)
        .order_by("position")
        .values_list("code", flat=True)
    )
    present = {category for category, _group in counts}
    ordered = [*known, *sorted(present - set(known) - {""}), *([""] if "" in present else [])]
    rows = []
    for category in ordered:
        per_group = {
            group: value for (row_category, group), value in counts.items() if row_category == category
        }
        rows.append(_row(category or NO_DATA, category or EMPTY_LABEL, per_group, columns))
    totals: Counter[str] = Counter()
    for (_category, group), value in counts.items():
        totals[group] += value
    return Table(
        key=key,
        title=title,
        columns=columns,
        rows=rows,
        total=_row(TOTAL, str(_("Total")), dict(totals), columns),
    )


def _summary_table(
    query: IndicatorQuery, key: str, title: Any, lines: list[tuple[str, Any, Counter]]
) -> Table:
    columns = _columns(query)
    rows = []
    for line_key, label, counts in lines:
        per_group: Counter[str] = Counter()
        for (_category, group), value in counts.items():
            per_group[group] += value
        rows.append(_row(line_key, str(label), dict(per_group), columns))
    return Table(key=key, title=title, columns=columns, rows=rows, chart=False)


def compute(query: IndicatorQuery) -> IndicatorResult:
    """Every indicator table for the query (one SQL aggregate per source and kind of date)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # the joins over a whole register stay in memory
                cursor.execute(
                    "SELECT set_config('work_mem', %s, true)",
                    [getattr(settings, "RUNAC_INDICATORS_WORK_MEM", "128MB")],
                )
        return _compute(query)


def _compute(query: IndicatorQuery) -> IndicatorResult:
    at, start, end = query.at, query.period_start, query.period_end
    result = IndicatorResult(query=query)
    period = "BETWEEN %s AND %s"
    open_measure = "x.start_date <= %s AND (x.end_date IS NULL OR x.end_date > %s)"
    open_place = "x.from_date <= %s AND (x.to_date IS NULL OR x.to_date > %s)"
    open_stay = "x.entry_date <= %s AND (x.exit_date IS NULL OR x.exit_date > %s)"

    population = _count(query, STAYS, where=open_stay, params=[at, at], categories=["x.dispositivo"])
    stock = [
        (
            "legajos",
            _("Files (legajos) created on or before the date"),
            _by(_count(query, LEGAJOS, where="x.fecha_creacion <= %s", params=[at])),
        ),
        (
            "mpi",
            _("MPI interventions on or before the date"),
            _by(_count(query, MPI, where="x.fecha_intervencion <= %s", params=[at])),
        ),
        (
            "mpe",
            _("MPE interventions on or before the date"),
            _by(_count(query, MPE_ROWS, where="x.fecha_intervencion <= %s", params=[at])),
        ),
        (
            "mpj",
            _("MPJ movements on or before the date"),
            _by(_count(query, MPJ, where="x.fecha_movimiento <= %s", params=[at])),
        ),
        (
            "mpe_measures",
            _("Exceptional measures started on or before the date"),
            _by(_count(query, MEASURES, where="x.start_date <= %s", params=[at])),
        ),
        (
            "mpe_open",
            _("Exceptional measures open at the date"),
            _by(_count(query, MEASURES, where=open_measure, params=[at, at])),
        ),
        ("mpj_open", _("Juvenile-penal entries without an exit at the date (population)"), _by(population)),
    ]
    result.summary = {key: sum(counts.values()) for key, _label, counts in stock}
    result.tables.append(_summary_table(query, "at_date", _("At the date"), stock))

    mpi = _count(
        query,
        MPI,
        where=f"x.fecha_intervencion {period}",
        params=[start, end],
        categories=["x.tipo_intervencion", "x.derecho_vulnerado", "x.origen_demanda"],
        age_at="x.fecha_intervencion",
    )
    started = _count(
        query,
        MEASURES,
        where=f"x.start_date {period}",
        params=[start, end],
        categories=["x.derecho_vulnerado"],
        age_at="x.start_date",
    )
    ended = _count(
        query,
        MEASURES,
        where=f"x.end_date {period}",
        params=[start, end],
        categories=["x.situacion_al_cese"],
        age_at="x.end_date",
    )
    entries = _count(
        query,
        STAYS,
        where=f"x.entry_date {period}",
        params=[start, end],
        categories=["x.tipo_medida_penal", "x.delito_imputado"],
        age_at="x.entry_date",
    )
    exits = _count(
        query,
        STAYS,
        where=f"x.exit_date {period}",
        params=[start, end],
        categories=["x.motivo_egreso"],
        age_at="x.exit_date",
    )
    flows = [
        (
            "legajos_created",
            _("Files (legajos) created"),
            _by(
                _count(
                    query,
                    LEGAJOS,
                    where=f"x.fecha_creacion {period}",
                    params=[start, end],
                    age_at="x.fecha_creacion",
                )
            ),
        ),
        (
            "legajos_active",
            _("Files with at least one intervention (any unit)"),
            _by(_legajos_with_activity(query)),
        ),
        ("mpi_interventions", _("MPI interventions"), _by(mpi)),
        (
            "mpe_interventions",
            _("MPE interventions"),
            _by(
                _count(
                    query,
                    MPE_ROWS,
                    where=f"x.fecha_intervencion {period}",
                    params=[start, end],
                    age_at="x.fecha_intervencion",
                )
            ),
        ),
        ("mpe_started", _("Exceptional measures started"), _by(started)),
        ("mpe_ended", _("Exceptional measures ended"), _by(ended)),
        ("mpj_entries", _("Juvenile-penal entries"), _by(entries)),
        ("mpj_exits", _("Juvenile-penal exits"), _by(exits)),
    ]
    result.summary.update({key: sum(counts.values()) for key, _label, counts in flows})
    result.tables.append(_summary_table(query, "in_period", _("In the period"), flows))

    tables = result.tables
    for index, field_name, title in (
        (0, "TIPO_INTERVENCION", _("MPI interventions in the period by type")),
        (1, "DERECHO_VULNERADO", _("MPI interventions in the period by right violated")),
        (2, "ORIGEN_DEMANDA", _("MPI interventions in the period by origin of the demand")),
    ):
        tables.append(
            _category_table(
                query, f"mpi_{field_name.lower()}", title, _by(mpi, index), spec.Unit.MPI, field_name
            )
        )
    placements = _count(
        query,
        PLACEMENTS,
        where=open_place,
        params=[at, at],
        categories=["x.ambito_cumplimiento", "x.tipo_dispositivo", "x.tipo_proyecto_restitucion"],
    )
    tables.append(
        _category_table(
            query,
            "mpe_open_ambito_cumplimiento",
            _("Exceptional measures open at the date by setting"),
            _by(placements, 0),
            spec.Unit.MPE,
            "AMBITO_CUMPLIMIENTO",
        )
    )
    tables.append(
        _category_table(
            query,
            "mpe_open_tipo_dispositivo",
            _("Exceptional measures open at the date by kind of facility"),
            _by(placements, 1),
            spec.Unit.MPE,
            "TIPO_DISPOSITIVO",
        )
    )
    tables.append(
        _category_table(
            query,
            "mpe_open_project",
            _("Exceptional measures open at the date by restitution project"),
            _by(placements, 2),
            choices=spec.RESTITUTION_PROJECTS,
        )
    )
    tables.append(
        _category_table(
            query,
            "mpe_started_right",
            _("Exceptional measures started in the period by right violated"),
            _by(started, 0),
            spec.Unit.MPE,
            "DERECHO_VULNERADO",
        )
    )
    tables.append(
        _category_table(
            query,
            "mpe_ended_situation",
            _("Exceptional measures ended in the period by situation at the end"),
            _by(ended, 0),
            spec.Unit.MPE,
            "SITUACION_AL_CESE",
        )
    )
    tables.append(_durations(query))
    tables.append(
        _category_table(
            query,
            "mpj_entries_tipo_medida_penal",
            _("Juvenile-penal entries in the period by kind of measure"),
            _by(entries, 0),
            spec.Unit.MPJ,
            "TIPO_MEDIDA_PENAL",
        )
    )
    tables.append(
        _category_table(
            query,
            "mpj_entries_delito_imputado",
            _("Juvenile-penal entries in the period by alleged offence"),
            _by(entries, 1),
            spec.Unit.MPJ,
            "DELITO_IMPUTADO",
        )
    )
    tables.append(
        _category_table(
            query,
            "mpj_exits_reason",
            _("Juvenile-penal exits in the period by reason"),
            _by(exits, 0),
            spec.Unit.MPJ,
            "MOTIVO_EGRESO",
        )
    )
    tables.append(
        _category_table(
            query,
            "mpj_population_facility",
            _("Juvenile-penal population at the date by facility"),
            _by(population, 0),
            spec.Unit.MPJ,
            "DISPOSITIVO",
        )
    )
    return result


def _legajos_with_activity(query: IndicatorQuery) -> Counter[tuple[str, ...]]:
    """Legajos with at least one MPI, MPE or MPJ row dated in the period (age at the period's end).

    Uncorrelated row-value IN subqueries: PostgreSQL hashes each once (a UNION join is slower).
    """
    start, end = query.period_start, query.period_end
    where = " OR ".join(
        f"(x.jurisdiction_id, x.id_legajo) IN (SELECT jurisdiction_id, id_legajo FROM {table} "  # noqa: S608
        f"WHERE is_latest = %s AND {column} BETWEEN %s AND %s)"
        for table, column in (
            (MPI.table, "fecha_intervencion"),
            (MPE_ROWS.table, "fecha_intervencion"),
            (MPJ.table, "fecha_movimiento"),
        )
    )
    return _count(query, LEGAJOS, where=where, params=[True, start, end] * 3, age_at=query.period_end)


def _as_date(value: Any) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


def _durations(query: IndicatorQuery) -> Table:
    """Mean and median length (days) of measures ended in the period and of those open at the date."""
    columns = _columns(query)
    at, start, end = query.at, query.period_start, query.period_end
    ended = _distribution(
        query, where="x.end_date BETWEEN %s AND %s", params=[start, end], age_at="x.end_date"
    )
    still_open = _distribution(
        query,
        where="x.start_date <= %s AND (x.end_date IS NULL OR x.end_date > %s)",
        params=[at, at],
        age_at=at,
        until=at,
    )
    rows = []
    for key, label, per_group, function in (
        ("ended_mean", _("Ended in the period: mean days"), ended, _mean),
        ("ended_median", _("Ended in the period: median days"), ended, _median),
        ("open_mean", _("Open at the date: mean days so far"), still_open, _mean),
        ("open_median", _("Open at the date: median days so far"), still_open, _median),
    ):
        values = {group: function(days) for group, days in per_group.items() if days}
        everything: Counter[int] = Counter()
        for days in per_group.values():
            everything.update(days)
        row = _row(key, str(label), values, columns)
        row.total = function(everything)
        rows.append(row)
    return Table(
        key="mpe_duration",
        title=_("Length of exceptional measures (days)"),
        columns=columns,
        rows=rows,
        is_days=True,
        chart=False,
    )


def _mean(days: Counter[int]) -> float:
    count = sum(days.values())
    return round(sum(day * times for day, times in days.items()) / count, 1) if count else 0


def _median(days: Counter[int]) -> float:
    """Median of a histogram {days: how many measures}."""
    count = sum(days.values())
    if not count:
        return 0
    values: list[int] = []
    seen = 0
    for day in sorted(days):
        for position in ((count - 1) // 2, count // 2):
            if seen <= position < seen + days[day] and len(values) < 2:
                values.append(day)
        seen += days[day]
    return round(statistics.fmean(values), 1)


def _distribution(
    query: IndicatorQuery,
    *,
    where: str,
    params: list[Any],
    age_at: datetime.date | str,
    until: datetime.date | None = None,
) -> dict[str, Counter[int]]:
    """Days of each measure by breakdown group (read as (start, end, count) groups, not row by row)."""
    jurisdiction_ids = [jurisdiction.pk for jurisdiction in query.jurisdictions]
    if not jurisdiction_ids:
        return {}
    group, group_params = _group_sql(query.breakdown, MEASURES, age_at)
    sql = (
        f"SELECT {group} AS grp, x.start_date, x.end_date, COUNT(*) FROM {MEASURES.table} x "  # noqa: S608
        f"WHERE x.jurisdiction_id IN ({', '.join(['%s'] * len(jurisdiction_ids))}) AND ({where}) "
        "GROUP BY 1, 2, 3"
    )
    days: dict[str, Counter[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*group_params, *jurisdiction_ids, *params])
        for grp, started, ended, count in cursor.fetchall():
            stop = _as_date(ended) if until is None else until
            days.setdefault(str(grp), Counter())[(stop - _as_date(started)).days] += int(count)
    return days
