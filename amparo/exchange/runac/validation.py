"""Row checks of the four files, a chunk of lines at a time and column by column.

Checking a column of ten thousand values is mostly set arithmetic done in C (`set(col) -
allowed`); only the offending values are looked for line by line. The same pass
translates equivalence-table ids and turns dates into ISO strings for the loader.
Checks that need every row at once (unique ids, references to earlier deliveries) run
in SQL after loading: see `loading.py`.
"""

import datetime
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import repeat
from typing import Any

from amparo.exchange.runac import spec
from amparo.exchange.runac.errors import Issue, IssueCode, Severity, issue
from amparo.exchange.runac.reading import UTF8, strip_line_end

# ASCII digits only: Python's \d also takes other scripts' digits ("١٥"), which the database cannot store.
DATE_PATTERN = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$", re.ASCII)
INTEGER_PATTERN = re.compile(r"^\d{1,3}$", re.ASCII)
INVALID = object()
NULL = None
# NULL in COPY's text format: the checker's `null` when the rows go to PostgreSQL.
COPY_NULL = "\\N"
# Key of a block's columns saying some value holds a backslash (COPY's text format must escape it).
ESCAPE = "__escape__"
MAX_COLUMNS = max(len(columns) for columns in spec.COLUMNS.values())


class IssueCollector:
    """Every problem of a delivery, counted exactly, kept up to a cap (memory stays bounded)."""

    def __init__(self, *, max_errors: int = 50_000, max_warnings: int = 5_000) -> None:
        self.max_errors, self.max_warnings = max_errors, max_warnings
        self.errors: list[Issue] = []
        self.warnings: list[Issue] = []
        self.error_count = 0
        self.warning_count = 0
        self.by_code: Counter[str] = Counter()

    def add(self, item: Issue) -> None:
        self.by_code[item.code] += 1
        if item.severity == Severity.ERROR:
            self.error_count += 1
            if len(self.errors) < self.max_errors:
                self.errors.append(item)
        else:
            self.warning_count += 1
            if len(self.warnings) < self.max_warnings:
                self.warnings.append(item)

    def extend(self, items: list[Issue]) -> None:
        for item in items:
            self.add(item)

    @property
    def has_errors(self) -> bool:
        return self.error_count > 0

    @property
    def truncated(self) -> bool:
        return self.error_count > len(self.errors) or self.warning_count > len(self.warnings)

    def sorted_issues(self, file_units: Mapping[str, spec.Unit | None]) -> list[Issue]:
        """Errors and warnings in reading order: file, line, column (then the order they were found)."""
        file_rank = {name: rank for rank, name in enumerate(file_units)}

        def key(item: Issue) -> tuple[int, int, int]:
            unit = file_units.get(item.file)
            names = spec.header(unit) if unit else []
            column_rank = names.index(item.column) if item.column in names else MAX_COLUMNS
            return file_rank.get(item.file, -1), item.line or 0, column_rank

        return sorted([*self.errors, *self.warnings], key=key)


def parse_date(raw: str) -> str | None | object:
    """'dd/mm/yyyy' → 'yyyy-mm-dd'; '' → None; anything else → INVALID."""
    if raw == "":
        return NULL
    match = DATE_PATTERN.match(raw)
    if match is None:
        return INVALID
    day, month, year = (int(part) for part in match.groups())
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return INVALID


def is_integer(value: str) -> bool:
    return INTEGER_PATTERN.match(value) is not None


def estimated_birth_date(created: str | None, age: str | None, null: str | None = None) -> str | None:
    """The middle of the year of birth implied by EDAD_AL_INGRESO at FECHA_CREACION (`null` when unknown)."""
    if created is null or age is null or created is None or age is None:
        return null
    day = datetime.date.fromisoformat(created)
    try:
        anniversary = day.replace(year=day.year - int(age))
    except ValueError:
        anniversary = day.replace(year=day.year - int(age), day=28)
    return (anniversary - datetime.timedelta(days=182)).isoformat()


class FileChecker:
    """Checks one file of a unit and turns its rows into typed columns for the loader."""

    def __init__(
        self,
        *,
        unit: spec.Unit,
        file_name: str,
        file_number: int,
        jurisdiction_code: str,
        equivalences: Mapping[tuple[str, str], Mapping[str, str]] | None,
        cut_off: datetime.date,
        collector: IssueCollector,
        date_cache: dict[str, Any],
        null: str | None = None,
        encoding: str = UTF8,
    ) -> None:
        self.unit = unit
        self.file_name = file_name
        self.file_number = file_number
        self.jurisdiction_code = jurisdiction_code
        self.columns = spec.COLUMNS[unit]
        self.width = len(self.columns)
        self.equivalences = equivalences
        self.cut_off_iso = cut_off.isoformat()
        self.cut_off_display = f"{cut_off:%d/%m/%Y}"
        self.collector = collector
        self.date_cache = date_cache
        self.null = null
        self.rows = 0
        # Blocks given as bytes are rows after the header: a BOM there is data, not a mark.
        self.encoding = "utf-8" if encoding == UTF8 else encoding
        self.fast: Any = None
        if null == COPY_NULL and self.encoding == "utf-8":
            from amparo.exchange.runac.arrow_check import ArrowBlockChecker  # noqa: PLC0415 - pyarrow on demand

            self.fast = ArrowBlockChecker(self)

    def _issue(
        self, code: IssueCode, line: int | None, column: str = "", value: str = "", **params: Any
    ) -> None:
        self.collector.add(
            issue(
                code,
                file=self.file_name,
                line=line,
                column=column,
                value=value,
                unit=self.unit.value,
                **params,
            )
        )

    def check_header(self, line: str) -> bool:
        """Report what is wrong with the header; True when rows can still be read column by column."""
        found = strip_line_end(line).split("\t")
        expected = spec.header(self.unit)
        if found == expected:
            return True
        if sorted(found) != sorted(expected):
            for name in expected:
                if name not in found:
                    self._issue(IssueCode.HEADER_MISSING_COLUMN, 1, column=name)
            for name in found:
                if name not in expected:
                    self._issue(IssueCode.HEADER_UNEXPECTED_COLUMN, 1, value=name)
        else:
            for position, (name, wanted) in enumerate(zip(found, expected, strict=True), start=1):
                if name != wanted:
                    self._issue(
                        IssueCode.HEADER_ORDER,
                        1,
                        column=wanted,
                        value=name,
                        position=position,
                        expected=wanted,
                    )
        if len(found) != self.width:
            self._issue(IssueCode.ROWS_NOT_CHECKED, 1, expected=self.width)
            return False
        return True

    def check_block(self, block: str | bytes, first_line: int) -> tuple[dict[str, Any] | None, int]:
        """Check a block of whole lines (joined by LF, numbered from `first_line`).

        Returns the loader's columns of the usable rows (None when there are none) and the
        number of lines read. A block of bytes (in the file's encoding) that Arrow finds
        clean is not read here: its columns come back as Arrow arrays (see `arrow_check`).
        """
        if isinstance(block, bytes):
            if self.fast is not None:
                clean = self.fast.columns_of(block, first_line)
                if clean is not None:
                    self.rows += len(clean["line"])
                    return clean, len(clean["line"])
            block = block.decode(self.encoding)
        text = block
        if "\r\n" in text:
            text = text.replace("\r\n", "\n")
        lines = text.split("\n")
        count = len(lines)
        width = self.width
        numbers: Sequence[int]
        if list(map(str.count, lines, repeat("\t"))).count(width - 1) == count:
            # Every line has the right width: split the whole block at once and slice the columns.
            fields = text.replace("\n", "\t").split("\t")
            raw_columns = [fields[index::width] for index in range(width)]
            numbers = range(first_line, first_line + count)
        else:
            raw_columns, numbers = self._split_slowly(lines, first_line)
            if not numbers:
                return None, count
        self.rows += len(numbers)
        if "\x00" in text or "\r" in text:
            self._check_control_characters(raw_columns, numbers)
        out: dict[str, list[Any]] = {
            "file_number": [str(self.file_number)] * len(numbers),
            "line": list(map(str, numbers)),
        }
        if "\\" in text:
            out[ESCAPE] = []
        for column, values in zip(self.columns, raw_columns, strict=True):
            self._check_column(column, values, numbers, out)
        self._check_row_rules(raw_columns, out, numbers)
        if self.unit == spec.Unit.LEGAJOS:
            null = self.null
            out["birth_date"] = [
                birth if birth is not null else estimated_birth_date(created, age, null)
                for birth, created, age in zip(
                    out["fecha_nacimiento"], out["fecha_creacion"], out["edad_al_ingreso"], strict=True
                )
            ]
        return out, count

    def _split_slowly(self, lines: list[str], first_line: int) -> tuple[list[list[str]], list[int]]:
        """Line by line, for chunks with blank lines or rows of the wrong width (reported, left out)."""
        rows: list[list[str]] = []
        numbers: list[int] = []
        width = self.width
        for offset, raw in enumerate(lines):
            fields = raw.split("\t")
            if len(fields) == width:
                rows.append(fields)
                numbers.append(first_line + offset)
            elif len(fields) == 1 and fields[0] == "":
                self._issue(IssueCode.BLANK_LINE, first_line + offset)
            else:
                self._issue(IssueCode.ROW_WIDTH, first_line + offset, value=str(len(fields)), expected=width)
        return [list(values) for values in zip(*rows, strict=True)], numbers

    def _check_control_characters(self, raw_columns: list[list[str]], numbers: Sequence[int]) -> None:
        for column, values in zip(self.columns, raw_columns, strict=True):
            for index, value in enumerate(values):
                if "\x00" in value or "\r" in value:
                    self._issue(
                        IssueCode.CONTROL_CHARACTER,
                        numbers[index],
                        column=column.name,
                        value=value.replace("\x00", "\\0").replace("\r", "\\r"),
                    )
                    values[index] = value.replace("\x00", "").replace("\r", "")

    def _report(
        self,
        code: IssueCode,
        column: spec.Column,
        values: list[str],
        numbers: Sequence[int],
        bad: set[str],
        **params: Any,
    ) -> None:
        for index, value in enumerate(values):
            if value in bad:
                self._issue(code, numbers[index], column=column.name, value=value, **params)

    def _check_column(
        self, column: spec.Column, values: list[str], numbers: Sequence[int], out: dict[str, list[Any]]
    ) -> None:
        distinct = set(values)
        if column.required and "" in distinct:
            self._report(IssueCode.REQUIRED, column, values, numbers, {""})
        kind = column.kind
        if kind == spec.Kind.DATE:
            out[column.attribute] = self._dates(column, values, numbers, distinct)
        elif kind == spec.Kind.INTEGER:
            bad = {value for value in distinct if value and not is_integer(value)}
            if bad:
                self._report(IssueCode.INTEGER_FORMAT, column, values, numbers, bad)
            lookup = {value: value if value and value not in bad else self.null for value in distinct}
            out[column.attribute] = list(map(lookup.__getitem__, values))
        elif kind == spec.Kind.PREDEFINED:
            bad = distinct.difference(column.choices, ("",))
            if bad:
                self._report(
                    IssueCode.PREDEFINED_VALUE,
                    column,
                    values,
                    numbers,
                    bad,
                    expected=", ".join(column.choices),
                )
            out[column.attribute] = values
        elif kind == spec.Kind.EQUIVALENCE:
            out[column.local_attribute] = values
            out[column.attribute] = self._translate(column, values, numbers, distinct)
        else:
            limit = spec.MAX_ID_LENGTH if column.is_identifier else spec.MAX_TEXT_LENGTH
            if max(map(len, distinct)) > limit:
                for index, value in enumerate(values):
                    if len(value) > limit:
                        self._issue(
                            IssueCode.TOO_LONG,
                            numbers[index],
                            column=column.name,
                            value=str(len(value)),
                            expected=limit,
                        )
                        values[index] = value[:limit]
            out[column.attribute] = values

    def parsed_dates(self, distinct: list[str]) -> list[str | None] | None:
        """ISO dates (None for '') of distinct values; None when one is invalid or after the cut-off."""
        cache = self.date_cache
        for value in [value for value in distinct if value not in cache]:
            cache[value] = parse_date(value)
        dates = list(map(cache.__getitem__, distinct))
        if INVALID in dates or max(filter(None, dates), default="") > self.cut_off_iso:  # type: ignore[type-var]
            return None
        return dates

    def equivalence_table(self, column: spec.Column) -> Mapping[str, str] | None:
        """Local id → national category for a TE column; None when the jurisdiction is unknown."""
        if self.equivalences is None:
            return None
        return self.equivalences.get((self.unit.value, column.name), {})

    def _dates(
        self, column: spec.Column, values: list[str], numbers: Sequence[int], distinct: set[str]
    ) -> list[Any]:
        cache = self.date_cache
        for value in distinct.difference(cache):
            cache[value] = parse_date(value)
        bad = {value for value in distinct if cache[value] is INVALID}
        if bad:
            self._report(IssueCode.DATE_FORMAT, column, values, numbers, bad)
        late = {value for value in distinct if value not in bad and value and cache[value] > self.cut_off_iso}
        if late:
            self._report(
                IssueCode.DATE_AFTER_CUT_OFF, column, values, numbers, late, expected=self.cut_off_display
            )
        null = self.null
        lookup = {value: null if value in bad or cache[value] is None else cache[value] for value in distinct}
        return list(map(lookup.__getitem__, values))

    def _translate(
        self, column: spec.Column, values: list[str], numbers: Sequence[int], distinct: set[str]
    ) -> list[str]:
        table = self.equivalence_table(column)
        if table is None:  # jurisdiction unknown: nothing to translate against
            return [""] * len(values)
        unknown = {value for value in distinct if value and value not in table}
        if unknown:
            self._report(
                IssueCode.EQUIVALENCE_MISSING,
                column,
                values,
                numbers,
                unknown,
                expected=self.jurisdiction_code,
            )
            return [table.get(value, "") for value in values]
        if "" in distinct:
            table = {**table, "": ""}
        return list(map(table.__getitem__, values))

    def _check_row_rules(
        self, raw: list[list[str]], out: dict[str, list[Any]], numbers: Sequence[int]
    ) -> None:
        """MPE closing-only columns; MPJ entry/exit columns and the exit's entry id."""
        if self.unit == spec.Unit.MPE:
            kinds = out["tipo_intervencion"]
            locals_ = out["tipo_intervencion_local"]
            for name in spec.MPE_CLOSING_ONLY:
                values = raw[spec.header(self.unit).index(name)]
                for index, value in enumerate(values):
                    if (
                        value
                        and kinds[index] != spec.MEASURE_END
                        and not (locals_[index] and not kinds[index])
                    ):
                        self._issue(
                            IssueCode.CLOSING_ONLY,
                            numbers[index],
                            column=name,
                            value=value,
                            expected=kinds[index] or "sin tipo",
                        )
        elif self.unit == spec.Unit.MPJ:
            movements = raw[2]
            names = spec.header(self.unit)
            for name, forbidden_on in ((field, spec.ENTRY) for field in spec.MPJ_EXIT_ONLY):
                self._empty_on(raw[names.index(name)], movements, forbidden_on, name, numbers)
            for name in spec.MPJ_ENTRY_ONLY:
                self._empty_on(raw[names.index(name)], movements, spec.EXIT, name, numbers)
            associated = raw[names.index("ID_INGRESO_ASOCIADO")]
            for index, movement in enumerate(movements):
                if movement == spec.EXIT and not associated[index]:
                    self._issue(IssueCode.EXIT_ENTRY_REQUIRED, numbers[index], column="ID_INGRESO_ASOCIADO")

    def _empty_on(
        self, values: list[str], movements: list[str], movement: str, name: str, numbers: Sequence[int]
    ) -> None:
        for index, value in enumerate(values):
            if value and movements[index] == movement:
                self._issue(
                    IssueCode.MOVEMENT_FIELD_NOT_EMPTY,
                    numbers[index],
                    column=name,
                    value=value,
                    expected=movement,
                )
