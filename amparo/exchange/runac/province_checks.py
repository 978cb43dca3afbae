"""RUNac province side: checks across rows (ids used twice, exits and their entries, the period)."""

import datetime

from django.utils.translation import gettext as _

from amparo.exchange.runac import spec
from amparo.exchange.runac.province_types import (
    BuildContext,
    InterventionInput,
    LegajoInput,
    ProblemCode,
    Severity,
    Unit,
)
from amparo.exchange.runac.province_values import clean_text, intervention_id


def check_exits(
    context: BuildContext, legajo: LegajoInput, pseudonym: str, chosen: list[InterventionInput]
) -> None:
    entries = {
        intervention_id(item)
        for item in legajo.interventions
        if item.unit == Unit.MPJ and clean_text(item.data.get("tipo_movimiento")).upper() == spec.ENTRY
    }
    for item in chosen:
        if item.unit != Unit.MPJ or clean_text(item.data.get("tipo_movimiento")).upper() != spec.EXIT:
            continue
        target = clean_text(item.data.get("id_ingreso_asociado"))
        where = {
            "unit": Unit.MPJ,
            "legajo": pseudonym,
            "case_id": item.case_id or legajo.case_id,
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


def check_table_and_period(
    context: BuildContext, *, table_version: int | None, period_to: datetime.date
) -> None:
    """No table at all (nothing can be translated); a cut-off that is not a semester's."""
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


def check_unique_id(
    context: BuildContext,
    seen_ids: dict[Unit, set[str]],
    *,
    unit: Unit,
    identifier: str,
    legajo: LegajoInput,
    pseudonym: str,
    case_id: int | None = None,
) -> None:
    """ID_INTERVENCION must be unique within a unit's file."""
    if identifier in seen_ids[unit]:
        context.add(
            Severity.ERROR,
            ProblemCode.DUPLICATE_ID,
            _("ID_INTERVENCION '%(id)s' is used by more than one %(unit)s intervention.")
            % {"id": identifier, "unit": unit.value},
            unit=unit,
            legajo=pseudonym,
            case_id=case_id or legajo.case_id,
            intervention=identifier,
            column="ID_INTERVENCION",
            value=identifier,
        )
    seen_ids[unit].add(identifier)


def report_hidden(context: BuildContext) -> None:
    """One warning per column left empty because it was above the user's clearance."""
    for unit, column in sorted(context.hidden):
        context.add(
            Severity.WARNING,
            ProblemCode.FIELD_HIDDEN,
            _("%(unit)s.%(column)s is above your clearance for sensitive data: it was left empty.")
            % {"unit": unit, "column": column},
            unit=unit,
            column=column,
        )
