"""RUNac province side: the shapes the delivery builder reads and produces.

`LegajoInput` / `InterventionInput` are what the services read of the cases (already
access-checked); `DeliveryBuild` is the result (rows per file, selections, problems);
`BuildContext` collects the problems while building.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from amparo.exchange.runac import spec

Unit = spec.Unit

# Intervention form identifier → RUNac unit.
UNIT_FORMS: dict[str, Unit] = {"runac_mpi": Unit.MPI, "runac_mpe": Unit.MPE, "runac_mpj": Unit.MPJ}
# The starter configuration's legajo form (a case form of the RUNac type): the child's LEGAJOS columns.
LEGAJO_FORM = "runac_legajo"
# LEGAJOS columns taken from the case's form records by name (the others come from the person).
LEGAJO_FORM_COLUMNS = (
    "PUEBLO_ORIGINARIO",
    "NIVEL_EDUCATIVO",
    "DISCAPACIDAD",
    "CUD",
    "ESCOLARIZADO",
    "DOCUMENTADO",
)


class Rule(StrEnum):
    A = "A"  # created in the period
    B = "B"  # older, with an intervention in the period
    C = "C"  # older, no intervention in the period, MPE or MPJ still open


class Severity(StrEnum):
    ERROR = "error"  # the national node will reject the delivery
    WARNING = "warning"  # sent, but doubtful or incomplete


class ProblemCode(StrEnum):
    EQUIVALENCE_MISSING = "equivalence_missing"
    REQUIRED = "required"
    DUPLICATE_ID = "duplicate_id"
    EXIT_WITHOUT_ENTRY = "exit_without_entry"
    EXIT_ENTRY_REQUIRED = "exit_entry_required"
    INVALID_VALUE = "invalid_value"
    INVALID_DATE = "invalid_date"
    MEASURE_CLOSE_WITHOUT_START = "measure_close_without_start"
    MEASURE_START_WHILE_OPEN = "measure_start_while_open"
    CLOSING_ONLY = "closing_only"
    PERSONAL_DATA_REMOVED = "personal_data_removed"
    FIELD_HIDDEN = "field_hidden"
    NO_BIRTH_DATE = "no_birth_date"
    NO_GENDER = "no_gender"
    LEGAJO_FORM_MISSING = "legajo_form_missing"
    LEGAJO_MERGED = "legajo_merged"
    PERIOD_UNUSUAL = "period_unusual"
    NO_TABLE = "no_table"


@dataclass(frozen=True)
class Problem:
    severity: Severity
    code: ProblemCode
    message: str
    unit: str = ""
    legajo: str = ""  # the pseudonymous ID_LEGAJO, never a personal identifier
    case_id: int | None = None  # for the province's own page (links to the case); never in the files
    intervention: str = ""
    column: str = ""
    value: str = ""


@dataclass(frozen=True)
class InterventionInput:
    pk: int
    unit: Unit
    occurred_on: datetime.date
    data: Mapping[str, Any]
    # Field name → sensitivity level, from the form version the answers were validated against.
    sensitivity: Mapping[str, int] = field(default_factory=dict)
    case_id: int | None = None  # the case it was recorded in (links on the province's page)


@dataclass(frozen=True)
class LegajoInput:
    """What the builder needs of a legajo: the child's file, i.e. all the RUNac cases of one person.

    `case_id` / `case_number` are its first case (links on the province's page); `cases` lists
    every case (id, number); `opened_on` is the first case's opening date (FECHA_CREACION); the
    interventions are those of every case; `person_id` keys the pseudonymous ID_LEGAJO.
    """

    case_id: int
    case_number: str
    opened_on: datetime.date
    person_id: int
    cases: tuple[tuple[int, str], ...] = ()
    gender_identity: str = ""
    sex: str = ""
    date_of_birth: datetime.date | None = None
    date_of_birth_is_estimated: bool = False
    nationality: str = ""
    department: str = ""
    locality: str = ""
    has_documents: bool = False
    form_answers: Mapping[str, Any] = field(default_factory=dict)
    # Whether any of its cases has a record of the legajo form (LEGAJO_FORM), even a partly empty one.
    has_legajo_form: bool = False
    # Persons merged into this child whose cases moved here (person id, merge date): their own
    # ID_LEGAJO, if an earlier delivery sent it, now names the same child as this one.
    absorbed: tuple[tuple[int, datetime.date], ...] = ()
    # Folded names and document numbers of the child: never sent, even inside free text.
    personal_tokens: frozenset[str] = frozenset()
    clearance: int = 99
    interventions: tuple[InterventionInput, ...] = ()


@dataclass(frozen=True)
class Selection:
    case_id: int  # the legajo's first case
    case_number: str
    legajo: str
    rule: Rule
    interventions: int
    cases: tuple[tuple[int, str], ...] = ()  # every case of the legajo (id, number)

    @property
    def case_ids(self) -> list[int]:
        return [case_id for case_id, _number in self.cases] or [self.case_id]


@dataclass
class DeliveryBuild:
    jurisdiction: str
    period_from: datetime.date
    period_to: datetime.date
    table_version: int | None
    equivalence_rows: list[tuple[str, str, str, str, str]]
    rows: dict[Unit, list[list[str]]] = field(default_factory=lambda: {unit: [] for unit in Unit})
    selections: list[Selection] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def cut_off_text(self) -> str:
        return self.period_to.strftime("%d%m%Y")

    def file_name(self, unit: Unit) -> str:
        return f"{self.jurisdiction}_{unit.value}_{self.cut_off_text}_RUNac.txt"

    @property
    def equivalence_file_name(self) -> str:
        return f"{self.jurisdiction}_TE.csv"

    @property
    def counts(self) -> dict[str, int]:
        return {unit.value: len(self.rows[unit]) for unit in Unit}

    @property
    def rule_counts(self) -> dict[str, int]:
        return {rule.value: sum(1 for item in self.selections if item.rule == rule) for rule in Rule}

    @property
    def errors(self) -> list[Problem]:
        return [item for item in self.problems if item.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [item for item in self.problems if item.severity == Severity.WARNING]

    @property
    def file_names(self) -> list[str]:
        return [self.file_name(unit) for unit in Unit]


@dataclass
class BuildContext:
    build: DeliveryBuild
    mapping: Mapping[tuple[str, str], Mapping[str, str]]
    hidden: set[tuple[str, str]] = field(default_factory=set)
    missing: set[tuple[str, str, str]] = field(default_factory=set)
    key: bytes = b""  # of the pseudonymous ID_LEGAJO

    def add(self, severity: Severity, code: ProblemCode, message: str, **where: Any) -> None:
        self.build.problems.append(Problem(severity, code, message, **where))

    def category(self, unit: Unit, column: str, local_id: str) -> str | None:
        return self.mapping.get((unit.value, column), {}).get(local_id)
