import datetime

from amparo.matching.models import PersonKey
from amparo.registry.services import PersonInput, person_create, person_update


def test_registering_and_editing_a_person_refreshes_their_matching_key(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        person = person_create(
            actor=world.caseworker_a,
            org_unit=world.unit_a,
            data=PersonInput(
                given_names="José",
                first_surname="Núñez",
                second_surname="Peña",
                sex="male",
                date_of_birth=datetime.date(2012, 3, 4),
            ),
        )
    created = PersonKey.objects.get(person_id=person.pk)

    with django_capture_on_commit_callbacks(execute=True):
        person_update(
            actor=world.caseworker_a,
            person=person,
            expected_version=person.version,
            changes={"first_surname": "Muñoz"},
        )

    updated = PersonKey.objects.get(person_id=person.pk)
    assert (created.person_version, updated.person_version) == (1, 2)
    assert (created.first_surname, updated.first_surname) != (updated.first_surname, updated.first_surname)
