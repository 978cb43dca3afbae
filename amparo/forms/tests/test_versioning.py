"""Drafts, publishing and versions: immutable versions, no lost updates, retired fields stay readable."""

import copy
import datetime

import pytest
import time_machine
from django.utils import translation

from amparo.accounts.choices import Sensitivity
from amparo.audit.choices import AuditAction
from amparo.audit.models import AuditEvent
from amparo.common.errors import ApplicationError, ConflictError, PermissionDeniedError
from amparo.forms import selectors, services
from amparo.forms.errors import DefinitionInvalidError, FormErrorCode
from amparo.forms.models import Form, FormVersion
from amparo.forms.rendering import render_display, shown_sections
from amparo.forms.submission import validate_submission
from amparo.forms.tests.factories import form_with, registration_definition


def without_field(definition, name):
    changed = copy.deepcopy(definition)
    for section in changed["sections"]:
        section["fields"] = [item for item in section["fields"] if item["name"] != name]
    return changed


def test_publishing_creates_numbered_versions_and_refuses_an_unchanged_draft(world):
    form, first = form_with(registration_definition(), unit=world.unit_a)

    with pytest.raises(ApplicationError) as caught:
        services.form_publish(actor=world.national_admin, form=form)
    services.form_draft_save(
        actor=world.national_admin, form=form, definition=without_field(registration_definition(), "sexo")
    )
    second = services.form_publish(actor=world.national_admin, form=form)

    assert caught.value.code == FormErrorCode.NO_CHANGES
    assert [
        (version.number, version.checksum != "") for version in FormVersion.objects.order_by("number")
    ] == [(1, True), (2, True)]
    assert first is not None
    assert first.definition["sections"][0]["fields"][3]["name"] == "sexo"
    assert [item.name for item in selectors.definition_of(second).all_fields()].count("sexo") == 0
    assert selectors.latest_version(form) == second
    assert list(
        AuditEvent.objects.filter(action=AuditAction.FORM_PUBLISHED)
        .values_list("extra__version", flat=True)
        .order_by("sequence")
    ) == [1, 2]


def test_publishing_an_empty_form_is_refused(world):
    form = services.form_create(
        actor=world.national_admin, identifier="vacio", title_es="Vacío", org_unit=world.unit_a
    )

    with pytest.raises(ApplicationError) as caught:
        services.form_publish(actor=world.national_admin, form=form)

    assert (caught.value.code, FormVersion.objects.exists()) == (FormErrorCode.EMPTY_FORM, False)


def test_a_stale_draft_revision_is_refused_and_nothing_is_overwritten(world):
    form, _version = form_with(registration_definition(), unit=world.unit_a, publish=False)
    revision = form.draft_revision
    services.form_draft_save(
        actor=world.national_admin,
        form=form,
        definition=without_field(registration_definition(), "sexo"),
        expected_revision=revision,
    )

    with pytest.raises(ConflictError):
        services.form_draft_save(
            actor=world.national_admin,
            form=Form.objects.get(pk=form.pk),
            definition=registration_definition(),
            expected_revision=revision,
        )

    form.refresh_from_db()
    assert form.draft_revision == revision + 1
    assert "sexo" not in [item.name for item in selectors.draft_definition(form).all_fields()]


def test_an_invalid_draft_is_refused_with_every_problem(world):
    form, _version = form_with(registration_definition(), unit=world.unit_a, publish=False)
    broken = copy.deepcopy(registration_definition())
    broken["sections"][0]["fields"][0]["relevant"] = "${nowhere} = 1"
    broken["sections"][0]["fields"][1]["type"] = "colour"

    with pytest.raises(DefinitionInvalidError) as caught:
        services.form_draft_save(actor=world.national_admin, form=form, definition=broken)

    assert [problem.path for problem in caught.value.problems] == [
        "sections/0/fields/1/type",
        "sections/0/fields/0/relevant",
    ]
    form.refresh_from_db()
    assert form.draft_checksum == services.checksum(form.draft)
    assert form.draft["sections"][0]["fields"][1]["type"] == "date"


@time_machine.travel(datetime.datetime(2026, 11, 22, 12, tzinfo=datetime.UTC), tick=False)
def test_a_record_filled_with_version_1_still_displays_after_version_2_drops_a_field(world):
    form, first = form_with(registration_definition(), unit=world.unit_a)
    record, _errors = validate_submission(
        selectors.definition_of(first), {"nombre": "Ana", "fecha_nacimiento": "01/02/2015", "sexo": "f"}
    )
    services.form_draft_save(
        actor=None, form=form, definition=without_field(registration_definition(), "sexo")
    )
    second = services.form_publish(actor=None, form=form)

    with translation.override("en"):
        old_view = shown_sections(selectors.definition_of(first), record)
        new_view = shown_sections(
            selectors.definition_of(second), record, catalogue=selectors.field_catalogue(form)
        )
        edited, errors = validate_submission(
            selectors.definition_of(second),
            {"nombre": "Ana María", "fecha_nacimiento": "01/02/2015"},
            previous=record,
        )

    assert [(answer.label, answer.text) for answer in old_view[0].answers] == [
        ("Name", "Ana"),
        ("Date of birth", "01/02/2015"),
        ("edad", "11"),
        ("Sex", "Female"),
    ]
    assert [
        (section.label, [(answer.label, answer.text, answer.retired) for answer in section.answers])
        for section in new_view
    ][-1] == ("Answers to fields no longer in the form", [("Sex", "Female", True)])
    assert (errors, edited["sexo"], edited["nombre"]) == ({}, "f", "Ana María")


def test_field_catalogue_marks_fields_the_latest_version_dropped(world):
    form, _first = form_with(registration_definition(), unit=world.unit_a)
    services.form_draft_save(
        actor=None, form=form, definition=without_field(registration_definition(), "sexo")
    )
    services.form_publish(actor=None, form=form)

    catalogue = selectors.field_catalogue(form)

    assert (catalogue["sexo"].retired, catalogue["sexo"].first_version, catalogue["sexo"].last_version) == (
        True,
        1,
        1,
    )
    assert (catalogue["nombre"].retired, catalogue["nombre"].last_version) == (False, 2)


def test_services_refuse_a_user_without_form_manage_on_the_unit(world):
    form, _version = form_with(registration_definition(), unit=world.unit_a, publish=False)

    with pytest.raises(PermissionDeniedError):
        services.form_publish(actor=world.caseworker_a, form=form)
    with pytest.raises(PermissionDeniedError):
        services.form_create(
            actor=world.caseworker_a, identifier="otro", title_es="Otro", org_unit=world.unit_a
        )

    assert (FormVersion.objects.exists(), Form.objects.count()) == (False, 1)


def test_identifiers_are_unique_and_well_formed(world):
    form_with(registration_definition(), unit=world.unit_a, publish=False)

    with pytest.raises(ApplicationError) as taken:
        services.form_create(actor=None, identifier="registro", title_es="Otro", org_unit=world.unit_a)
    with pytest.raises(ApplicationError) as invalid:
        services.form_create(actor=None, identifier="con espacio", title_es="Otro", org_unit=world.unit_a)

    assert (taken.value.code, invalid.value.code) == (
        FormErrorCode.IDENTIFIER_TAKEN,
        FormErrorCode.IDENTIFIER_INVALID,
    )


def test_display_and_redaction_follow_field_sensitivity(world):
    _form, version = form_with(registration_definition(), unit=world.unit_a)
    definition = selectors.definition_of(version)
    record = {
        "nombre": "Ana",
        "riesgos": ["violencia"],
        "detalle_violencia": "golpes",
        "hermanos": [{"hermano_nombre": "Luis"}],
        "retirado": "x",
    }

    basic = selectors.redact(record, definition, Sensitivity.BASIC)
    restricted = selectors.redact(record, definition, Sensitivity.RESTRICTED)
    sensitive = selectors.redact(record, definition, Sensitivity.SENSITIVE)
    with translation.override("es"):
        html = render_display(definition, record, clearance=Sensitivity.RESTRICTED)

    assert basic == {"nombre": "Ana", "hermanos": [{"hermano_nombre": "Luis"}]}
    assert restricted == {"nombre": "Ana", "riesgos": ["violencia"], "hermanos": [{"hermano_nombre": "Luis"}]}
    assert sensitive == record
    assert [item.name for item in selectors.visible_fields(definition, Sensitivity.BASIC)].count(
        "riesgos"
    ) == 0
    assert ("Violencia" in html, "golpes" in html, "Luis" in html) == (True, False, True)
