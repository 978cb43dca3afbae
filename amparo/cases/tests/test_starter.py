import pytest
from django.core.management import call_command

from amparo.accounts.models import Role
from amparo.audit.models import AuditEvent
from amparo.cases import starter
from amparo.cases.models import CaseType, CaseTypeForm, InterventionType
from amparo.cases.starter import starter_config_load
from amparo.forms import services as forms_services
from amparo.forms.models import Form, FormVersion
from amparo.forms.selectors import definition_of, latest_version

MPI_CATEGORIES = ("tipo_intervencion", "derecho_vulnerado", "origen_demanda", "motivo_cierre")


@pytest.fixture
def previous_starter(world, monkeypatch):
    """A database loaded by the previous starter configuration: MPI free text, no legajo form."""
    with monkeypatch.context() as patched:
        title_es, title_en, _definition = starter.FORMS["runac_mpi"]
        patched.setitem(starter.FORMS, "runac_mpi", (title_es, title_en, starter.RUNAC_MPI_V1))
        patched.setattr(starter, "RUNAC_TYPE_FORMS", [])
        starter_config_load(org_unit=world.regional)
    return world


def _types(form: Form, version: FormVersion | None = None) -> list[str]:
    definition = definition_of(version or latest_version(form))
    return [definition.field(name).type for name in MPI_CATEGORIES]


def test_mpi_categories_are_select_lists_with_local_codes(world):
    starter_config_load(org_unit=world.regional)
    mpi = Form.objects.get(identifier="runac_mpi")
    assert _types(mpi) == ["select_one"] * 4
    definition = definition_of(latest_version(mpi))
    values = [item.value for item in definition.option_list("tipo_mpi").options]
    assert values[:3] == ["entrevista", "visita_domiciliaria", "derivacion"]


def test_legajo_form_asks_the_runac_personal_context(world):
    starter_config_load(org_unit=world.regional)
    definition = definition_of(latest_version(Form.objects.get(identifier="runac_legajo")))
    names = [item.name for item in definition.all_fields()]
    assert names == [
        "pueblo_originario",
        "escolarizado",
        "nivel_educativo",
        "discapacidad",
        "cud",
        "documentado",
    ]
    # predefined RUNac columns take the national values themselves
    assert [item.value for item in definition.option_list("si_no_sin_dato").options] == [
        "SI",
        "NO",
        "SIN_DATO",
    ]
    assert definition.field("cud").relevant == "${discapacidad} = 'SI'"


def test_loading_again_brings_a_previous_starter_configuration_up_to_date(previous_starter):
    mpi = Form.objects.get(identifier="runac_mpi")
    assert _types(mpi) == ["text"] * 4
    assert not Form.objects.filter(identifier="runac_legajo").exists()
    runac = CaseType.objects.get(code="medidas_runac")
    runac.classifications.filter(code="migratorio").update(name_es="Migrante (local)")
    # when the starter configuration is loaded again
    call_command("load_starter_config")
    # then the MPI form has a new version with select lists, the first one kept for its records
    first, second = mpi.versions.order_by("number")
    assert (first.number, second.number) == (1, 2)
    assert _types(mpi, first) == ["text"] * 4
    assert _types(mpi, second) == ["select_one"] * 4
    # and the legajo form is created and becomes the RUNac type's registration form
    assert list(CaseTypeForm.objects.filter(case_type=runac).values_list("form__identifier", "purpose")) == [
        ("runac_legajo", "registration")
    ]
    # without touching what an administrator changed, nor the intervention types
    assert runac.classifications.get(code="migratorio").name_es == "Migrante (local)"
    assert sorted(
        runac.intervention_types.filter(is_active=True).values_list("code", "form__identifier")
    ) == [
        ("mpe", "runac_mpe"),
        ("mpi", "runac_mpi"),
        ("mpj", "runac_mpj"),
    ]
    # and a third load changes nothing
    events = AuditEvent.objects.count()
    call_command("load_starter_config")
    assert (FormVersion.objects.count(), AuditEvent.objects.count()) == (13 + 1, events)


def test_a_locally_edited_starter_form_is_left_alone(previous_starter):
    mpi = Form.objects.get(identifier="runac_mpi")
    edited = starter._starter_source("runac_mpi", starter.RUNAC_MPI_V1)
    edited["sections"][0]["fields"][2]["label"] = {"es": "Motivo (según la provincia)"}
    forms_services.form_draft_save(actor=None, form=mpi, definition=edited)
    forms_services.form_publish(actor=None, form=mpi)
    call_command("load_starter_config")
    assert mpi.versions.count() == 2
    assert _types(mpi) == ["text"] * 4


def test_a_pending_draft_is_not_overwritten(previous_starter):
    mpi = Form.objects.get(identifier="runac_mpi")
    draft = starter._starter_source("runac_mpi", starter.RUNAC_MPI_V1)
    draft["sections"][0]["fields"][2]["label"] = {"es": "Motivo (borrador)"}
    forms_services.form_draft_save(actor=None, form=mpi, definition=draft)
    call_command("load_starter_config")
    mpi.refresh_from_db()
    assert mpi.versions.count() == 1
    assert mpi.draft["sections"][0]["fields"][2]["label"] == {"es": "Motivo (borrador)"}


def test_the_legajo_form_joins_as_other_when_the_type_has_a_registration_form(previous_starter):
    runac = CaseType.objects.get(code="medidas_runac")
    CaseTypeForm.objects.create(
        case_type=runac, form=Form.objects.get(identifier="pna_registro"), purpose="registration"
    )
    call_command("load_starter_config")
    assert list(CaseTypeForm.objects.filter(case_type=runac).values_list("form__identifier", "purpose")) == [
        ("pna_registro", "registration"),
        ("runac_legajo", "other"),
    ]


def test_loads_published_forms_and_case_types_once(world):
    call_command("load_starter_config")
    call_command("load_starter_config")
    assert sorted(CaseType.objects.values_list("code", flat=True)) == [
        "medidas_runac",
        "proteccion_consular",
        "proteccion_nna",
    ]
    assert Form.objects.count() == 13
    assert FormVersion.objects.count() == 13
    assert list(
        CaseTypeForm.objects.filter(case_type__code="proteccion_nna").values_list("purpose", flat=True)
    ) == ["registration", "assessment", "case_plan", "follow_up", "closure"]
    assert list(
        CaseTypeForm.objects.filter(case_type__code="medidas_runac").values_list(
            "form__identifier", "purpose"
        )
    ) == [("runac_legajo", "registration")]
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
