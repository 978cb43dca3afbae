import pytest

from amparo.audit.choices import AuditAction
from amparo.cases.models import Case, CaseFormRecord, Intervention
from amparo.common.tests.api_support import audit_mark, audit_since, bearer_client

# persona → (status, sees the sensitive "relato")
DETAIL = {
    "caseworker_a": (200, False),
    "own_worker_a": (404, None),
    "supervisor_mx": (200, True),
    "national_admin": (200, True),
    "basic_viewer_a": (200, False),
    "caseworker_b": (404, None),
    "unit_admin_a": (404, None),
    "auditor": (404, None),
}


@pytest.mark.parametrize(("persona", "expected"), DETAIL.items())
def test_detail_by_persona(case_world, case_a, persona, expected):
    # given
    user = getattr(case_world, persona)
    mark = audit_mark()
    # when
    response = bearer_client(user).get(f"/api/v1/cases/{case_a.pk}/")
    # then
    status, sees_sensitive = expected
    assert response.status_code == status
    if status == 404:
        assert response.json()["error"]["code"] == "not_found"
        assert audit_since(mark) == [
            (AuditAction.ACCESS_DENIED, "cases.case", str(case_a.pk), {"permission": "case.view"})
        ]
        return
    data = response.json()["forms"][case_a.case_type.type_forms.get(purpose="registration").form.identifier]
    assert data["version"] == 1
    assert ("relato" in data["data"]) is sees_sensitive
    if persona == "basic_viewer_a":  # BASIC clearance
        assert data["data"] == {
            "motivo": "violencia",
            "fecha_ingreso": "2026-03-01",
            "edad": 12,
            "lugar": "Terminal de autobuses",
            "acompanado": False,
        }
    assert audit_since(mark) == [(AuditAction.CASE_VIEWED, "cases.case", str(case_a.pk), {"via": "api"})]


def test_anonymous_gets_401(case_a):
    assert bearer_client(None).get(f"/api/v1/cases/{case_a.pk}/").status_code == 401


@pytest.mark.parametrize(
    ("persona", "shown"),
    [
        ("caseworker_a", 1),
        ("supervisor_mx", 1),
        ("caseworker_b", 0),
        ("own_worker_a", 0),
        ("national_admin", 1),
    ],
)
def test_list_by_persona_audits_ids(case_world, case_a, persona, shown):
    mark = audit_mark()
    response = bearer_client(getattr(case_world, persona)).get("/api/v1/cases/")
    assert response.status_code == 200
    body = response.json()
    assert [row["id"] for row in body["results"]] == ([case_a.pk] if shown else [])
    assert body["counts"] == {
        "persons": shown,
        "persons_capped": False,
        "cases": shown,
        "cases_capped": False,
    }
    assert audit_since(mark) == [
        (
            AuditAction.CASE_LISTED,
            "cases.case",
            "",
            {"shown": [case_a.pk] if shown else [], "via": "api", "page": 1, "filters": []},
        )
    ]


def test_list_without_permission_is_403(case_world, case_a):
    assert bearer_client(case_world.auditor).get("/api/v1/cases/").status_code == 403


def test_create_validates_form_answers_with_paths(case_world, config, person_a):
    mark = audit_mark()
    response = bearer_client(case_world.caseworker_a).post(
        "/api/v1/cases/",
        {
            "person": person_a.pk,
            "case_type": "prot",
            "forms": {"prot_registro": {"edad": "doce", "acompanado": True, "fecha_ingreso": "31/02/2026"}},
        },
        format="json",
    )
    assert response.status_code == 400
    assert sorted(response.json()["error"]["fields"]) == [
        "forms.prot_registro.acompanante",
        "forms.prot_registro.edad",
        "forms.prot_registro.fecha_ingreso",
        "forms.prot_registro.motivo",
    ]
    assert Case.objects.exists() is False
    assert audit_since(mark) == []


def test_create_opens_case(case_world, config, person_a):
    response = bearer_client(case_world.caseworker_a).post(
        "/api/v1/cases/",
        {
            "person": person_a.pk,
            "case_type": "prot",
            "classification": "asistencia",
            "risk_level": "high",
            "forms": {"prot_registro": {"motivo": "migracion", "acompanado": True, "acompanante": "Tía"}},
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["classification"], body["risk_level"], body["status"]) == ("asistencia", "high", "open")
    assert body["forms"]["prot_registro"]["data"] == {
        "motivo": "migracion",
        "acompanado": True,
        "acompanante": "Tía",
    }
    assert body["number"].startswith("PROT-UNIT-A-")


def test_create_for_a_person_out_of_scope_is_404(case_world, config, person_a):
    response = bearer_client(case_world.caseworker_b).post(
        "/api/v1/cases/",
        {"person": person_a.pk, "case_type": "prot", "forms": {"prot_registro": {"motivo": "abandono"}}},
        format="json",
    )
    assert response.status_code == 404
    assert Case.objects.exists() is False


@pytest.mark.parametrize(
    ("persona", "status"),
    [("caseworker_a", 200), ("caseworker_b", 404), ("basic_viewer_a", 404), ("own_worker_a", 404)],
)
def test_patch_by_persona(case_world, case_a, persona, status):
    before = CaseFormRecord.objects.get(case=case_a).data
    response = bearer_client(getattr(case_world, persona)).patch(
        f"/api/v1/cases/{case_a.pk}/", {"version": 1, "risk_level": "critical"}, format="json"
    )
    assert response.status_code == status
    case = Case.objects.get(pk=case_a.pk)
    assert (case.risk_level, case.version) == (("critical", 2) if status == 200 else ("low", 1))
    assert CaseFormRecord.objects.get(case=case_a).data == before


def test_patch_validates_answers_and_conflicts(case_world, case_a):
    client = bearer_client(case_world.caseworker_a)
    bad = client.patch(
        f"/api/v1/cases/{case_a.pk}/",
        {"version": 1, "forms": {"prot_registro": {"motivo": "x"}}},
        format="json",
    )
    assert bad.status_code == 400
    assert list(bad.json()["error"]["fields"]) == ["forms.prot_registro.motivo"]
    stale = client.patch(f"/api/v1/cases/{case_a.pk}/", {"version": 7, "risk_level": "high"}, format="json")
    assert stale.status_code == 409
    assert stale.json()["error"]["current_version"] == 1


def test_reclassify_close_reopen(case_world, case_a):
    client = bearer_client(case_world.supervisor_mx)
    response = client.post(
        f"/api/v1/cases/{case_a.pk}/reclassify/",
        {"version": 1, "classification": "proteccion", "reason": "Detención"},
        format="json",
    )
    assert response.json()["classification"] == "proteccion"
    assert (
        client.post(
            f"/api/v1/cases/{case_a.pk}/close/", {"version": 2, "reason": "Fin"}, format="json"
        ).json()["status"]
        == "closed"
    )
    assert (
        client.post(
            f"/api/v1/cases/{case_a.pk}/reopen/", {"version": 3, "reason": "Otra vez"}, format="json"
        ).json()["status"]
        == "reopened"
    )


def test_caseworker_cannot_close(case_world, case_a):
    response = bearer_client(case_world.caseworker_a).post(
        f"/api/v1/cases/{case_a.pk}/close/", {"version": 1, "reason": "Fin"}, format="json"
    )
    assert response.status_code == 404
    assert Case.objects.get(pk=case_a.pk).status == "open"


def test_intervention_validated_and_redacted(case_world, case_a):
    client = bearer_client(case_world.supervisor_mx)
    bad = client.post(
        f"/api/v1/cases/{case_a.pk}/interventions/", {"type": "visita", "data": {}}, format="json"
    )
    assert (bad.status_code, list(bad.json()["error"]["fields"])) == (400, ["data.hallazgos"])
    good = client.post(
        f"/api/v1/cases/{case_a.pk}/interventions/",
        {
            "type": "visita",
            "occurred_on": "2026-03-05",
            "data": {"hallazgos": "Vivienda precaria", "observacion_reservada": "Indicios"},
        },
        format="json",
    )
    assert good.status_code == 201
    assert Intervention.objects.get().data == {
        "hallazgos": "Vivienda precaria",
        "observacion_reservada": "Indicios",
    }
    seen_by_caseworker = bearer_client(case_world.caseworker_a).get(f"/api/v1/cases/{case_a.pk}/").json()
    assert seen_by_caseworker["interventions"][0]["data"] == {"hallazgos": "Vivienda precaria"}
