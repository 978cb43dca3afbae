import datetime

import pytest

from amparo.cases import services
from amparo.cases.models import Case, CaseFormRecord, CaseNumberCounter, CaseType, ClassificationChange
from amparo.cases.services import CaseOpenInput, FormDataInvalidError
from amparo.common.errors import ConflictError


def test_opens_with_number_version_and_clean_answers(case_world, config, case_a):
    record = CaseFormRecord.objects.get(case=case_a)
    assert case_a.number == "PROT-UNIT-A-2026-000001"
    assert record.form_version.number == 1
    assert record.data == {
        "motivo": "violencia",
        "fecha_ingreso": "2026-03-01",
        "edad": 12,
        "lugar": "Terminal de autobuses",
        "acompanado": False,
        "relato": "Relato reservado",
    }
    assert case_a.owner == case_world.caseworker_a


def test_numbers_follow_per_unit_and_year(case_world, config, person_a, case_a):
    second = services.case_open(
        actor=case_world.caseworker_a,
        data=CaseOpenInput(
            case_type=config.case_type,
            person=person_a,
            org_unit=case_world.unit_a,
            opened_on=datetime.date(2026, 5, 1),
            forms={config.registration.identifier: {"motivo": "abandono"}},
        ),
    )
    next_year = services.case_open(
        actor=case_world.caseworker_a,
        data=CaseOpenInput(
            case_type=config.case_type,
            person=person_a,
            org_unit=case_world.unit_a,
            opened_on=datetime.date(2027, 1, 2),
            forms={config.registration.identifier: {"motivo": "abandono"}},
        ),
    )
    assert second.number == "PROT-UNIT-A-2026-000002"
    assert next_year.number == "PROT-UNIT-A-2027-000001"


def test_number_is_unique_in_the_database(case_a):
    from django.db import IntegrityError, transaction

    duplicate = Case(
        number=case_a.number,
        case_type=case_a.case_type,
        person=case_a.person,
        org_unit=case_a.org_unit,
        owner=case_a.owner,
        opened_on=case_a.opened_on,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_invalid_answers_report_every_path_and_open_nothing(case_world, config, person_a):
    with pytest.raises(FormDataInvalidError) as caught:
        services.case_open(
            actor=case_world.caseworker_a,
            data=CaseOpenInput(
                case_type=config.case_type,
                person=person_a,
                org_unit=case_world.unit_a,
                forms={config.registration.identifier: {"edad": 30, "acompanado": True}},
            ),
        )
    assert sorted(caught.value.fields[config.registration.identifier]) == ["acompanante", "edad", "motivo"]
    assert Case.objects.exists() is False


def test_reclassify_keeps_history(case_world, config, case_a):
    assistance = config.case_type.classifications.get(code="asistencia")
    protection = config.case_type.classifications.get(code="proteccion")
    services.case_reclassify(
        actor=case_world.caseworker_a,
        case=case_a,
        classification=assistance,
        reason="Necesita documentos",
        expected_version=1,
    )
    services.case_reclassify(
        actor=case_world.caseworker_a,
        case=case_a,
        classification=protection,
        reason="Detenido",
        expected_version=2,
    )
    history = list(
        ClassificationChange.objects.filter(case=case_a).values_list(
            "from_classification__code", "to_classification__code", "reason", "changed_by__username"
        )
    )
    assert history == [
        (None, "orientacion", "", "caseworker_a"),
        ("orientacion", "asistencia", "Necesita documentos", "caseworker_a"),
        ("asistencia", "proteccion", "Detenido", "caseworker_a"),
    ]
    assert Case.objects.get(pk=case_a.pk).classification == protection


def test_stale_version_is_refused(case_world, config, case_a):
    assistance = config.case_type.classifications.get(code="asistencia")
    services.case_update(actor=case_world.caseworker_a, case=case_a, expected_version=1, risk_level="high")
    with pytest.raises(ConflictError):
        services.case_reclassify(
            actor=case_world.caseworker_a,
            case=Case.objects.get(pk=case_a.pk),
            classification=assistance,
            reason="x",
            expected_version=1,
        )
    assert Case.objects.get(pk=case_a.pk).classification.code == "orientacion"


def test_close_and_reopen_need_reasons_and_keep_status_history(case_world, case_a):
    closed = services.case_close(
        actor=case_world.supervisor_mx, case=case_a, reason="Reintegrado", expected_version=1
    )
    assert (closed.status, closed.closed_on is not None) == ("closed", True)
    reopened = services.case_reopen(
        actor=case_world.supervisor_mx, case=closed, reason="Nueva denuncia", expected_version=2
    )
    assert (reopened.status, reopened.closed_on) == ("reopened", None)
    assert list(case_a.status_changes.values_list("from_status", "to_status", "reason")) == [
        ("open", "closed", "Reintegrado"),
        ("closed", "reopened", "Nueva denuncia"),
    ]


def test_editor_below_clearance_keeps_hidden_answer(case_world, config, case_a):
    # caseworker_a has RESTRICTED clearance: "relato" (SENSITIVE) is never shown to them, and saving keeps it.
    services.case_form_save(
        actor=case_world.caseworker_a,
        case=case_a,
        form=config.registration,
        data={"motivo": "abandono", "relato": "sobrescrito"},
        expected_version=1,
    )
    assert CaseFormRecord.objects.get(case=case_a).data == {
        "motivo": "abandono",
        "relato": "Relato reservado",
    }


def test_units_with_the_longest_codes_get_numbers(case_world, config, person_a):
    case_world.unit_a.code = "x" * 60
    case_world.unit_a.save(update_fields=["code"])

    case = services.case_open(
        actor=case_world.caseworker_a,
        data=CaseOpenInput(
            case_type=config.case_type,
            person=person_a,
            org_unit=case_world.unit_a,
            opened_on=datetime.date(2026, 5, 1),
            forms={config.registration.identifier: {"motivo": "abandono"}},
        ),
    )

    case.refresh_from_db()
    assert case.number == f"PROT-{'X' * 60}-2026-000001"


def test_the_longest_prefix_unit_code_and_sequence_fit_the_number_column(case_world, config, person_a):
    """docs/cases.md once noted `CONS-MX-SRE-HOUSTON-PROTECCION-2026-000001` (42 characters) overflowing a
    40-character column: the column now holds the longest number the parts allow (12 + 60 + year +
    a sequence past a million)."""
    config.case_type.number_prefix = "P" * CaseType._meta.get_field("number_prefix").max_length
    config.case_type.save(update_fields=["number_prefix"])
    case_world.unit_a.code = "mx-sre-houston-proteccion-" + "y" * 34
    case_world.unit_a.save(update_fields=["code"])
    CaseNumberCounter.objects.create(
        case_type=config.case_type, org_unit=case_world.unit_a, year=2026, last_number=999_999
    )

    case = services.case_open(
        actor=case_world.caseworker_a,
        data=CaseOpenInput(
            case_type=config.case_type,
            person=person_a,
            org_unit=case_world.unit_a,
            opened_on=datetime.date(2026, 5, 1),
            forms={config.registration.identifier: {"motivo": "abandono"}},
        ),
    )

    case.refresh_from_db()
    assert case.number == f"{'P' * 12}-MX-SRE-HOUSTON-PROTECCION-{'Y' * 34}-2026-1000000"
    assert len(case.number) == 86 <= Case._meta.get_field("number").max_length
