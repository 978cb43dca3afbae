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
MPE_CATEGORIES = (
    "derecho_vulnerado",
    "origen_demanda",
    "ambito_cumplimiento",
    "tipo_dispositivo",
    "situacion_al_cese",
)
MPJ_CATEGORIES = (
    "tipo_medida_penal",
    "dispositivo",
    "delito_imputado",
    "situacion_procesal",
    "motivo_egreso",
)
CATEGORIES = {"runac_mpi": MPI_CATEGORIES, "runac_mpe": MPE_CATEGORIES, "runac_mpj": MPJ_CATEGORIES}


def _load_with(world, monkeypatch, definitions: dict[str, dict], *, legajo_form: bool) -> None:
    """Load the starter configuration with earlier definitions of some forms (as an older version did)."""
    with monkeypatch.context() as patched:
        for identifier, definition in definitions.items():
            title_es, title_en, _definition = starter.FORMS[identifier]
            patched.setitem(starter.FORMS, identifier, (title_es, title_en, definition))
        if not legajo_form:
            patched.setattr(starter, "RUNAC_TYPE_FORMS", [])
        starter_config_load(org_unit=world.regional)


@pytest.fixture
def previous_starter(world, monkeypatch):
    """A database loaded by the first starter configuration: MPI, MPE, MPJ free text, no legajo form."""
    first = {
        "runac_mpi": starter.RUNAC_MPI_V1,
        "runac_mpe": starter.RUNAC_MPE_V1,
        "runac_mpj": starter.RUNAC_MPJ_V1,
    }
    _load_with(world, monkeypatch, first, legajo_form=False)
    return world


@pytest.fixture
def mpi_lists_starter(world, monkeypatch):
    """A database loaded by the configuration after it: MPI select lists and legajo form, MPE and MPJ
    still free text."""
    first = {"runac_mpe": starter.RUNAC_MPE_V1, "runac_mpj": starter.RUNAC_MPJ_V1}
    _load_with(world, monkeypatch, first, legajo_form=True)
    return world


def _types(form: Form, version: FormVersion | None = None) -> list[str]:
    definition = definition_of(version or latest_version(form))
    return [definition.field(name).type for name in CATEGORIES[form.identifier]]


def test_mpi_categories_are_select_lists_with_local_codes(world):
    starter_config_load(org_unit=world.regional)
    mpi = Form.objects.get(identifier="runac_mpi")
    assert _types(mpi) == ["select_one"] * 4
    definition = definition_of(latest_version(mpi))
    values = [item.value for item in definition.option_list("tipo_mpi").options]
    assert values[:3] == ["entrevista", "visita_domiciliaria", "derivacion"]


def test_mpe_and_mpj_categories_are_select_lists_with_local_codes(world):
    starter_config_load(org_unit=world.regional)
    mpi = definition_of(latest_version(Form.objects.get(identifier="runac_mpi")))
    mpe_form, mpj_form = Form.objects.get(identifier="runac_mpe"), Form.objects.get(identifier="runac_mpj")
    assert _types(mpe_form) == ["select_one"] * 5
    assert _types(mpj_form) == ["select_one"] * 5
    mpe, mpj = definition_of(latest_version(mpe_form)), definition_of(latest_version(mpj_form))

    def values(definition, name: str) -> list[str]:
        return [item.value for item in definition.option_list(definition.field(name).options).options]

    # the same rights and origins as the MPI form
    for name in ("derecho_vulnerado", "origen_demanda"):
        assert values(mpe, name) == values(mpi, name)
    assert values(mpe, "ambito_cumplimiento") == [
        "familia_ampliada",
        "referente_afectivo",
        "acogimiento",
        "hogar",
        "terapeutico",
        "otro",
    ]
    assert values(mpj, "delito_imputado")[:4] == ["robo", "hurto", "danos", "lesiones"]
    assert values(mpj, "situacion_procesal") == ["procesado", "responsable", "sobreseido", "sin_dato"]
    # labels in Spanish and English; the conditions and the offence's sensitivity as before
    option = mpe.option_list("situacion_al_cese").options[2]
    assert (option.value, option.label) == (
        "guarda_adoptiva",
        {"es": "Guarda con fines de adopción", "en": "Pre-adoptive placement"},
    )
    assert mpe.field("situacion_al_cese").relevant == "${tipo_intervencion} = 'CESE_MPE'"
    assert mpj.field("motivo_egreso").relevant == "${tipo_movimiento} = 'EGRESO'"
    assert mpj.field("delito_imputado").sensitivity == 2


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
    mpe, mpj = Form.objects.get(identifier="runac_mpe"), Form.objects.get(identifier="runac_mpj")
    assert (_types(mpe), _types(mpj)) == (["text"] * 5, ["text"] * 5)
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
    # and so do the MPE and MPJ forms
    for form in (mpe, mpj):
        first, second = form.versions.order_by("number")
        assert (_types(form, first), _types(form, second)) == (["text"] * 5, ["select_one"] * 5)
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
    assert (FormVersion.objects.count(), AuditEvent.objects.count()) == (13 + 3, events)


def test_loading_again_publishes_the_mpe_and_mpj_lists_after_the_mpi_ones(mpi_lists_starter):
    mpe, mpj = Form.objects.get(identifier="runac_mpe"), Form.objects.get(identifier="runac_mpj")
    assert (_types(mpe), _types(mpj)) == (["text"] * 5, ["text"] * 5)
    versions = FormVersion.objects.count()
    # when the starter configuration is loaded again
    call_command("load_starter_config")
    # then the MPE and MPJ forms have a second version with the select lists, and nothing else changed
    assert (_types(mpe), _types(mpj)) == (["select_one"] * 5, ["select_one"] * 5)
    assert [item.number for item in mpe.versions.order_by("number")] == [1, 2]
    assert [item.number for item in mpj.versions.order_by("number")] == [1, 2]
    assert Form.objects.get(identifier="runac_mpi").versions.count() == 1
    assert FormVersion.objects.count() == versions + 2
    events = AuditEvent.objects.count()
    call_command("load_starter_config")
    assert (FormVersion.objects.count(), AuditEvent.objects.count()) == (versions + 2, events)


def test_a_locally_edited_mpe_form_is_left_alone_and_the_mpj_form_upgraded(mpi_lists_starter):
    mpe = Form.objects.get(identifier="runac_mpe")
    edited = starter._starter_source("runac_mpe", starter.RUNAC_MPE_V1)
    edited["sections"][0]["fields"][2]["label"] = {"es": "Motivo de la medida"}
    forms_services.form_draft_save(actor=None, form=mpe, definition=edited)
    forms_services.form_publish(actor=None, form=mpe)
    call_command("load_starter_config")
    assert (mpe.versions.count(), _types(mpe)) == (2, ["text"] * 5)
    assert definition_of(latest_version(mpe)).field("motivo").label == {"es": "Motivo de la medida"}
    mpj = Form.objects.get(identifier="runac_mpj")
    assert (mpj.versions.count(), _types(mpj)) == (2, ["select_one"] * 5)


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
