"""The case list's fast paths keep their results: typed answers for date ranges and repeat groups,
counts from one capped pass, a bounded number of queries per page."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amparo.cases import answers, selectors, services
from amparo.cases.models import CaseAnswerValue, CaseFormRecord
from amparo.cases.selectors import CaseFilters, FieldFilter
from amparo.cases.services import CaseOpenInput
from amparo.cases.tests.test_views_cases import client_for
from amparo.forms.choices import FieldType
from amparo.forms.models import FormVersion
from amparo.registry.tests.factories import PersonFactory

SIBLINGS = [
    [],
    [{"hermano_nombre": "Ana", "hermano_edad": 3, "hermano_nacimiento": "2023-02-01"}],
    [
        {"hermano_nombre": "Luis", "hermano_edad": 10, "hermano_nacimiento": "2016-05-05"},
        {"hermano_nombre": "Rosa", "hermano_edad": 1, "hermano_nacimiento": "2025-01-20"},
    ],
    [{"hermano_nombre": "Juan", "hermano_edad": 7}],
    [],
]
DATES = ["2026-01-10", "2026-02-15", "2026-03-20", "2026-04-01", None]


def statements(captured: CaptureQueriesContext) -> list[str]:
    """The SQL a view ran, without transaction control (PostgreSQL logs BEGIN/COMMIT, SQLite doesn't)."""
    return [
        item["sql"]
        for item in captured.captured_queries
        if not re.match(r"(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)\b", item["sql"])
    ]


@pytest.fixture
def cases(case_world, config, person_a):
    other = PersonFactory(org_unit=case_world.unit_a)
    result = []
    for index, (siblings, fecha) in enumerate(zip(SIBLINGS, DATES, strict=True)):
        answers_ = {"motivo": "violencia" if index % 2 else "abandono", "edad": 5 + index}
        if fecha:
            answers_["fecha_ingreso"] = fecha
        if siblings:
            answers_["hermanos"] = siblings
        result.append(
            services.case_open(
                actor=case_world.caseworker_a,
                data=CaseOpenInput(
                    case_type=config.case_type,
                    person=person_a if index < 3 else other,
                    org_unit=case_world.unit_a,
                    opened_on=datetime.date(2026, 5, 1),
                    forms={config.registration.identifier: answers_},
                ),
            )
        )
    return result


def _listed(user, config, *fields: FieldFilter) -> list[int]:
    filters = CaseFilters(case_type_id=config.case_type.pk, fields=tuple(fields))
    return sorted(case.pk for case in selectors.case_list(user=user, filters=filters))


def test_typed_answers_follow_every_write(case_world, config, cases):
    columns = ("field", "date_value", "number_value", "option_value", "text_value")
    rows = CaseAnswerValue.objects.filter(case=cases[2]).values_list(*columns)
    assert sorted(rows, key=str) == sorted(
        [
            ("motivo", None, None, "abandono", None),
            ("edad", None, 7.0, None, None),
            ("fecha_ingreso", datetime.date(2026, 3, 20), None, None, None),
            ("hermanos/hermano_nombre", None, None, None, "Luis"),
            ("hermanos/hermano_nombre", None, None, None, "Rosa"),
            ("hermanos/hermano_edad", None, 10.0, None, None),
            ("hermanos/hermano_edad", None, 1.0, None, None),
            ("hermanos/hermano_nacimiento", datetime.date(2016, 5, 5), None, None, None),
            ("hermanos/hermano_nacimiento", datetime.date(2025, 1, 20), None, None, None),
        ],
        key=str,
    )
    scopes = CaseAnswerValue.objects.filter(case=cases[2]).values_list("org_unit_id", "case_type_id")
    assert set(scopes) == {(case_world.unit_a.pk, config.case_type.pk)}
    case = cases[2]
    services.case_form_save(
        actor=case_world.caseworker_a,
        case=case,
        form=config.registration,
        data={"motivo": "violencia", "fecha_ingreso": "2026-03-21"},
        expected_version=case.version,
    )
    rows = CaseAnswerValue.objects.filter(case=case).values_list(*columns)
    assert sorted(rows, key=str) == [
        ("fecha_ingreso", datetime.date(2026, 3, 21), None, None, None),
        ("motivo", None, None, "violencia", None),
    ]


def test_rebuild_writes_what_the_services_write(cases):
    columns = (
        "record_id",
        "field",
        "date_value",
        "number_value",
        "option_value",
        "text_value",
        "org_unit_id",
    )
    before = sorted(CaseAnswerValue.objects.values_list(*columns, "case_type_id"), key=str)
    assert before
    CaseAnswerValue.objects.all().delete()
    written = answers.rebuild(
        record_model=CaseFormRecord, version_model=FormVersion, value_model=CaseAnswerValue, batch=3
    )
    after = sorted(CaseAnswerValue.objects.values_list(*columns, "case_type_id"), key=str)
    assert (written, after) == (len(before), before)


@pytest.mark.parametrize(
    "bounds",
    [
        {"gte": "2026-02-01"},
        {"lte": "2026-02-15"},
        {"gte": "2026-02-15", "lte": "2026-03-20"},
        {"gte": "2026-03-21", "lte": "2026-03-31"},
        {"gte": "2027-01-01"},
    ],
)
def test_date_range_through_typed_answers_equals_the_json_comparison(case_world, config, cases, bounds):
    form = config.registration.pk
    typed = [FieldFilter(form, "fecha_ingreso", op, value, FieldType.DATE) for op, value in bounds.items()]
    plain = [FieldFilter(form, "fecha_ingreso", op, value) for op, value in bounds.items()]
    assert all(selectors._typed_condition(item) is not None for item in typed)
    assert all(selectors._typed_condition(item) is None for item in plain)
    user = case_world.caseworker_a
    assert _listed(user, config, *typed) == _listed(user, config, *plain)
    # …combined with an option filter too
    option = FieldFilter(form, "motivo", "eq", "violencia", FieldType.SELECT_ONE)
    assert _listed(user, config, option, *typed) == _listed(user, config, option, *plain)


def test_a_date_that_does_not_parse_is_compared_as_before(case_world, config, cases):
    item = FieldFilter(config.registration.pk, "fecha_ingreso", "gte", "2026-02", FieldType.DATE)
    assert selectors._typed_condition(item) is None
    plain = FieldFilter(config.registration.pk, "fecha_ingreso", "gte", "2026-02")
    assert _listed(case_world.caseworker_a, config, item) == _listed(case_world.caseworker_a, config, plain)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"hermanos/hermano_edad.to": "4"}, [1, 2]),  # any sibling aged under 5
        ({"hermanos/hermano_edad.from": "5", "hermanos/hermano_edad.to": "9"}, [3]),  # same sibling
        ({"hermanos/hermano_edad.from": "2", "hermanos/hermano_edad.to": "8"}, [1, 3]),
        ({"hermanos/hermano_nacimiento.from": "2020-01-01"}, [1, 2]),
        ({"hermanos/hermano_nacimiento.to": "2020-01-01", "motivo": "violencia"}, []),
        ({"hermanos/hermano_nacimiento.to": "2020-01-01", "motivo": "abandono"}, [2]),
    ],
)
def test_list_filters_inside_repeat_groups(case_world, config, cases, params, expected):
    query = {"type": config.case_type.pk, **{f"f.{config.registration.pk}.{k}": v for k, v in params.items()}}
    response = client_for(case_world.caseworker_a).get("/cases/", query)
    assert sorted(case.pk for case in response.context["cases"]) == sorted(cases[i].pk for i in expected)


def test_repeat_filters_offered_within_clearance_only(case_world, config, cases):
    response = client_for(case_world.caseworker_a).get("/cases/", {"type": config.case_type.pk})
    keys = {widget["key"] for widget in response.context["widgets"]}
    prefix = f"f.{config.registration.pk}."
    assert {prefix + "hermanos/hermano_edad", prefix + "hermanos/hermano_nacimiento"} <= keys
    assert prefix + "hermanos/hermano_paradero" not in keys  # sensitive, above the caseworker's clearance
    assert prefix + "hermanos/hermano_nombre" in keys  # short text inside a repeat: "contains"
    labels = [w["label"] for w in response.context["widgets"] if w["key"] == prefix + "hermanos/hermano_edad"]
    assert labels == ["Siblings › Age"]


def test_api_filters_inside_repeat_groups(case_world, config, cases):
    response = client_for(case_world.caseworker_a).get(
        "/api/v1/cases/",
        {
            "case_type": config.case_type.code,
            "where": f"{config.registration.identifier}.hermanos/hermano_edad:lte:4",
        },
    )
    assert response.status_code == 200
    assert sorted(row["id"] for row in response.json()["results"]) == sorted([cases[1].pk, cases[2].pk])
    refused = client_for(case_world.caseworker_a).get(
        "/api/v1/cases/",
        {
            "case_type": config.case_type.code,
            "where": f"{config.registration.identifier}.hermanos/hermano_paradero:lte:4",
        },
    )
    assert refused.status_code == 400


def test_counts_come_from_one_capped_pass(case_world, config, cases):
    user = case_world.caseworker_a
    listed = selectors.case_list(user=user, filters=CaseFilters(case_type_id=config.case_type.pk))
    with CaptureQueriesContext(connection) as queries:
        exact = selectors.case_counts(listed)
    assert len(queries) == 1
    assert exact == selectors.Counts(persons=2, persons_capped=False, cases=5, cases_capped=False)
    assert selectors.case_counts(listed, cap=5) == exact
    capped = selectors.case_counts(listed, cap=4)
    assert (capped.cases, capped.cases_capped, capped.persons_capped) == (4, True, True)
    assert 1 <= capped.persons <= 2  # the persons of the first 5 cases found: a lower bound


def test_capped_counts_read_at_least(case_world, config, cases, monkeypatch):
    monkeypatch.setitem(selectors.case_list_page.__kwdefaults__, "cap", 3)
    response = client_for(case_world.caseworker_a).get("/cases/", {"type": config.case_type.pk})
    text = " ".join(response.content.decode().split())
    assert re.search(r"at least [12] persons · more than 3 cases", text)


def test_list_page_queries_are_bounded(case_world, config, cases):
    client = client_for(case_world.caseworker_a)
    query = {
        "type": config.case_type.pk,
        f"f.{config.registration.pk}.motivo": "violencia",
        f"f.{config.registration.pk}.fecha_ingreso.from": "2026-01-01",
    }
    client.get("/cases/", query)  # warm the per-process caches (grants, definitions)
    with CaptureQueriesContext(connection) as first:
        assert client.get("/cases/", query).status_code == 200
    more = [
        services.case_open(
            actor=case_world.caseworker_a,
            data=CaseOpenInput(
                case_type=config.case_type,
                person=PersonFactory(org_unit=case_world.unit_a),
                org_unit=case_world.unit_a,
                opened_on=datetime.date(2026, 6, 1),
                forms={
                    config.registration.identifier: {"motivo": "violencia", "fecha_ingreso": "2026-06-01"}
                },
            ),
        )
        for _ in range(3)
    ]
    with CaptureQueriesContext(connection) as second:
        response = client.get("/cases/", query)
    assert len(response.context["cases"]) == 2 + len(more)
    assert len(second) == len(first)  # no query per row or per filter option
    # session and grants, type and its forms, counts, page, audit row, the filters offered, session save
    assert len(statements(first)) <= 22, statements(first)


def test_case_form_page_queries_are_bounded(case_world, config, case_a):
    """GET renders, POST validates and saves: a fixed number of queries, whatever the answers."""
    client = client_for(case_world.caseworker_a)
    url = f"/cases/{case_a.pk}/forms/{config.registration.pk}/"
    client.get(url)  # warm the per-process caches
    with CaptureQueriesContext(connection) as get:
        assert client.get(url).status_code == 200
    # session + grants (4), case + its records (2), type forms + version (2), audit (5), session save (3)
    assert len(statements(get)) <= 17, statements(get)
    case_a.refresh_from_db()
    siblings = {f"f:hermanos/{index}/hermano_edad": str(index) for index in range(3)}
    with CaptureQueriesContext(connection) as post:
        response = client.post(
            url, {"version": case_a.version, "f:motivo": "violencia", "f:edad": "12", **siblings}
        )
    assert response.status_code == 302
    assert len(statements(post)) <= 29, statements(post)
    record = CaseFormRecord.objects.get(case=case_a, form=config.registration)
    assert [item["hermano_edad"] for item in record.data["hermanos"]] == [0, 1, 2]
    assert record.data["relato"] == "Relato reservado"  # above the caseworker's clearance: kept
    numbers = CaseAnswerValue.objects.filter(record=record, number_value__isnull=False)
    assert sorted(numbers.values_list("field", "number_value")) == [
        ("edad", 12.0),
        ("hermanos/hermano_edad", 0.0),
        ("hermanos/hermano_edad", 1.0),
        ("hermanos/hermano_edad", 2.0),
    ]


@pytest.mark.parametrize("sort", list(selectors.SORTS))
@pytest.mark.parametrize("cap", [2, 3, 1000])
def test_list_page_is_the_plain_slice_of_the_list(case_world, config, cases, sort, cap):
    """Pages within the cap come from the capped pass, pages beyond it from OFFSET: same rows either way,
    with and without a typed range (which sorts through COALESCE)."""
    user = case_world.caseworker_a
    for fields in ((), (FieldFilter(config.registration.pk, "edad", "gte", 0, FieldType.INTEGER),)):
        for typed in (
            (),
            (FieldFilter(config.registration.pk, "fecha_ingreso", "gte", "2000-01-01", "date"),),
        ):
            listed = selectors.case_list(
                user=user,
                filters=CaseFilters(case_type_id=config.case_type.pk, fields=fields + typed, sort=sort),
            )
            everything = [
                case.pk
                for case in selectors.case_list(
                    user=user,
                    filters=CaseFilters(case_type_id=config.case_type.pk, fields=fields + typed, sort=sort),
                )
            ]
            for page in (1, 2, 3):
                _counts, rows, has_next = selectors.case_list_page(listed, page=page, size=2, cap=cap)
                assert [case.pk for case in rows] == everything[(page - 1) * 2 : page * 2]
                assert has_next == (len(everything) > page * 2)
