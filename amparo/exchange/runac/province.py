"""RUNac province side: the four delivery files built from the province's own cases.

A legajo is a case whose type records RUNac interventions (intervention types whose form is
`runac_mpi`, `runac_mpe` or `runac_mpj`, as in the starter configuration). Columns come from
the answers by name: the column in lower case (`derecho_vulnerado` → DERECHO_VULNERADO); the
legajo's columns from the person (gender, birth date, nationality, current department and
locality) and from the case's form records by the same naming rule. Nothing here reads the
database: `build_delivery` works on already loaded, already access-checked objects.

Selection (Anexo II): (A) legajos created in the period with at least one intervention;
(B) older legajos with an intervention in the period; (C) older legajos with none in the
period but an exceptional measure or a penal stay still open at the cut-off. Each sends its
interventions of the period plus its principal interventions — the PER_INICIAL of every
exceptional measure and the INGRESO of every penal stay that overlap the period — even when
they are dated before it, so the national node computes the same measures.
"""

import datetime
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from amparo.exchange.runac import spec

Unit = spec.Unit

# Intervention form identifier → RUNac unit.
UNIT_FORMS: dict[str, Unit] = {"runac_mpi": Unit.MPI, "runac_mpe": Unit.MPE, "runac_mpj": Unit.MPJ}
# LEGAJOS columns taken from the case's form records by name (the others come from the person).
LEGAJO_FORM_COLUMNS = (
    "PUEBLO_ORIGINARIO",
    "NIVEL_EDUCATIVO",
    "DISCAPACIDAD",
    "CUD",
    "ESCOLARIZADO",
    "DOCUMENTADO",
)
GENDER_BY_IDENTITY = {
    "woman": "MUJER",
    "man": "VARON",
    "trans_woman": "MUJER_TRANS",
    "trans_man": "VARON_TRANS",
    "non_binary": "NO_BINARIO",
    "other": "OTRO",
    "not_stated": "SIN_DATO",
}
GENDER_BY_SEX = {"female": "MUJER", "male": "VARON", "intersex": "OTRO", "unknown": "SIN_DATO"}


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


@dataclass(frozen=True)
class LegajoInput:
    """What the builder needs of a case: its dates, the person's attributes, its answers."""

    case_id: int
    case_number: str
    opened_on: datetime.date
    gender_identity: str = ""
    sex: str = ""
    date_of_birth: datetime.date | None = None
    date_of_birth_is_estimated: bool = False
    nationality: str = ""
    department: str = ""
    locality: str = ""
    has_documents: bool = False
    form_answers: Mapping[str, Any] = field(default_factory=dict)
    # Folded names and document numbers of the child: never sent, even inside free text.
    personal_tokens: frozenset[str] = frozenset()
    clearance: int = 99
    interventions: tuple[InterventionInput, ...] = ()


@dataclass(frozen=True)
class Selection:
    case_id: int
    case_number: str
    legajo: str
    rule: Rule
    interventions: int


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


# --- Pseudonyms ------------------------------------------------------------------------------------


def pseudonym_key() -> bytes:
    """The deployment's key for ID_LEGAJO: RUNAC_PSEUDONYM_KEY, else one derived from SECRET_KEY.

    Keep it fixed for the life of the deployment: a new key gives every legajo a new id.
    """
    configured = getattr(settings, "RUNAC_PSEUDONYM_KEY", "")
    if configured:
        return configured.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"amparo.runac.pseudonym", hashlib.sha256).digest()


def legajo_pseudonym(case_id: int, *, key: bytes) -> str:
    """A stable ID_LEGAJO: keyed HMAC-SHA256 of the case id (80 bits, hex); not reversible without the key."""
    digest = hmac.new(key, f"case:{case_id}".encode(), hashlib.sha256).hexdigest()
    return f"L{digest[:20].upper()}"


# --- Values ---------------------------------------------------------------------------------------


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def personal_tokens(names: Iterable[str], documents: Iterable[str]) -> frozenset[str]:
    """Name words (3+ letters) and document numbers (digits only) to keep out of free text."""
    tokens = {word for name in names for word in re.findall(r"\w+", fold(name)) if len(word) >= 3}
    tokens |= {re.sub(r"\D", "", number) for number in documents if len(re.sub(r"\D", "", number)) >= 5}
    return frozenset(tokens)


def _mentions(text: str, tokens: frozenset[str]) -> bool:
    if not tokens:
        return False
    folded = fold(text)
    words = set(re.findall(r"\w+", folded))
    digits = set(re.findall(r"\d{5,}", re.sub(r"[.\-\s]", "", folded)))
    return bool(tokens & words) or bool(tokens & digits)


def _clean_text(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, bool):
        return "SI" if value else "NO"
    text = re.sub(r"[\t\r\n\x00-\x1f\x7f]+", " ", str(value)).strip()
    return text[: spec.MAX_TEXT_LENGTH]


def _display_date(value: Any) -> str | None:
    """dd/mm/yyyy of an ISO date answer; None when it is not a date."""
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    try:
        return datetime.date.fromisoformat(str(value)[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return None


def _age(born: datetime.date, on: datetime.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _end_date(value: Any, fallback: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return fallback


# --- Building -------------------------------------------------------------------------------------


@dataclass
class _Context:
    build: DeliveryBuild
    mapping: Mapping[tuple[str, str], Mapping[str, str]]
    hidden: set[tuple[str, str]] = field(default_factory=set)
    missing: set[tuple[str, str, str]] = field(default_factory=set)

    def add(self, severity: Severity, code: ProblemCode, message: str, **where: Any) -> None:
        self.build.problems.append(Problem(severity, code, message, **where))

    def category(self, unit: Unit, column: str, local_id: str) -> str | None:
        return self.mapping.get((unit.value, column), {}).get(local_id)


def intervention_id(intervention: InterventionInput) -> str:
    """ID_INTERVENCION: the id recorded in the form, else a stable one from Amparo's row id."""
    recorded = _clean_text(intervention.data.get("id_intervencion"))
    return recorded[: spec.MAX_ID_LENGTH] if recorded else f"AMP-{intervention.pk}"


@dataclass
class _Measure:
    start: InterventionInput
    end: datetime.date | None = None


def _mpe_measures(context: _Context, legajo: LegajoInput, pseudonym: str) -> list[_Measure]:
    measures: list[_Measure] = []
    current: _Measure | None = None
    for item in legajo.interventions:
        if item.unit != Unit.MPE:
            continue
        kind = context.category(
            Unit.MPE, "TIPO_INTERVENCION", _clean_text(item.data.get("tipo_intervencion"))
        )
        if kind == spec.MEASURE_START:
            if current is None:
                current = _Measure(item)
                measures.append(current)
            else:
                context.add(
                    Severity.WARNING,
                    ProblemCode.MEASURE_START_WHILE_OPEN,
                    _("A PER_INICIAL while an exceptional measure is open: it continues that measure."),
                    unit=Unit.MPE,
                    legajo=pseudonym,
                    case_id=legajo.case_id,
                    intervention=intervention_id(item),
                )
        elif kind == spec.MEASURE_END:
            if current is None:
                context.add(
                    Severity.WARNING,
                    ProblemCode.MEASURE_CLOSE_WITHOUT_START,
                    _("A CESE_MPE with no exceptional measure open (its PER_INICIAL is missing)."),
                    unit=Unit.MPE,
                    legajo=pseudonym,
                    case_id=legajo.case_id,
                    intervention=intervention_id(item),
                )
            else:
                current.end = _end_date(item.data.get("fecha_cese"), item.occurred_on)
                current = None
    return measures


def _penal_stays(legajo: LegajoInput) -> list[_Measure]:
    stays: dict[str, _Measure] = {}
    for item in legajo.interventions:
        if item.unit != Unit.MPJ:
            continue
        movement = _clean_text(item.data.get("tipo_movimiento")).upper()
        if movement == spec.ENTRY:
            stays.setdefault(intervention_id(item), _Measure(item))
        elif movement == spec.EXIT:
            stay = stays.get(_clean_text(item.data.get("id_ingreso_asociado")))
            if stay is not None and stay.end is None:
                stay.end = item.occurred_on
    return list(stays.values())


def _overlaps(measure: _Measure, start: datetime.date, end: datetime.date) -> bool:
    return measure.start.occurred_on <= end and (measure.end is None or measure.end >= start)


def build_delivery(
    *,
    jurisdiction: str,
    period_from: datetime.date,
    period_to: datetime.date,
    legajos: Iterable[LegajoInput],
    mapping: Mapping[tuple[str, str], Mapping[str, str]],
    table_version: int | None,
    equivalence_rows: list[tuple[str, str, str, str, str]],
    key: bytes,
) -> DeliveryBuild:
    """Select the legajos and interventions of the period (rules A, B, C) and build the rows."""
    build = DeliveryBuild(jurisdiction, period_from, period_to, table_version, equivalence_rows)
    context = _Context(build, mapping)
    if table_version is None:
        context.add(
            Severity.ERROR,
            ProblemCode.NO_TABLE,
            _("The jurisdiction has no equivalence table yet: no local category can be translated."),
        )
    if (period_to.day, period_to.month) not in (*spec.CUT_OFF_DAYS, (31, 12)):
        context.add(
            Severity.WARNING,
            ProblemCode.PERIOD_UNUSUAL,
            _("The period ends on %(day)s, which is not a semester cut-off (30/06 or 27/12).")
            % {"day": period_to.strftime("%d/%m/%Y")},
        )
    seen_ids: dict[Unit, set[str]] = {unit: set() for unit in Unit}
    for legajo in sorted(legajos, key=lambda item: (item.opened_on, item.case_id)):
        if legajo.opened_on > period_to:
            continue
        legajo = _with_interventions(
            legajo, tuple(item for item in legajo.interventions if item.occurred_on <= period_to)
        )
        dated = legajo.interventions
        pseudonym = legajo_pseudonym(legajo.case_id, key=key)
        in_period = [item for item in dated if item.occurred_on >= period_from]
        problems_before = len(build.problems)
        measures = _mpe_measures(context, legajo, pseudonym)
        stays = _penal_stays(legajo)
        if legajo.opened_on >= period_from:
            rule = Rule.A if dated else None
        elif in_period:
            rule = Rule.B
        elif any(item.end is None for item in (*measures, *stays)):
            rule = Rule.C
        else:
            rule = None
        if rule is None:
            del build.problems[problems_before:]  # not sent: its doubts are not this delivery's
            continue
        principal = {item.start.pk for item in (*measures, *stays) if _overlaps(item, period_from, period_to)}
        chosen = [item for item in dated if item.occurred_on >= period_from or item.pk in principal]
        build.rows[Unit.LEGAJOS].append(_legajo_row(context, legajo, pseudonym))
        for item in chosen:
            row = _intervention_row(context, legajo, pseudonym, item)
            identifier = row[1]
            if identifier in seen_ids[item.unit]:
                context.add(
                    Severity.ERROR,
                    ProblemCode.DUPLICATE_ID,
                    _("ID_INTERVENCION '%(id)s' is used by more than one %(unit)s intervention.")
                    % {"id": identifier, "unit": item.unit.value},
                    unit=item.unit,
                    legajo=pseudonym,
                    case_id=legajo.case_id,
                    intervention=identifier,
                    column="ID_INTERVENCION",
                    value=identifier,
                )
            seen_ids[item.unit].add(identifier)
            build.rows[item.unit].append(row)
        _check_exits(context, legajo, pseudonym, chosen)
        build.selections.append(Selection(legajo.case_id, legajo.case_number, pseudonym, rule, len(chosen)))
    for unit, column in sorted(context.hidden):
        context.add(
            Severity.WARNING,
            ProblemCode.FIELD_HIDDEN,
            _("%(unit)s.%(column)s is above your clearance for sensitive data: it was left empty.")
            % {"unit": unit, "column": column},
            unit=unit,
            column=column,
        )
    return build


def _with_interventions(legajo: LegajoInput, interventions: tuple[InterventionInput, ...]) -> LegajoInput:
    ordered = tuple(sorted(interventions, key=lambda item: (item.occurred_on, item.pk)))
    return LegajoInput(**{**legajo.__dict__, "interventions": ordered})


def _legajo_row(context: _Context, legajo: LegajoInput, pseudonym: str) -> list[str]:
    values: dict[str, str] = {
        "ID_LEGAJO": pseudonym,
        "FECHA_CREACION": legajo.opened_on.strftime("%d/%m/%Y"),
        "GENERO": GENDER_BY_IDENTITY.get(legajo.gender_identity) or GENDER_BY_SEX.get(legajo.sex, "SIN_DATO"),
        "NACIONALIDAD": legajo.nationality,
        "DEPARTAMENTO_RESIDENCIA": _clean_text(legajo.department),
        "LOCALIDAD_RESIDENCIA": _clean_text(legajo.locality),
    }
    where = {"unit": Unit.LEGAJOS, "legajo": pseudonym, "case_id": legajo.case_id}
    if values["GENERO"] == "SIN_DATO":
        context.add(
            Severity.WARNING, ProblemCode.NO_GENDER, _("The child's gender is not recorded."), **where
        )
    if legajo.date_of_birth and not legajo.date_of_birth_is_estimated:
        values["FECHA_NACIMIENTO"] = legajo.date_of_birth.strftime("%d/%m/%Y")
    elif legajo.date_of_birth:
        values["EDAD_AL_INGRESO"] = str(max(0, _age(legajo.date_of_birth, legajo.opened_on)))
    else:
        context.add(
            Severity.WARNING, ProblemCode.NO_BIRTH_DATE, _("Neither birth date nor age is recorded."), **where
        )
    for column in LEGAJO_FORM_COLUMNS:
        values[column] = _clean_text(legajo.form_answers.get(column.lower()))
    if not values["DOCUMENTADO"] and legajo.has_documents:
        values["DOCUMENTADO"] = "SI"
    return _row(context, Unit.LEGAJOS, values, legajo, pseudonym, "")


def _intervention_row(
    context: _Context, legajo: LegajoInput, pseudonym: str, item: InterventionInput
) -> list[str]:
    identifier = intervention_id(item)
    values: dict[str, str] = {"ID_LEGAJO": pseudonym, "ID_INTERVENCION": identifier}
    for column in spec.COLUMNS[item.unit][2:]:
        name = column.name.lower()
        if column.name in ("FECHA_INTERVENCION", "FECHA_MOVIMIENTO"):
            values[column.name] = item.occurred_on.strftime("%d/%m/%Y")
            continue
        raw = item.data.get(name)
        if raw in (None, "", []):
            continue
        if item.sensitivity.get(name, 0) > legajo.clearance:
            context.hidden.add((item.unit.value, column.name))
            continue
        if column.kind == spec.Kind.DATE:
            shown = _display_date(raw)
            if shown is None:
                context.add(
                    Severity.WARNING,
                    ProblemCode.INVALID_DATE,
                    _("Not a date: left empty."),
                    unit=item.unit,
                    legajo=pseudonym,
                    case_id=legajo.case_id,
                    intervention=identifier,
                    column=column.name,
                    value=_clean_text(raw),
                )
                continue
            values[column.name] = shown
        else:
            values[column.name] = _clean_text(raw)
    if item.unit == Unit.MPE:
        kind = context.category(Unit.MPE, "TIPO_INTERVENCION", values.get("TIPO_INTERVENCION", ""))
        for name in spec.MPE_CLOSING_ONLY:
            if values.get(name) and kind is not None and kind != spec.MEASURE_END:
                context.add(
                    Severity.WARNING,
                    ProblemCode.CLOSING_ONLY,
                    _("%(column)s is sent only on a CESE_MPE intervention: left empty.") % {"column": name},
                    unit=item.unit,
                    legajo=pseudonym,
                    case_id=legajo.case_id,
                    intervention=identifier,
                    column=name,
                )
                values[name] = ""
    if item.unit == Unit.MPJ:
        movement = values.get("TIPO_MOVIMIENTO", "").upper()
        values["TIPO_MOVIMIENTO"] = movement
        others = spec.MPJ_EXIT_ONLY if movement == spec.ENTRY else spec.MPJ_ENTRY_ONLY
        for name in others if movement in spec.MOVEMENTS else ():
            values[name] = ""
    return _row(context, item.unit, values, legajo, pseudonym, identifier)


def _row(
    context: _Context,
    unit: Unit,
    values: dict[str, str],
    legajo: LegajoInput,
    pseudonym: str,
    identifier: str,
) -> list[str]:
    where = {"unit": unit, "legajo": pseudonym, "case_id": legajo.case_id, "intervention": identifier}
    row: list[str] = []
    for column in spec.COLUMNS[unit]:
        value = values.get(column.name, "")
        if value and column.kind == spec.Kind.PREDEFINED:
            value = value.upper()
            if value not in column.choices:
                context.add(
                    Severity.WARNING,
                    ProblemCode.INVALID_VALUE,
                    _("'%(value)s' is not one of the values RUNac admits for %(column)s: left empty.")
                    % {"value": value, "column": column.name},
                    column=column.name,
                    value=value,
                    **where,
                )
                value = ""
        elif value and column.kind == spec.Kind.EQUIVALENCE:
            value = value[: spec.MAX_ID_LENGTH]
            if context.category(unit, column.name, value) is None:
                context.add(
                    Severity.ERROR,
                    ProblemCode.EQUIVALENCE_MISSING,
                    _("The local category '%(value)s' of %(unit)s.%(column)s has no national equivalence.")
                    % {"value": value, "unit": unit.value, "column": column.name},
                    column=column.name,
                    value=value,
                    **where,
                )
        elif value and column.kind == spec.Kind.TEXT and not column.is_identifier:
            if _mentions(value, legajo.personal_tokens):
                context.add(
                    Severity.WARNING,
                    ProblemCode.PERSONAL_DATA_REMOVED,
                    _("%(column)s mentioned the child's name or document number: left empty.")
                    % {"column": column.name},
                    column=column.name,
                    **where,
                )
                value = ""
        if column.required and not value:
            context.add(
                Severity.ERROR,
                ProblemCode.REQUIRED,
                _("%(column)s is required and empty.") % {"column": column.name},
                column=column.name,
                **where,
            )
        row.append(value)
    return row


def _check_exits(
    context: _Context, legajo: LegajoInput, pseudonym: str, chosen: list[InterventionInput]
) -> None:
    entries = {
        intervention_id(item)
        for item in legajo.interventions
        if item.unit == Unit.MPJ and _clean_text(item.data.get("tipo_movimiento")).upper() == spec.ENTRY
    }
    for item in chosen:
        if item.unit != Unit.MPJ or _clean_text(item.data.get("tipo_movimiento")).upper() != spec.EXIT:
            continue
        target = _clean_text(item.data.get("id_ingreso_asociado"))
        where = {
            "unit": Unit.MPJ,
            "legajo": pseudonym,
            "case_id": legajo.case_id,
            "intervention": intervention_id(item),
            "column": "ID_INGRESO_ASOCIADO",
        }
        if not target:
            context.add(
                Severity.ERROR,
                ProblemCode.EXIT_ENTRY_REQUIRED,
                _("An exit (EGRESO) must name the entry it closes."),
                **where,
            )
        elif target not in entries:
            context.add(
                Severity.ERROR,
                ProblemCode.EXIT_WITHOUT_ENTRY,
                _("The exit names the entry '%(entry)s', which is not an INGRESO of this legajo.")
                % {"entry": target},
                value=target,
                **where,
            )
