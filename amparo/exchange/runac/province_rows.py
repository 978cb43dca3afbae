"""RUNac province side: one file row from a legajo or an intervention, column by column.

Columns come from the answers by name: the column in lower case (`derecho_vulnerado` →
DERECHO_VULNERADO); the legajo's columns from the person (gender, birth date, nationality,
current department and locality) and from the case's form records by the same naming rule.
Each value is checked as the national node will check it (predefined values, equivalences,
required columns) and free text naming the child is left out.
"""

from typing import Any

from django.utils.translation import gettext as _

from amparo.exchange.runac import spec
from amparo.exchange.runac.province_types import (
    LEGAJO_FORM_COLUMNS,
    BuildContext,
    InterventionInput,
    LegajoInput,
    ProblemCode,
    Severity,
    Unit,
)
from amparo.exchange.runac.province_values import (
    age,
    clean_text,
    display_date,
    intervention_id,
    legajo_pseudonym,
    mentions,
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


def legajo_row(context: BuildContext, legajo: LegajoInput, pseudonym: str) -> list[str]:
    values: dict[str, str] = {
        "ID_LEGAJO": pseudonym,
        "FECHA_CREACION": legajo.opened_on.strftime("%d/%m/%Y"),
        "GENERO": GENDER_BY_IDENTITY.get(legajo.gender_identity) or GENDER_BY_SEX.get(legajo.sex, "SIN_DATO"),
        "NACIONALIDAD": legajo.nationality,
        "DEPARTAMENTO_RESIDENCIA": clean_text(legajo.department),
        "LOCALIDAD_RESIDENCIA": clean_text(legajo.locality),
    }
    where = {"unit": Unit.LEGAJOS, "legajo": pseudonym, "case_id": legajo.case_id}
    if values["GENERO"] == "SIN_DATO":
        context.add(
            Severity.WARNING, ProblemCode.NO_GENDER, _("The child's gender is not recorded."), **where
        )
    if legajo.date_of_birth and not legajo.date_of_birth_is_estimated:
        values["FECHA_NACIMIENTO"] = legajo.date_of_birth.strftime("%d/%m/%Y")
    elif legajo.date_of_birth:
        values["EDAD_AL_INGRESO"] = str(max(0, age(legajo.date_of_birth, legajo.opened_on)))
    else:
        context.add(
            Severity.WARNING, ProblemCode.NO_BIRTH_DATE, _("Neither birth date nor age is recorded."), **where
        )
    for column in LEGAJO_FORM_COLUMNS:
        values[column] = clean_text(legajo.form_answers.get(column.lower()))
    if not values["DOCUMENTADO"] and legajo.has_documents:
        values["DOCUMENTADO"] = "SI"
    if not values["CUD"] and values["DISCAPACIDAD"].upper() == "NO":
        values["CUD"] = "NO"  # no disability certificate without a disability (the form asks only on SI)
    if not legajo.has_legajo_form:
        report_missing_form(context, values, where)
    for person_id, merged_on in legajo.absorbed:
        earlier = legajo_pseudonym(person_id, key=context.key)
        context.add(
            Severity.WARNING,
            ProblemCode.LEGAJO_MERGED,
            _(
                "Another person's record was merged into this child's on %(date)s, with cases. If an "
                "earlier delivery sent them as legajo %(earlier)s, the national register counts this "
                "child twice: tell the national team that %(earlier)s is now %(legajo)s."
            )
            % {"date": merged_on.strftime("%d/%m/%Y"), "earlier": earlier, "legajo": pseudonym},
            **where,
            value=earlier,
        )
    return checked_row(context, Unit.LEGAJOS, values, legajo, pseudonym, "")


def report_missing_form(context: BuildContext, values: dict[str, str], where: dict[str, Any]) -> None:
    """One warning per legajo with no legajo form record, naming the columns that go out empty."""
    empty = [
        column.name
        for column in spec.COLUMNS[Unit.LEGAJOS]
        if column.name in LEGAJO_FORM_COLUMNS and not values[column.name]
    ]
    if empty:
        context.add(
            Severity.WARNING,
            ProblemCode.LEGAJO_FORM_MISSING,
            _("The child's legajo form was never filled in: %(columns)s go out empty.")
            % {"columns": ", ".join(empty)},
            **where,
        )


def intervention_row(
    context: BuildContext, legajo: LegajoInput, pseudonym: str, item: InterventionInput
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
            shown = display_date(raw)
            if shown is None:
                context.add(
                    Severity.WARNING,
                    ProblemCode.INVALID_DATE,
                    _("Not a date: left empty."),
                    unit=item.unit,
                    legajo=pseudonym,
                    case_id=item.case_id or legajo.case_id,
                    intervention=identifier,
                    column=column.name,
                    value=clean_text(raw),
                )
                continue
            values[column.name] = shown
        else:
            values[column.name] = clean_text(raw)
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
                    case_id=item.case_id or legajo.case_id,
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
    return checked_row(context, item.unit, values, legajo, pseudonym, identifier, case_id=item.case_id)


def checked_row(
    context: BuildContext,
    unit: Unit,
    values: dict[str, str],
    legajo: LegajoInput,
    pseudonym: str,
    identifier: str,
    *,
    case_id: int | None = None,
) -> list[str]:
    where = {
        "unit": unit,
        "legajo": pseudonym,
        "case_id": case_id or legajo.case_id,
        "intervention": identifier,
    }
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
            if mentions(value, legajo.personal_tokens):
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
