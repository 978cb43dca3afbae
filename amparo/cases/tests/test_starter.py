from django.core.management import call_command

from amparo.accounts.models import Role
from amparo.cases.models import CaseType, CaseTypeForm, InterventionType
from amparo.forms.models import Form, FormVersion


def test_loads_published_forms_and_case_types_once(world):
    call_command("load_starter_config")
    call_command("load_starter_config")
    assert sorted(CaseType.objects.values_list("code", flat=True)) == [
        "medidas_runac",
        "proteccion_consular",
        "proteccion_nna",
    ]
    assert Form.objects.count() == 12
    assert FormVersion.objects.count() == 12
    assert list(
        CaseTypeForm.objects.filter(case_type__code="proteccion_nna").values_list("purpose", flat=True)
    ) == ["registration", "assessment", "case_plan", "follow_up", "closure"]
    assert sorted(
        InterventionType.objects.filter(case_type__code="medidas_runac").values_list(
            "code", "form__identifier"
        )
    ) == [("mpe", "runac_mpe"), ("mpi", "runac_mpi"), ("mpj", "runac_mpj")]
    assert sorted(
        InterventionType.objects.filter(case_type__code="proteccion_nna").values_list(
            "code", "form__identifier"
        )
    ) == [
        ("derivacion", None),
        ("reunificacion", "pna_reunificacion"),
        ("visita_domiciliaria", "pna_visita"),
    ]


def test_demo_roles_get_case_permissions(world):
    before = list(world.caseworker_role.permissions)  # the shared world's role has the demo's name
    call_command("load_starter_config", "--demo-roles")
    assert Role.objects.get(name="Trabajador/a de casos").permissions == [
        *before,
        "case.view",
        "case.create",
        "case.edit",
    ]
