"""Typed answers (`CaseAnswerValue`): option and repeat-group filters answer what the JSON answers do,
the denormalised unit and type stay in step, the access policy is never widened by them, and a save
rewrites only the typed rows of the fields that changed."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amparo.cases import selectors, services
from amparo.cases.models import Case, CaseAnswerValue
from amparo.cases.selectors import CaseFilters, FieldFilter
from amparo.cases.services import CaseOpenInput
from amparo.cases.tests.test_views_cases import client_for
from amparo.forms.choices import FieldType
from amparo.registry.tests.factories import PersonFactory

MOTIVOS = ["violencia", "abandono", "violencia", "migracion"]
NEEDS = [["salud"], ["salud", "educacion"], [], ["educacion"]]
ACCOMPANIED = [True, False, None, False]
SIBLINGS = [
    [{"hermano_nombre": "Ana Mariela", "hermano_edad": 3, "hermano_necesidad": "salud"}],
    [
        {"hermano_nombre": "Luis", "hermano_edad": 10, "hermano_necesidad": "educacion"},
        {"hermano_nombre": "Rosa", "hermano_edad": 1},
    ],
    [],
    [{"hermano_nombre": "Mariana", "hermano_necesidad": "educacion"}],
]


def _open(world, config, unit, index, owner=None):
    actor = world.supervisor_mx if unit != world.unit_b else world.caseworker_b
    answers = {"motivo": MOTIVOS[index], "fecha_ingreso": f"2026-0{index + 1}-10"}
    if NEEDS[index]:
        answers["necesidades"] = NEEDS[index]
    if ACCOMPANIED[index] is not None:
        answers["acompanado"] = ACCOMPANIED[index]
        if ACCOMPANIED[index]:
            answers["acompanante"] = "Tía"
    if index:
        answers["edad"] = index * 4
    if SIBLINGS[index]:
        answers["hermanos"] = SIBLINGS[index]
    return services.case_open(
        actor=actor,
        data=CaseOpenInput(
            case_type=config.case_type,
            person=PersonFactory(org_unit=unit),
            org_unit=unit,
            owner=owner,
            opened_on=datetime.date(2026, 5, 1),
            forms={config.registration.identifier: answers},
        ),
    )


@pytest.fixture
def spread(case_world, config):
    """The same four answer sets in unit A (owned by caseworker_a, the last by own_worker_a) and in
    unit B (owned by caseworker_b)."""
    world = case_world
    in_a = [
        _open(
            world, config, world.unit_a, index, owner=world.own_worker_a if index == 3 else world.caseworker_a
        )
        for index in range(4)
    ]
    in_b = [_open(world, config, world.unit_b, index) for index in range(4)]
    return in_a, in_b


def _ids(user, config, *fields: FieldFilter, **extra) -> set[int]:
    filters = CaseFilters(case_type_id=config.case_type.pk, fields=tuple(fields), **extra)
    return {case.pk for case in selectors.case_list(user=user, filters=filters)}


def _untyped(item: FieldFilter) -> FieldFilter:
    """The same filter without its kind: read from the JSON answers."""
    return FieldFilter(item.form_id, item.field, item.operator, item.value)


def _filters(config) -> list[tuple[FieldFilter, ...]]:
    form = config.registration.pk
    date_from = FieldFilter(form, "fecha_ingreso", "gte", "2026-02-01", FieldType.DATE)
    return [
        (FieldFilter(form, "motivo", "eq", "violencia", FieldType.SELECT_ONE),),
        (FieldFilter(form, "motivo", "eq", "violencia", FieldType.SELECT_ONE), date_from),
        (FieldFilter(form, "necesidades", "has", "salud", FieldType.SELECT_MULTIPLE),),
        (FieldFilter(form, "necesidades", "has", "educacion", FieldType.SELECT_MULTIPLE), date_from),
        (FieldFilter(form, "acompanado", "eq", True, FieldType.YES_NO),),
        (FieldFilter(form, "acompanado", "eq", False, FieldType.YES_NO),),
        (FieldFilter(form, "edad", "gte", 5, FieldType.INTEGER),),
        (FieldFilter(form, "edad", "lte", 8, FieldType.INTEGER), date_from),
    ]


@pytest.mark.parametrize(
    "persona", ["caseworker_a", "caseworker_b", "own_worker_a", "supervisor_mx", "national_admin"]
)
def test_typed_filters_equal_the_json_filters_for_every_scope(case_world, config, spread, persona):
    user = getattr(case_world, persona)
    for fields in _filters(config):
        assert all(selectors._typed_condition(item) is not None for item in fields)
        typed = _ids(user, config, *fields)
        plain = _ids(user, config, *map(_untyped, fields))
        assert typed == plain, fields
        assert typed <= {case.pk for case in selectors.cases_visible_to(user)}


def test_a_caseworker_never_gets_another_units_case_through_typed_answers(case_world, config, spread):
    in_a, in_b = spread
    form = config.registration.pk
    violence = FieldFilter(form, "motivo", "eq", "violencia", FieldType.SELECT_ONE)
    assert _ids(case_world.caseworker_b, config, violence) == {in_b[0].pk, in_b[2].pk}
    assert _ids(case_world.caseworker_a, config, violence) == {in_a[0].pk, in_a[2].pk}
    # OWN scope: only the caseworker's own case in unit A, though its unit's rows match too
    migration = FieldFilter(form, "motivo", "eq", "migracion", FieldType.SELECT_ONE)
    assert _ids(case_world.own_worker_a, config, migration) == {in_a[3].pk}
    assert _ids(case_world.own_worker_a, config, violence) == set()
    # SUBTREE (mx holds unit A, not unit B); ALL sees both
    assert _ids(case_world.supervisor_mx, config, violence) == {in_a[0].pk, in_a[2].pk}
    assert _ids(case_world.national_admin, config, violence) == {
        c.pk for c in (in_a[0], in_a[2], in_b[0], in_b[2])
    }
    # asking for another unit's cases gives nothing
    assert _ids(case_world.caseworker_b, config, violence, org_unit_id=case_world.unit_a.pk) == set()


def test_stale_unit_copies_never_widen_the_access(case_world, config, spread):
    """Even if the typed rows said unit B, unit A's cases stay out of caseworker_b's list: the access
    policy is applied to the cases themselves, the unit in the typed rows only narrows."""
    in_a, _in_b = spread
    CaseAnswerValue.objects.filter(case__in=in_a).update(org_unit_id=case_world.unit_b.pk)
    violence = FieldFilter(config.registration.pk, "motivo", "eq", "violencia", FieldType.SELECT_ONE)
    assert not _ids(case_world.caseworker_b, config, violence) & {case.pk for case in in_a}


def test_unit_and_type_follow_the_case(case_world, config, spread):
    in_a, _in_b = spread
    case = in_a[0]
    assert set(CaseAnswerValue.objects.filter(case=case).values_list("org_unit_id", "case_type_id")) == {
        (case_world.unit_a.pk, config.case_type.pk)
    }
    services._bump(case, case.version, org_unit=case_world.unit_b)  # every moving write goes through _bump
    assert set(CaseAnswerValue.objects.filter(case=case).values_list("org_unit_id", flat=True)) == {
        case_world.unit_b.pk
    }
    violence = FieldFilter(config.registration.pk, "motivo", "eq", "violencia", FieldType.SELECT_ONE)
    assert case.pk in _ids(case_world.caseworker_b, config, violence)
    assert case.pk not in _ids(case_world.caseworker_a, config, violence)
    Case.objects.filter(pk=case.pk).update(org_unit=case_world.unit_a)  # a bulk write, then the sync
    case.refresh_from_db()
    assert services.answer_scope_sync(case) == CaseAnswerValue.objects.filter(case=case).count()
    assert case.pk in _ids(case_world.caseworker_a, config, violence)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"hermanos/hermano_necesidad": "educacion"}, [1, 3]),  # any sibling whose need is education
        ({"hermanos/hermano_necesidad": "salud"}, [0]),
        ({"hermanos/hermano_nombre": "mari"}, [0, 3]),  # any sibling whose name contains "mari"
        ({"hermanos/hermano_nombre": "ROSA"}, [1]),
        ({"hermanos/hermano_nombre": "ros", "motivo": "violencia"}, []),
        ({"hermanos/hermano_necesidad": "educacion", "hermanos/hermano_edad.from": "5"}, [1]),
    ],
)
def test_option_and_text_filters_inside_repeat_groups(case_world, config, spread, params, expected):
    in_a, _in_b = spread
    query = {"type": config.case_type.pk, **{f"f.{config.registration.pk}.{k}": v for k, v in params.items()}}
    response = client_for(case_world.caseworker_a).get("/cases/", query)
    assert response.status_code == 200
    assert sorted(case.pk for case in response.context["cases"]) == sorted(in_a[i].pk for i in expected)
    prefix = f"f.{config.registration.pk}."
    keys = {widget["key"] for widget in response.context["widgets"]}
    assert {prefix + "hermanos/hermano_necesidad", prefix + "hermanos/hermano_nombre"} <= keys


def test_api_option_and_text_filters_inside_repeat_groups(case_world, config, spread):
    in_a, _in_b = spread
    identifier = config.registration.identifier
    for where, expected in (
        (f"{identifier}.hermanos/hermano_necesidad:eq:educacion", [1, 3]),
        (f"{identifier}.hermanos/hermano_nombre:contains:luis", [1]),
    ):
        response = client_for(case_world.caseworker_a).get(
            "/api/v1/cases/", {"case_type": config.case_type.code, "where": where}
        )
        assert response.status_code == 200, response.content
        assert sorted(row["id"] for row in response.json()["results"]) == sorted(in_a[i].pk for i in expected)


def _answer_writes(captured: CaptureQueriesContext) -> list[str]:
    return [
        item["sql"]
        for item in captured.captured_queries
        if "caseanswervalue" in item["sql"] and not item["sql"].lstrip().upper().startswith("SELECT")
    ]


def test_a_save_rewrites_only_the_typed_rows_that_changed(case_world, config, spread):
    in_a, _in_b = spread
    case = in_a[1]
    actor = case_world.caseworker_a
    answers = {
        "motivo": "abandono",
        "fecha_ingreso": "2026-02-10",
        "edad": 4,
        "necesidades": ["salud", "educacion"],
        "acompanado": False,
        "hermanos": SIBLINGS[1],
    }
    before = dict(CaseAnswerValue.objects.filter(case=case).values_list("pk", "field"))
    with CaptureQueriesContext(connection) as same:
        services.case_form_save(
            actor=actor, case=case, form=config.registration, data=answers, expected_version=case.version
        )
    assert _answer_writes(same) == []  # nothing typed changed: no delete, no insert
    assert dict(CaseAnswerValue.objects.filter(case=case).values_list("pk", "field")) == before
    changed = {
        **answers,
        "motivo": "violencia",
        "hermanos": [SIBLINGS[1][0], {"hermano_nombre": "Rosa", "hermano_edad": 2}],
    }
    services.case_form_save(
        actor=actor, case=case, form=config.registration, data=changed, expected_version=case.version
    )
    after = dict(CaseAnswerValue.objects.filter(case=case).values_list("pk", "field"))
    kept = {pk for pk, field in before.items() if field not in ("motivo", "hermanos/hermano_edad")}
    assert kept <= set(after)  # untouched fields keep their rows
    assert sorted(
        CaseAnswerValue.objects.filter(case=case, field="hermanos/hermano_edad").values_list(
            "number_value", flat=True
        )
    ) == [2.0, 10.0]
    assert list(
        CaseAnswerValue.objects.filter(case=case, field="motivo").values_list("option_value", flat=True)
    ) == ["violencia"]
    # …and the result is what a full rebuild writes
    columns = (
        "record_id",
        "field",
        "date_value",
        "number_value",
        "option_value",
        "text_value",
        "org_unit_id",
    )
    incremental = sorted(CaseAnswerValue.objects.filter(case=case).values_list(*columns), key=str)
    from amparo.cases.answers import rebuild
    from amparo.cases.models import CaseFormRecord
    from amparo.forms.models import FormVersion

    rebuild(record_model=CaseFormRecord, version_model=FormVersion, value_model=CaseAnswerValue)
    assert sorted(CaseAnswerValue.objects.filter(case=case).values_list(*columns), key=str) == incremental


def test_intervention_answers_are_typed_and_follow_the_case(case_world, config, spread):
    from amparo.cases.answers import rebuild_interventions
    from amparo.cases.models import Intervention, InterventionAnswerValue
    from amparo.forms.models import FormVersion

    in_a, _in_b = spread
    case = in_a[0]
    visit_type = config.case_type.intervention_types.get(form=config.visit)
    intervention = services.intervention_record(
        actor=case_world.caseworker_a,
        case=case,
        intervention_type=visit_type,
        occurred_on=datetime.date(2026, 5, 2),
        data={"hallazgos": "Vivienda en orden", "proxima_visita": "2026-06-01", "ninos_presentes": True},
    )
    columns = ("field", "date_value", "option_value", "org_unit_id", "case_type_id", "intervention_type_id")
    rows = sorted(
        InterventionAnswerValue.objects.filter(intervention=intervention).values_list(*columns), key=str
    )
    unit, kind = case_world.unit_a.pk, config.case_type.pk
    assert rows == sorted(
        [
            ("ninos_presentes", None, "true", unit, kind, visit_type.pk),
            ("proxima_visita", datetime.date(2026, 6, 1), None, unit, kind, visit_type.pk),
        ],
        key=str,
    )
    services._bump(case, case.version, org_unit=case_world.unit_b)
    assert set(InterventionAnswerValue.objects.filter(case=case).values_list("org_unit_id", flat=True)) == {
        case_world.unit_b.pk
    }
    before = sorted(InterventionAnswerValue.objects.values_list(*columns), key=str)
    written = rebuild_interventions(
        intervention_model=Intervention, version_model=FormVersion, value_model=InterventionAnswerValue
    )
    assert (written, sorted(InterventionAnswerValue.objects.values_list(*columns), key=str)) == (2, before)


def test_reachable_units_are_those_of_the_access_policy(case_world):
    from amparo.accounts import access
    from amparo.accounts.choices import Permission
    from amparo.accounts.models import OrgUnit

    world = case_world
    view = Permission.CASE_VIEW
    assert access.reachable_unit_ids(world.caseworker_a, view) == {world.unit_a.pk}
    assert access.reachable_unit_ids(world.own_worker_a, view) == {world.unit_a.pk}
    subtree = set(OrgUnit.objects.filter(path__startswith=world.mx.path).values_list("pk", flat=True))
    assert world.unit_a.pk in subtree
    assert world.unit_b.pk not in subtree
    assert access.reachable_unit_ids(world.supervisor_mx, view) == subtree
    assert access.reachable_unit_ids(world.national_admin, view) is None  # ALL: no narrowing
    assert access.reachable_unit_ids(world.auditor, view) == set()  # no case permission: nothing
