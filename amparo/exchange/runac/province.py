"""RUNac province side: the four delivery files built from the province's own cases.

A legajo is the child's file: every case of one person whose type records RUNac interventions
(intervention types whose form is `runac_mpi`, `runac_mpe` or `runac_mpj`, as in the starter
configuration), with one pseudonymous ID_LEGAJO. Nothing here reads the database:
`build_delivery` works on already loaded, already access-checked objects.

The work is split by responsibility:
- `province_types`: the inputs (`LegajoInput`, `InterventionInput`) and the result (`DeliveryBuild`);
- `province_values`: pseudonyms (`ID_LEGAJO`) and value cleaning;
- `province_selection`: rules A, B, C and the principal interventions;
- `province_rows`: one row per legajo / intervention, each column checked;
- `province_checks`: checks across rows (unique ids, exits and entries, the period).
"""

import datetime
from collections.abc import Iterable, Mapping

from amparo.exchange.runac.province_checks import (
    check_exits,
    check_table_and_period,
    check_unique_id,
    report_hidden,
)
from amparo.exchange.runac.province_rows import intervention_row, legajo_row
from amparo.exchange.runac.province_selection import select, with_interventions
from amparo.exchange.runac.province_types import (
    LEGAJO_FORM,
    LEGAJO_FORM_COLUMNS,
    UNIT_FORMS,
    BuildContext,
    DeliveryBuild,
    InterventionInput,
    LegajoInput,
    Problem,
    ProblemCode,
    Rule,
    Selection,
    Severity,
    Unit,
)
from amparo.exchange.runac.province_values import legajo_pseudonym, personal_tokens, pseudonym_key

__all__ = [
    "LEGAJO_FORM",
    "LEGAJO_FORM_COLUMNS",
    "UNIT_FORMS",
    "DeliveryBuild",
    "InterventionInput",
    "LegajoInput",
    "Problem",
    "ProblemCode",
    "Rule",
    "Selection",
    "Severity",
    "Unit",
    "build_delivery",
    "legajo_pseudonym",
    "personal_tokens",
    "pseudonym_key",
]


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
    context = BuildContext(build, mapping, key=key)
    check_table_and_period(context, table_version=table_version, period_to=period_to)
    seen_ids: dict[Unit, set[str]] = {unit: set() for unit in Unit}
    for legajo in sorted(legajos, key=lambda item: (item.opened_on, item.case_id)):
        if legajo.opened_on > period_to:
            continue
        legajo = with_interventions(
            legajo, tuple(item for item in legajo.interventions if item.occurred_on <= period_to)
        )
        pseudonym = legajo_pseudonym(legajo.person_id, key=key)
        problems_before = len(build.problems)
        rule, chosen = select(context, legajo, pseudonym, period_from=period_from, period_to=period_to)
        if rule is None:
            del build.problems[problems_before:]  # not sent: its doubts are not this delivery's
            continue
        build.rows[Unit.LEGAJOS].append(legajo_row(context, legajo, pseudonym))
        for item in chosen:
            row = intervention_row(context, legajo, pseudonym, item)
            check_unique_id(
                context,
                seen_ids,
                unit=item.unit,
                identifier=row[1],
                legajo=legajo,
                pseudonym=pseudonym,
                case_id=item.case_id,
            )
            build.rows[item.unit].append(row)
        check_exits(context, legajo, pseudonym, chosen)
        build.selections.append(
            Selection(legajo.case_id, legajo.case_number, pseudonym, rule, len(chosen), legajo.cases)
        )
    report_hidden(context)
    return build
