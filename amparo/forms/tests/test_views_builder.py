"""Form builder pages: who may use them (FORM_MANAGE on the form's unit) and what each one does."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from amparo.accounts.choices import Permission, Scope, Sensitivity
from amparo.accounts.services import role_create, role_grant, user_create
from amparo.audit.choices import AuditAction
from amparo.audit.models import AuditEvent
from amparo.forms import selectors
from amparo.forms.models import Form, FormVersion
from amparo.forms.tests.factories import form_with, registration_definition
from amparo.forms.tests.workbooks import broken_registration, cpims_registration
from amparo.registry.tests.views_support import audit_since, client_as, last_sequence


@pytest.fixture
def form_manager_a(world):
    """Builds forms of unit A only (FORM_MANAGE with the UNIT scope)."""
    role = role_create(
        actor=None,
        name="Diseño de formularios",
        permissions=[Permission.FORM_MANAGE],
        sensitivity_clearance=Sensitivity.BASIC,
    )
    user = user_create(
        actor=None, username="form_manager_a", password="x-very-long-password", home_unit=world.unit_a
    )
    role_grant(actor=None, user=user, role=role, org_unit=world.unit_a, scope=Scope.UNIT)
    return user


def persona(world, form_manager_a, name):
    return form_manager_a if name == "form_manager_a" else world.personas()[name]


READERS = [
    ("national_admin", 200, 200),
    ("form_manager_a", 200, 404),
    ("caseworker_a", 404, 404),
    ("supervisor_mx", 404, 404),
    ("auditor", 404, 404),
    ("inactive_a", 302, 302),
    ("anonymous", 302, 302),
]


@pytest.mark.parametrize(("name", "on_unit_a", "on_unit_b"), READERS)
@pytest.mark.parametrize(
    "page", ["", "preview/", "versions/", "versions/1/", "export/", "fields/nombre/edit/"]
)
def test_builder_pages_need_form_manage_on_the_forms_unit(
    world, form_manager_a, name, on_unit_a, on_unit_b, page
):
    form_a, _version = form_with(registration_definition(), unit=world.unit_a, identifier="form_a")
    form_b, _version = form_with(registration_definition(), unit=world.unit_b, identifier="form_b")
    client = client_as(persona(world, form_manager_a, name))

    statuses = (
        client.get(f"/forms/{form_a.pk}/{page}").status_code,
        client.get(f"/forms/{form_b.pk}/{page}").status_code,
    )

    assert statuses == (on_unit_a, on_unit_b)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("national_admin", 302), ("form_manager_a", 404), ("caseworker_b", 404), ("anonymous", 302)],
)
def test_publishing_needs_form_manage_and_denials_change_nothing(world, form_manager_a, name, expected):
    form, _version = form_with(registration_definition(), unit=world.unit_b, publish=False)
    before = last_sequence()

    response = client_as(persona(world, form_manager_a, name)).post(f"/forms/{form.pk}/publish/")

    assert response.status_code == expected
    published = FormVersion.objects.filter(form=form).exists()
    assert published is (name == "national_admin")
    actions = [action for action, _type, _id in audit_since(before)]
    if name == "national_admin":
        assert actions == [AuditAction.FORM_PUBLISHED]
    elif name == "anonymous":
        assert actions == []
    else:
        assert actions == [AuditAction.ACCESS_DENIED]


def test_form_list_shows_only_forms_the_user_manages(world, form_manager_a):
    form_with(registration_definition(), unit=world.unit_a, identifier="form_a")
    form_with(registration_definition(), unit=world.unit_b, identifier="form_b")

    manager_page = client_as(form_manager_a).get("/forms/").content.decode()
    admin_page = client_as(world.national_admin).get("/forms/").content.decode()

    assert ("form_a" in manager_page, "form_b" in manager_page) == (True, False)
    assert ("form_a" in admin_page, "form_b" in admin_page) == (True, True)
    assert client_as(world.caseworker_a).get("/forms/").status_code == 404


def test_nav_shows_forms_only_to_form_managers(world, form_manager_a):
    assert 'href="/forms/"' in client_as(form_manager_a).get("/").content.decode()
    assert 'href="/forms/"' not in client_as(world.caseworker_a).get("/").content.decode()


def test_a_form_manager_builds_a_form_step_by_step(world, form_manager_a):
    client = client_as(form_manager_a)

    response = client.post(
        "/forms/new/",
        {"identifier": "visita", "title_es": "Visita", "title_en": "Visit", "org_unit": world.unit_a.pk},
    )
    form = Form.objects.get(identifier="visita")
    assert response.status_code == 302
    client.post(f"/forms/{form.pk}/sections/add/", {"name": "hogar", "label_es": "Hogar", "revision": 1})
    client.post(
        f"/forms/{form.pk}/options/add/",
        {"name": "vivienda", "options": "casa | Casa | House\ncalle | Calle"},
    )
    client.post(
        f"/forms/{form.pk}/fields/add/?section=hogar",
        {"name": "tiene_hijos", "type": "yes_no", "label_es": "¿Tiene hijos?", "sensitivity": 0},
    )
    client.post(
        f"/forms/{form.pk}/fields/add/?section=hogar",
        {
            "name": "cuantos",
            "type": "integer",
            "label_es": "¿Cuántos?",
            "relevant": "${tiene_hijos} = 'yes'",
            "minimum": "1",
            "required": "on",
            "sensitivity": 0,
        },
    )
    client.post(
        f"/forms/{form.pk}/fields/add/?section=hogar",
        {
            "name": "vive_en",
            "type": "select_one",
            "label_es": "Vive en",
            "options": "vivienda",
            "sensitivity": 1,
        },
    )
    client.post(
        f"/forms/{form.pk}/fields/tiene_hijos/edit/",
        {"name": "hijos", "type": "yes_no", "label_es": "¿Tiene hijas o hijos?", "sensitivity": 0},
    )
    client.post(f"/forms/{form.pk}/fields/vive_en/up/")
    client.post(f"/forms/{form.pk}/publish/")

    form.refresh_from_db()
    latest = selectors.latest_version(form)
    assert latest is not None
    definition = selectors.definition_of(latest)
    assert [item.name for item in definition.all_fields()] == ["hijos", "vive_en", "cuantos"]
    assert definition.field("cuantos").relevant == "${hijos} = 'yes'"
    assert (definition.field("cuantos").minimum, definition.field("cuantos").required) == (1.0, True)
    assert definition.field("vive_en").sensitivity == 1
    assert [(option.value, option.label) for option in definition.option_list("vivienda").options] == [
        ("casa", {"es": "Casa", "en": "House"}),
        ("calle", {"es": "Calle"}),
    ]
    assert definition.title == {"es": "Visita", "en": "Visit"}


def test_field_editor_shows_problems_on_the_fields_they_concern(world):
    form, _version = form_with(registration_definition(), unit=world.unit_a, publish=False)
    before = form.draft

    response = client_as(world.national_admin).post(
        f"/forms/{form.pk}/fields/add/?section=identificacion",
        {
            "name": "nombre",
            "type": "select_one",
            "label_es": "Otra",
            "relevant": "${nadie} = 1",
            "sensitivity": 0,
        },
    )

    errors = response.context["edit_form"].errors
    assert response.status_code == 200
    assert errors == {
        "name": ["the name 'nombre' is already used at sections/0/fields/0/name"],
        "options": ["choose an option list (unknown list '')"],
        "relevant": ["refers to an unknown field ${nadie}"],
    }
    form.refresh_from_db()
    assert form.draft == before


def test_a_stale_revision_is_refused_with_a_message(world):
    form, _version = form_with(registration_definition(), unit=world.unit_a, publish=False)
    client = client_as(world.national_admin)
    client.post(f"/forms/{form.pk}/fields/nombre/down/", {"revision": form.draft_revision})

    response = client.post(
        f"/forms/{form.pk}/fields/sexo/delete/", {"revision": form.draft_revision}, follow=True
    )

    assert "Someone else changed this draft" in response.content.decode()
    form.refresh_from_db()
    assert "sexo" in [item.name for item in selectors.draft_definition(form).all_fields()]


@time_machine.travel(datetime.datetime(2026, 11, 22, 12, tzinfo=datetime.UTC), tick=False)
def test_preview_checks_answers_without_saving(world):
    form, _version = form_with(registration_definition(), unit=world.unit_a, publish=False)
    client = client_as(world.national_admin)

    page = client.get(f"/forms/{form.pk}/preview/").content.decode()
    invalid = client.post(f"/forms/{form.pk}/preview/", {"f:nombre": "", "f:fecha_nacimiento": "31/02/2020"})
    valid = client.post(
        f"/forms/{form.pk}/preview/",
        {"f:nombre": "Ana", "f:fecha_nacimiento": "01/02/2015", "f:escolarizado": "no"},
    )

    assert 'name="f:fecha_nacimiento"' in page
    assert 'data-section="proteccion"' in page
    assert invalid.context["error_count"] == 2
    assert valid.context["clean"] == {
        "nombre": "Ana",
        "fecha_nacimiento": "2015-02-01",
        "edad": 11,
        "escolarizado": False,
        "total_hermanos": 0,
    }
    assert FormVersion.objects.exists() is False


def test_import_page_lists_every_problem_and_imports_nothing(world):
    client = client_as(world.national_admin)
    broken = client.post(
        "/forms/import/", {"org_unit": world.unit_a.pk, "workbook": _upload(broken_registration())}
    )

    assert broken.status_code == 200
    assert len(broken.context["problems"]) == 10
    assert '<td data-label="Row">8</td><td data-label="Column">H (relevant)</td>' in broken.content.decode()
    assert Form.objects.exists() is False


def test_import_page_publishes_a_good_workbook_and_export_gives_it_back(world):
    client = client_as(world.national_admin)

    response = client.post(
        "/forms/import/", {"org_unit": world.unit_a.pk, "workbook": _upload(cpims_registration())}
    )
    form = Form.objects.get(identifier="cpims_registro")
    download = client.get(f"/forms/{form.pk}/export/?version=1")

    assert response.status_code == 302
    assert response["Location"] == f"/forms/{form.pk}/"
    assert download["Content-Disposition"] == 'attachment; filename="cpims_registro-v1.xlsx"'
    assert download.content[:2] == b"PK"
    assert (
        AuditEvent.objects.filter(action=AuditAction.FORM_IMPORTED, actor=world.national_admin).count() == 1
    )


def _upload(content):
    return SimpleUploadedFile(
        "form.xlsx", content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
