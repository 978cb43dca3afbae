"""generate_persons: N synthetic persons with unique, valid Amparo IDs, documents and searchable names."""

import io
import random

import pytest
from django.core.management import CommandError, call_command

from amparo.audit.choices import AuditAction
from amparo.audit.models import AuditEvent
from amparo.common.text import fold
from amparo.registry.identifiers import parse_amparo_id
from amparo.registry.models import Address, IdentityDocument, Person
from amparo.registry.search import search_name_for
from amparo.registry.selectors import PersonFilters, person_list
from amparo.registry.synthetic.bulk import random_amparo_id
from amparo.registry.tests.factories import PersonFactory


def _generate(*args: str) -> str:
    out = io.StringIO()
    call_command("generate_persons", *args, stdout=out)
    return out.getvalue()


def test_generates_two_thousand_persons_with_unique_valid_amparo_ids(world):
    output = _generate("2000", "--unit", "unit-a", "--batch", "700")

    persons = Person.objects.filter(org_unit=world.unit_a)
    amparo_ids = list(persons.values_list("amparo_id", flat=True))
    assert len(amparo_ids) == 2000
    assert len(set(amparo_ids)) == 2000
    assert [amparo_id for amparo_id in amparo_ids if parse_amparo_id(amparo_id) != amparo_id] == []
    assert "2,000 / 2,000" in output


def test_most_persons_carry_a_document_and_some_an_address(world):
    _generate("2000", "--unit", "unit-a")

    without_document = Person.objects.exclude(pk__in=IdentityDocument.objects.values("person_id"))
    # ~7% arrive without papers, as in the field
    assert 50 < without_document.count() < 250
    assert 600 < Address.objects.count() < 1000
    assert IdentityDocument.objects.filter(number_folded="").exists() is False


def test_names_are_stored_searchable(world):
    _generate("2000", "--unit", "unit-a")

    mismatched = [
        person.pk
        for person in Person.objects.all()
        if person.search_name
        != search_name_for(person.given_names, person.first_surname, person.second_surname)
    ]
    assert mismatched == []
    sample = Person.objects.exclude(second_surname="").order_by("pk")[17]
    query = (
        f"{fold(sample.second_surname)} {fold(sample.given_names.split()[0])} {fold(sample.first_surname)}"
    )
    found = person_list(user=world.caseworker_a, filters=PersonFilters(query=query))
    assert sample in found


def test_a_document_number_finds_its_person(world):
    _generate("300", "--unit", "unit-a")
    document = IdentityDocument.objects.select_related("person").order_by("pk")[40]

    found = person_list(user=world.caseworker_a, filters=PersonFilters(query=document.number))

    assert document.person in found


def test_writes_one_audit_entry_with_the_count(world):
    before = AuditEvent.objects.count()

    _generate("500", "--unit", "unit-b", "--seed", "7")

    entry = AuditEvent.objects.get(action=AuditAction.PERSONS_GENERATED)
    assert AuditEvent.objects.count() == before + 1
    assert (entry.extra["count"], entry.extra["seed"], entry.extra["org_units"]) == (
        500,
        "7",
        [world.unit_b.pk],
    )


def test_the_same_seed_gives_the_same_persons(world):
    _generate("50", "--unit", "unit-a", "--seed", "42")
    first = list(Person.objects.order_by("pk").values_list("given_names", "first_surname", "date_of_birth"))
    Person.objects.all().delete()

    _generate("50", "--unit", "unit-a", "--seed", "42")

    assert (
        list(Person.objects.order_by("pk").values_list("given_names", "first_surname", "date_of_birth"))
        == first
    )


def test_spreads_over_office_level_units_without_unit(world):
    _generate("400")

    owners = set(Person.objects.values_list("org_unit__code", flat=True).distinct())
    assert owners == {"unit-a", "team-a1", "unit-b"}


def test_caseworker_sees_only_the_persons_of_their_unit(world):
    _generate("400")

    visible = person_list(user=world.caseworker_b, filters=PersonFilters())
    assert visible.count() == Person.objects.filter(org_unit=world.unit_b).count()


@pytest.mark.parametrize("args", [["0"], ["10", "--batch", "0"], ["10", "--unit", "no-such-unit"]])
def test_rejects_bad_arguments(world, args):
    with pytest.raises(CommandError):
        _generate(*args)

    assert Person.objects.exists() is False


def test_refuses_when_demo_data_is_not_allowed(world, settings):
    settings.DEMO_DATA_ALLOWED = False

    with pytest.raises(CommandError, match="demo data is allowed"):
        _generate("10", "--unit", "unit-a")

    assert Person.objects.exists() is False
    assert AuditEvent.objects.filter(action=AuditAction.PERSONS_GENERATED).exists() is False


def test_draws_new_amparo_ids_when_one_is_already_taken(world):
    # given: a stored person holding the very first ID seed 5 would draw
    taken = random_amparo_id(random.Random("generate-persons-ids-5"))
    existing = PersonFactory(org_unit=world.unit_b, amparo_id=taken)

    # when
    _generate("20", "--unit", "unit-a", "--seed", "5")

    # then
    new_ids = list(Person.objects.filter(org_unit=world.unit_a).values_list("amparo_id", flat=True))
    assert len(set(new_ids)) == 20
    assert taken not in new_ids
    assert Person.objects.get(amparo_id=taken) == existing
