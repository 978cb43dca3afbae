import datetime

import pytest
from django.test import Client

from amparo.audit.choices import AuditAction
from amparo.cases import services
from amparo.cases.models import Case, SavedFilter
from amparo.cases.services import CaseOpenInput
from amparo.common.tests.api_support import audit_mark, audit_since
from amparo.registry.tests.factories import PersonFactory


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


PAGE = {
    "caseworker_a": 200,
    "supervisor_mx": 200,
    "basic_viewer_a": 200,
    "national_admin": 200,
    "caseworker_b": 404,
    "own_worker_a": 404,
    "auditor": 404,
    "unit_admin_a": 404,
}


@pytest.mark.parametrize(("persona", "status"), PAGE.items())
def test_case_page_by_persona(case_world, case_a, persona, status):
    client = client_for(getattr(case_world, persona))
    mark = audit_mark()
    response = client.get(f"/cases/{case_a.pk}/")
    assert response.status_code == status
    rows = [row for row in audit_since(mark) if row[0] != AuditAction.LOGIN_SUCCEEDED]
    if status == 404:
        assert rows == [
            (AuditAction.ACCESS_DENIED, "cases.case", str(case_a.pk), {"permission": "case.view"})
        ]
        return
    assert rows == [(AuditAction.CASE_VIEWED, "cases.case", str(case_a.pk), {"via": "web"})]
    assert ("Relato reservado" in response.content.decode()) is (
        persona in ("supervisor_mx", "national_admin")
    )
    assert "Terminal de autobuses" in response.content.decode()


def test_anonymous_is_sent_to_login(case_a):
    assert client_for(None).get(f"/cases/{case_a.pk}/").status_code == 302


@pytest.mark.parametrize(("persona", "sees_sensitive"), [("caseworker_a", False), ("supervisor_mx", True)])
def test_export_leaves_out_fields_above_clearance(case_world, config, case_a, persona, sees_sensitive):
    response = client_for(getattr(case_world, persona)).get(f"/cases/export.csv?type={config.case_type.pk}")
    text = response.content.decode()
    assert response.status_code == 200
    assert case_a.number in text
    assert ("Relato reservado" in text, "Account" in text.splitlines()[0]) == (sees_sensitive, sees_sensitive)


def test_denied_post_changes_nothing(case_world, config, case_a):
    mark = audit_mark()
    response = client_for(case_world.caseworker_b).post(
        f"/cases/{case_a.pk}/reclassify/",
        {
            "classification": config.case_type.classifications.get(code="asistencia").pk,
            "reason": "x",
            "version": 1,
        },
    )
    assert response.status_code == 404
    assert Case.objects.get(pk=case_a.pk).classification.code == "orientacion"
    assert [row[0] for row in audit_since(mark) if row[0] != AuditAction.LOGIN_SUCCEEDED] == [
        AuditAction.ACCESS_DENIED
    ]


@pytest.fixture
def several(case_world, config, person_a):
    other = PersonFactory(org_unit=case_world.unit_a, given_names="Luis")
    answers = [
        (person_a, "violencia", "2026-01-10", 9, "Parque central"),
        (person_a, "abandono", "2026-02-15", 14, "Terminal"),
        (other, "violencia", "2026-03-20", 16, "Terminal norte"),
        (other, "migracion", "2026-04-01", 5, "Frontera"),
    ]
    return [
        services.case_open(
            actor=case_world.caseworker_a,
            data=CaseOpenInput(
                case_type=config.case_type,
                person=person,
                org_unit=case_world.unit_a,
                opened_on=datetime.date(2026, 5, 1),
                forms={
                    config.registration.identifier: {
                        "motivo": motivo,
                        "fecha_ingreso": fecha,
                        "edad": edad,
                        "lugar": lugar,
                        "necesidades": ["salud"] if edad < 10 else [],
                    }
                },
            ),
        )
        for person, motivo, fecha, edad, lugar in answers
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"motivo": "violencia"}, [0, 2]),
        ({"motivo": "violencia", "fecha_ingreso.from": "2026-02-01"}, [2]),
        ({"fecha_ingreso.from": "2026-02-01", "fecha_ingreso.to": "2026-03-31"}, [1, 2]),
        ({"edad.from": "10", "edad.to": "15"}, [1]),
        ({"lugar": "terminal"}, [1, 2]),
        ({"necesidades": "salud"}, [0, 3]),
    ],
)
def test_list_filters_over_form_answers(case_world, config, several, params, expected):
    query = {
        "type": config.case_type.pk,
        **{f"f.{config.registration.pk}.{key}": value for key, value in params.items()},
    }
    response = client_for(case_world.caseworker_a).get("/cases/", query)
    shown = sorted(case.pk for case in response.context["cases"])
    assert shown == sorted(several[index].pk for index in expected)


def test_list_counts_persons_and_cases_and_audits(case_world, config, several):
    client = client_for(case_world.caseworker_a)
    mark = audit_mark()
    response = client.get("/cases/", {"type": config.case_type.pk})
    counts = response.context["counts"]
    assert (counts.persons, counts.cases) == (2, 4)
    assert "2 persons · 4 cases" in " ".join(response.content.decode().split())
    rows = [row for row in audit_since(mark) if row[0] == AuditAction.CASE_LISTED]
    assert sorted(rows[0][3]["shown"]) == sorted(case.pk for case in several)


def test_saved_filters_are_per_user(case_world, config):
    client_for(case_world.caseworker_a).post("/cases/filters/", {"name": "Violencia", "query": "type=1&x=2"})
    assert list(SavedFilter.objects.values_list("user__username", "name", "query")) == [
        ("caseworker_a", "Violencia", "type=1&x=2")
    ]
    response = client_for(case_world.caseworker_b).get("/cases/")
    assert list(response.context["saved_filters"]) == []


def test_person_page_loads_its_cases_section(case_world, case_a, person_a):
    page = client_for(case_world.caseworker_a).get(f"/registry/persons/{person_a.pk}/")
    assert f'hx-get="/cases/persons/{person_a.pk}/"' in page.content.decode()

    mark = audit_mark()
    response = client_for(case_world.caseworker_a).get(f"/cases/persons/{person_a.pk}/")
    assert response.status_code == 200
    assert case_a.number in response.content.decode()
    assert "1 case · 0 interventions" in " ".join(response.content.decode().split())
    rows = [row for row in audit_since(mark) if row[0] == AuditAction.CASE_LISTED]
    assert [row[3]["shown"] for row in rows] == [[case_a.pk]]
    hidden = client_for(case_world.supervisor_mx).get(f"/cases/persons/{person_a.pk}/")
    assert case_a.number in hidden.content.decode()


def test_cases_section_of_a_person_outside_scope_is_not_found(case_world, person_a):
    response = client_for(case_world.caseworker_b).get(f"/cases/persons/{person_a.pk}/")

    assert response.status_code == 404


def test_open_case_page_validates_and_opens(case_world, config, person_a):
    client = client_for(case_world.caseworker_a)
    url = f"/cases/new/?type={config.case_type.pk}&person={person_a.pk}"
    assert client.get(url).status_code == 200
    bad = client.post(
        "/cases/new/",
        {
            "type": config.case_type.pk,
            "person": person_a.pk,
            "org_unit": case_world.unit_a.pk,
            "f:acompanado": "yes",
        },
    )
    assert bad.status_code == 200
    assert Case.objects.exists() is False
    good = client.post(
        "/cases/new/",
        {
            "type": config.case_type.pk,
            "person": person_a.pk,
            "org_unit": case_world.unit_a.pk,
            "f:motivo": "abandono",
        },
    )
    case = Case.objects.get()
    assert good.status_code == 302
    assert case.form_records.get().data == {"motivo": "abandono"}


def test_case_page_says_when_there_is_no_history_yet(case_world, config, case_a, person_a):
    # given a case opened without a classification (no change to list) and one opened with one
    bare = services.case_open(
        actor=case_world.caseworker_a,
        data=CaseOpenInput(case_type=config.case_type, person=person_a, org_unit=case_world.unit_a),
    )
    client = client_for(case_world.caseworker_a)
    # when
    bare_page = client.get(f"/cases/{bare.pk}/").content.decode()
    classified_page = client.get(f"/cases/{case_a.pk}/").content.decode()
    # then
    assert "No classification or status changes yet." in bare_page
    assert "No classification or status changes yet." not in classified_page
    assert 'data-testid="classification-change"' in classified_page
