"""Equivalence tables as files: reading and checking `{JUR}_TE.csv`, writing it back."""

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from amparo.exchange.runac import spec
from amparo.exchange.runac.errors import Issue, IssueCode, issue
from amparo.exchange.runac.reading import UTF8, Source, detect_encoding, encoding_label

# (unit, field) → {local id: national category}
Mapping_ = dict[tuple[str, str], dict[str, str]]


@dataclass(frozen=True)
class EquivalenceRow:
    unit: str
    field: str
    local_id: str
    local_description: str
    category: str
    line: int

    @property
    def key(self) -> tuple[str, str, str]:
        return self.unit, self.field, self.local_id


def jurisdiction_of(name: str) -> str | None:
    match = spec.EQUIVALENCE_FILE_NAME.match(name)
    return match.group("jurisdiction") if match else None


def read_equivalence_file(
    source: Source,
    *,
    categories: Mapping[tuple[str, str], set[str]],
    expected_jurisdiction: str | None = None,
) -> tuple[str | None, list[EquivalenceRow], list[Issue]]:
    """Check a `{JUR}_TE.csv` and return its jurisdiction code, its rows and every problem found."""
    name = source.name
    problems: list[Issue] = []
    code = jurisdiction_of(name)
    if code is None:
        problems.append(issue(IssueCode.TE_FILE_NAME, file=name, value=name))
    elif code not in spec.JURISDICTION_CODES:
        problems.append(issue(IssueCode.JURISDICTION_UNKNOWN, file=name, value=code))
        code = None
    elif expected_jurisdiction is not None and code != expected_jurisdiction:
        problems.append(
            issue(IssueCode.TE_JURISDICTION_MISMATCH, file=name, value=code, expected=expected_jurisdiction)
        )
    encoding = detect_encoding(source)
    if encoding != UTF8:
        problems.append(issue(IssueCode.ENCODING_FALLBACK, file=name, value=encoding_label(encoding)))
    with source.open() as stream:
        text = stream.read().decode(encoding)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header != spec.EQUIVALENCE_HEADER:
        problems.append(issue(IssueCode.TE_HEADER, file=name, line=1, value=",".join(header or [])))
        return code, [], problems
    rows: list[EquivalenceRow] = []
    seen: dict[tuple[str, str, str], int] = {}
    for line_number, fields in enumerate(reader, start=2):
        if not fields or fields == [""]:
            continue
        if len(fields) != len(spec.EQUIVALENCE_HEADER):
            problems.append(
                issue(IssueCode.TE_ROW_WIDTH, file=name, line=line_number, value=str(len(fields)))
            )
            continue
        unit, field, local_id, description, category = (value.strip() for value in fields)
        row_problems = _check_row(name, line_number, unit, field, local_id, category, categories)
        key = (unit, field, local_id)
        if not row_problems and key in seen:
            row_problems.append(
                issue(
                    IssueCode.TE_DUPLICATE,
                    file=name,
                    line=line_number,
                    column="id_local",
                    value=local_id,
                    unit=unit,
                    field=field,
                    expected=seen[key],
                )
            )
        problems.extend(row_problems)
        if not row_problems:
            seen[key] = line_number
            rows.append(EquivalenceRow(unit, field, local_id, description, category, line_number))
    return code, rows, problems


def _check_row(
    name: str,
    line: int,
    unit: str,
    field: str,
    local_id: str,
    category: str,
    categories: Mapping[tuple[str, str], set[str]],
) -> list[Issue]:
    if unit not in spec.Unit.__members__:
        return [issue(IssueCode.TE_UNIT, file=name, line=line, column="unidad", value=unit)]
    if field not in spec.equivalence_fields(spec.Unit(unit)):
        return [issue(IssueCode.TE_FIELD, file=name, line=line, column="campo", value=field, unit=unit)]
    problems = []
    if not local_id:
        problems.append(issue(IssueCode.REQUIRED, file=name, line=line, column="id_local"))
    elif len(local_id) > spec.MAX_ID_LENGTH:
        problems.append(
            issue(
                IssueCode.TOO_LONG,
                file=name,
                line=line,
                column="id_local",
                value=str(len(local_id)),
                expected=spec.MAX_ID_LENGTH,
            )
        )
    if category not in categories.get((unit, field), set()):
        problems.append(
            issue(
                IssueCode.TE_CATEGORY,
                file=name,
                line=line,
                column="categoria_nacional",
                value=category,
                unit=unit,
                field=field,
            )
        )
    return problems


def write_equivalence_csv(rows: Iterable[tuple[str, str, str, str, str]]) -> str:
    """`{JUR}_TE.csv` (UTF-8, comma, header) of rows (unit, field, local id, description, category)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(spec.EQUIVALENCE_HEADER)
    writer.writerows(rows)
    return buffer.getvalue()
