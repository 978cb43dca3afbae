"""RUNac province side: which legajos and interventions a delivery sends (Anexo II, rules A, B, C).

(A) legajos created in the period with at least one intervention; (B) older legajos with an
intervention in the period; (C) older legajos with none in the period but an exceptional measure
or a penal stay still open at the cut-off. Each sends its interventions of the period plus its
principal interventions — the PER_INICIAL of every exceptional measure and the INGRESO of every
penal stay that overlap the period — even when dated before it, so the national node computes
the same measures. Measures are computed as the national node does (PER_INICIAL → next
CESE_MPE, through the jurisdiction's table).
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from amparo.exchange.runac import spec
from amparo.exchange.runac.province_types import (
    BuildContext,
    InterventionInput,
    LegajoInput,
    ProblemCode,
    Rule,
    Severity,
    Unit,
)
from amparo.exchange.runac.province_values import clean_text, end_date, intervention_id


@dataclass
class Measure:
    start: InterventionInput
    end: datetime.date | None = None


def mpe_measures(context: BuildContext, legajo: LegajoInput, pseudonym: str) -> list[Measure]:
    measures: list[Measure] = []
    current: Measure | None = None
    for item in legajo.interventions:
        if item.unit != Unit.MPE:
            continue
        kind = context.category(Unit.MPE, "TIPO_INTERVENCION", clean_text(item.data.get("tipo_intervencion")))
        if kind == spec.MEASURE_START:
            if current is None:
                current = Measure(item)
                measures.append(current)
            else:
                context.add(
                    Severity.WARNING,
                    ProblemCode.MEASURE_START_WHILE_OPEN,
                    _("A PER_INICIAL while an exceptional measure is open: it continues that measure."),
                    unit=Unit.MPE,
                    legajo=pseudonym,
                    case_id=item.case_id or legajo.case_id,
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
                    case_id=item.case_id or legajo.case_id,
                    intervention=intervention_id(item),
                )
            else:
                current.end = end_date(item.data.get("fecha_cese"), item.occurred_on)
                current = None
    return measures


def penal_stays(legajo: LegajoInput) -> list[Measure]:
    stays: dict[str, Measure] = {}
    for item in legajo.interventions:
        if item.unit != Unit.MPJ:
            continue
        movement = clean_text(item.data.get("tipo_movimiento")).upper()
        if movement == spec.ENTRY:
            stays.setdefault(intervention_id(item), Measure(item))
        elif movement == spec.EXIT:
            stay = stays.get(clean_text(item.data.get("id_ingreso_asociado")))
            if stay is not None and stay.end is None:
                stay.end = item.occurred_on
    return list(stays.values())


def overlaps(measure: Measure, start: datetime.date, end: datetime.date) -> bool:
    return measure.start.occurred_on <= end and (measure.end is None or measure.end >= start)


def with_interventions(legajo: LegajoInput, interventions: tuple[InterventionInput, ...]) -> LegajoInput:
    ordered = tuple(sorted(interventions, key=lambda item: (item.occurred_on, item.pk)))
    return LegajoInput(**{**legajo.__dict__, "interventions": ordered})


def select(
    context: BuildContext,
    legajo: LegajoInput,
    pseudonym: str,
    *,
    period_from: datetime.date,
    period_to: datetime.date,
) -> tuple[Rule | None, list[InterventionInput]]:
    """The rule that selects the legajo (None: not sent) and the interventions it sends.

    `legajo.interventions` are those dated up to the cut-off, in date order.
    """
    dated = legajo.interventions
    in_period = [item for item in dated if item.occurred_on >= period_from]
    measures = mpe_measures(context, legajo, pseudonym)
    stays = penal_stays(legajo)
    if legajo.opened_on >= period_from:
        rule = Rule.A if dated else None
    elif in_period:
        rule = Rule.B
    elif any(item.end is None for item in (*measures, *stays)):
        rule = Rule.C
    else:
        rule = None
    if rule is None:
        return None, []
    principal = {item.start.pk for item in (*measures, *stays) if overlaps(item, period_from, period_to)}
    return rule, [item for item in dated if item.occurred_on >= period_from or item.pk in principal]
