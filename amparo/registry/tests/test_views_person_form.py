import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from amparo.audit.choices import AuditAction
from amparo.common.dates import years_before
from amparo.registry.models import AdminArea, Person
from amparo.registry.tests.factories import PersonFactory
from amparo.registry.tests.views_support import (
    ALLOWED,
    NOT_FOUND,
    audit_events_since,
    audit_since,
    client_as,
    is_login_redirect,
    last_sequence,
)

CREATE_URL = reverse("registry:person_create")
PNG_1PX = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


def person_data(world, **overrides):
    data = {
        "given_names": "José",
        "first_surname": "Ñúñez",
        "second_surname": "Peña",
        "sex": "male",
        "date_of_birth": "07/05/2012",
        "age_years": "",
        "nationality": "MX",
        "org_unit": world.unit_a.pk,
    }
    data.update(overrides)
    return data


# --- Register --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["caseworker_a", "own_worker_a", "supervisor_mx", "unit_admin_a", "national_admin"]
)
def test_registers_a_person_with_accents(world, persona):
    user = world.personas()[persona]
    mark = last_sequence()

    response = client_as(user).post(CREATE_URL, person_data(world))

    person = Person.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:person_detail", args=[person.pk])
    assert (person.full_name, person.sex, person.date_of_birth, person.date_of_birth_is_estimated) == (
        "José Ñúñez Peña",
        "male",
        datetime.date(2012, 5, 7),
        False,
    )
    assert (person.org_unit, person.created_by, str(person.nationality)) == (world.unit_a, user, "MX")
    assert audit_since(mark) == [(AuditAction.PERSON_CREATED, "registry.person", str(person.pk))]


@pytest.mark.parametrize("persona", ["basic_viewer_a", "auditor"])
def test_refuses_users_who_may_not_register(world, persona):
    client = client_as(world.personas()[persona])
    mark = last_sequence()

    shown = client.get(CREATE_URL)
    posted = client.post(CREATE_URL, person_data(world))

    assert (shown.status_code, posted.status_code) == (NOT_FOUND, NOT_FOUND)
    assert Person.objects.exists() is False
    assert audit_since(mark) == []


@pytest.mark.parametrize("persona", ["anonymous", "inactive_a"])
def test_strangers_are_sent_to_login_and_nothing_is_saved(world, persona):
    response = client_as(world.personas()[persona]).post(CREATE_URL, person_data(world))

    assert is_login_redirect(response)
    assert Person.objects.exists() is False


def test_unit_picker_lists_only_units_where_the_user_may_register(world):
    response = client_as(world.supervisor_mx).get(CREATE_URL)

    form = response.context["form"]
    assert list(form.fields["org_unit"].queryset) == [world.mx, world.unit_a, world.team_a]
    assert form["org_unit"].value() == world.mx.pk  # home unit by default


def test_a_unit_outside_reach_is_a_field_error(world):
    response = client_as(world.caseworker_a).post(CREATE_URL, person_data(world, org_unit=world.unit_b.pk))

    assert response.status_code == ALLOWED
    assert list(response.context["form"].errors) == ["org_unit"]
    assert Person.objects.exists() is False


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("31/02/2020", "Enter a real date as dd/mm/yyyy, e.g. 25/12/2015."),
        ("2020-13-01", "Enter a real date as dd/mm/yyyy, e.g. 25/12/2015."),
        ("ayer", "Enter a real date as dd/mm/yyyy, e.g. 25/12/2015."),
        ("01/01/1850", "Enter a year from 1900 on."),
    ],
)
def test_impossible_dates_are_field_errors(world, typed, message):
    response = client_as(world.caseworker_a).post(CREATE_URL, person_data(world, date_of_birth=typed))

    assert response.context["form"].errors == {"date_of_birth": [message]}
    assert f'value="{typed}"' in response.content.decode()  # what was typed stays
    assert 'data-testid="error-summary"' in response.content.decode()
    assert Person.objects.exists() is False


def test_a_future_date_of_birth_is_refused(world):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).strftime("%d/%m/%Y")

    response = client_as(world.caseworker_a).post(CREATE_URL, person_data(world, date_of_birth=tomorrow))

    assert response.context["form"].errors == {"date_of_birth": ["The date cannot be in the future."]}
    assert Person.objects.exists() is False


def test_an_age_gives_an_estimated_date_of_birth(world):
    client_as(world.caseworker_a).post(CREATE_URL, person_data(world, date_of_birth="", age_years="7"))

    person = Person.objects.get()
    assert person.date_of_birth == years_before(timezone.localdate(), 7)
    assert person.date_of_birth_is_estimated is True


def test_date_and_age_together_is_an_error(world):
    response = client_as(world.caseworker_a).post(CREATE_URL, person_data(world, age_years="7"))

    assert response.context["form"].errors == {
        "age_years": ["Give either a date of birth or an age, not both."]
    }


def test_missing_given_names_is_a_field_error(world):
    response = client_as(world.caseworker_a).post(CREATE_URL, person_data(world, given_names=""))

    assert response.context["form"].errors == {"given_names": ["This field is required."]}


def test_field_errors_speak_spanish_by_default(world):
    client = client_as(world.caseworker_a)
    client.cookies.pop("amparo_language")

    response = client.post(CREATE_URL, person_data(world, given_names=""), headers={"Accept-Language": "es"})

    assert response.context["form"].errors == {"given_names": ["Este campo es obligatorio."]}


@pytest.fixture
def areas():
    jalisco = AdminArea.objects.create(country="MX", level=1, code="MX-JAL", name="Jalisco")
    zapopan = AdminArea.objects.create(
        country="MX", level=2, code="MX-JAL-120", name="Zapopan", parent=jalisco
    )
    oaxaca = AdminArea.objects.create(country="MX", level=1, code="MX-OAX", name="Oaxaca")
    return jalisco, zapopan, oaxaca


def test_registers_with_one_document_contact_and_address(world, areas):
    jalisco, zapopan, _oaxaca = areas
    data = person_data(
        world,
        **{
            "document-document_type": "passport",
            "document-number": "G 1234-567",
            "document-issuing_country": "MX",
            "contact-kind": "mobile",
            "contact-value": "+52 33 1111 2222",
            "address-country": "MX",
            "address-department": jalisco.pk,
            "address-municipality": zapopan.pk,
            "address-line": "Av. Patria 10",
        },
    )

    client_as(world.caseworker_a).post(CREATE_URL, data)

    person = Person.objects.get()
    assert [(d.document_type, d.number, d.number_folded) for d in person.documents.all()] == [
        ("passport", "G 1234-567", "g1234567")
    ]
    assert [(c.kind, c.value) for c in person.contacts.all()] == [("mobile", "+52 33 1111 2222")]
    assert [(a.department, a.municipality, a.line, a.is_current) for a in person.addresses.all()] == [
        (jalisco, zapopan, "Av. Patria 10", True)
    ]


def test_untouched_optional_sections_add_nothing(world):
    client_as(world.caseworker_a).post(CREATE_URL, person_data(world, **{"address-country": "MX"}))

    person = Person.objects.get()
    assert (person.documents.count(), person.contacts.count(), person.addresses.count()) == (0, 0, 0)


def test_a_half_filled_document_is_a_field_error(world):
    response = client_as(world.caseworker_a).post(
        CREATE_URL, person_data(world, **{"document-document_type": "passport"})
    )

    assert response.context["document_form"].errors == {"number": ["This field is required."]}
    assert Person.objects.exists() is False


def test_a_municipality_of_another_department_is_refused(world, areas):
    _jalisco, zapopan, oaxaca = areas

    response = client_as(world.caseworker_a).post(
        CREATE_URL,
        person_data(
            world,
            **{"address-country": "MX", "address-department": oaxaca.pk, "address-municipality": zapopan.pk},
        ),
    )

    assert list(response.context["address_form"].errors) == ["municipality"]
    assert Person.objects.exists() is False


def test_sensitive_fields_are_offered_only_to_cleared_users(world):
    caseworker = client_as(world.caseworker_a).get(CREATE_URL).context["form"]
    supervisor = client_as(world.supervisor_mx).get(CREATE_URL).context["form"]

    assert {"gender_identity", "photo"} & set(caseworker.fields) == set()
    assert {"gender_identity", "photo"} <= set(supervisor.fields)


def test_supervisor_registers_with_photo_and_gender_identity(world):
    photo = SimpleUploadedFile("foto.png", PNG_1PX, content_type="image/png")

    client_as(world.supervisor_mx).post(
        CREATE_URL, person_data(world, org_unit=world.unit_a.pk, gender_identity="non_binary", photo=photo)
    )

    person = Person.objects.get()
    assert person.gender_identity == "non_binary"
    assert person.photo.name.endswith(".png")


def test_a_non_image_photo_is_a_field_error(world):
    fake = SimpleUploadedFile("foto.png", b"not an image", content_type="image/png")

    response = client_as(world.supervisor_mx).post(CREATE_URL, person_data(world, photo=fake))

    assert list(response.context["form"].errors) == ["photo"]
    assert Person.objects.exists() is False


# --- Edit ------------------------------------------------------------------------------------------


@pytest.fixture
def person(world):
    return PersonFactory(
        org_unit=world.unit_a,
        created_by=world.caseworker_a,
        given_names="Ana",
        first_surname="Pérez",
        second_surname="Gómez",
        date_of_birth=datetime.date(2011, 1, 2),
        date_of_birth_is_estimated=True,
        gender_identity="woman",
    )


def edit_url(person):
    return reverse("registry:person_edit", args=[person.pk])


def edit_data(person, **overrides):
    data = {
        "given_names": person.given_names,
        "first_surname": person.first_surname,
        "second_surname": person.second_surname,
        "sex": person.sex,
        "date_of_birth": "02/01/2011",
        "age_years": "",
        "nationality": str(person.nationality),
        "version": person.version,
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("persona", ["caseworker_a", "supervisor_mx", "unit_admin_a", "national_admin"])
def test_edits_a_person_and_audits_the_change(world, person, persona):
    mark = last_sequence()

    response = client_as(world.personas()[persona]).post(
        edit_url(person), edit_data(person, first_surname="Peres")
    )

    person.refresh_from_db()
    assert response.status_code == 302
    assert (person.first_surname, person.version, person.search_name) == ("Peres", 2, " ana peres gomez ")
    assert audit_since(mark) == [(AuditAction.PERSON_UPDATED, "registry.person", str(person.pk))]


@pytest.mark.parametrize("persona", ["caseworker_b", "own_worker_a", "basic_viewer_a", "auditor"])
def test_refuses_edits_with_404_and_changes_nothing(world, person, persona):
    client = client_as(world.personas()[persona])
    mark = last_sequence()

    shown = client.get(edit_url(person))
    posted = client.post(edit_url(person), edit_data(person, first_surname="Cambiado"))

    person.refresh_from_db()
    assert (shown.status_code, posted.status_code) == (NOT_FOUND, NOT_FOUND)
    assert (person.first_surname, person.version) == ("Pérez", 1)
    assert audit_since(mark) == [(AuditAction.ACCESS_DENIED, "registry.person", str(person.pk))] * 2


def test_edit_form_shows_current_values_and_audits_the_read(world, person):
    mark = last_sequence()

    response = client_as(world.caseworker_a).get(edit_url(person))

    content = response.content.decode()
    assert 'value="02/01/2011"' in content
    assert 'name="version" value="1"' in content
    assert "gender_identity" not in response.context["form"].fields
    assert audit_since(mark) == [(AuditAction.PERSON_VIEWED, "registry.person", str(person.pk))]


def test_an_unchanged_estimated_date_stays_estimated(world, person):
    client_as(world.caseworker_a).post(edit_url(person), edit_data(person, given_names="Ana María"))

    person.refresh_from_db()
    assert (person.given_names, person.date_of_birth_is_estimated) == ("Ana María", True)


def test_a_new_date_is_no_longer_estimated(world, person):
    client_as(world.caseworker_a).post(edit_url(person), edit_data(person, date_of_birth="03/01/2011"))

    person.refresh_from_db()
    assert (person.date_of_birth, person.date_of_birth_is_estimated) == (datetime.date(2011, 1, 3), False)


def test_caseworker_edit_keeps_the_sensitive_value_they_cannot_see(world, person):
    client_as(world.caseworker_a).post(edit_url(person), edit_data(person, gender_identity="man"))

    person.refresh_from_db()
    assert person.gender_identity == "woman"


def test_a_concurrent_edit_is_a_clear_conflict_and_keeps_what_was_typed(world, person):
    # given: both open the form at version 1
    first, second = client_as(world.caseworker_a), client_as(world.supervisor_mx)
    first.post(edit_url(person), edit_data(person, first_surname="Primero"))
    mark = last_sequence()

    # when: the second saves with the stale version
    response = second.post(
        edit_url(person), edit_data(person, first_surname="Segundo", given_names="Ana Luisa")
    )

    # then: nothing overwritten, the typed values are kept, the other value is shown, the version moves on
    person.refresh_from_db()
    assert response.status_code == ALLOWED
    assert (person.first_surname, person.given_names, person.version) == ("Primero", "Ana", 2)
    content = response.content.decode()
    assert "Someone else saved this person while you were editing (now version 2)" in content
    assert 'value="Segundo"' in content
    assert 'value="Ana Luisa"' in content
    assert 'data-testid="saved-first_surname"' in content
    assert "<strong>Primero</strong>" in content
    assert 'name="version" value="2"' in content
    assert audit_since(mark) == [(AuditAction.PERSON_VIEWED, "registry.person", str(person.pk))]


def test_after_a_conflict_saving_again_keeps_the_second_persons_values(world, person):
    first, second = client_as(world.caseworker_a), client_as(world.supervisor_mx)
    first.post(edit_url(person), edit_data(person, first_surname="Primero"))
    second.post(edit_url(person), edit_data(person, first_surname="Segundo"))

    response = second.post(edit_url(person), edit_data(person, first_surname="Segundo", version=2))

    person.refresh_from_db()
    assert response.status_code == 302
    assert (person.first_surname, person.version) == ("Segundo", 3)


def test_bad_input_on_edit_is_a_field_error_and_saves_nothing(world, person):
    response = client_as(world.caseworker_a).post(
        edit_url(person), edit_data(person, date_of_birth="31/02/2020")
    )

    person.refresh_from_db()
    assert response.context["form"].errors == {
        "date_of_birth": ["Enter a real date as dd/mm/yyyy, e.g. 25/12/2015."]
    }
    assert person.version == 1


def test_an_archived_person_cannot_be_edited(world, person):
    Person.objects.filter(pk=person.pk).update(is_archived=True)

    response = client_as(world.caseworker_a).post(edit_url(person), edit_data(person, first_surname="X"))

    person.refresh_from_db()
    assert response["Location"] == reverse("registry:person_detail", args=[person.pk])
    assert person.first_surname == "Pérez"


def test_supervisor_replaces_the_photo_and_the_change_is_audited(world, person):
    photo = SimpleUploadedFile("nueva.png", PNG_1PX, content_type="image/png")
    mark = last_sequence()

    client_as(world.supervisor_mx).post(
        edit_url(person), edit_data(person, gender_identity="woman", photo=photo)
    )

    person.refresh_from_db()
    assert person.photo.name.endswith(".png")
    events = audit_events_since(mark)
    assert [(e.action, e.extra) for e in events] == [
        (AuditAction.PERSON_UPDATED, {"fields": ["photo"], "version": 2})
    ]
