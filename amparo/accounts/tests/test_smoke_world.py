from amparo.accounts import access
from amparo.accounts.choices import Permission
from amparo.registry.models import Person
from amparo.registry.tests.factories import PersonFactory


def test_caseworker_sees_only_their_unit(world):
    in_a = PersonFactory(org_unit=world.unit_a)
    PersonFactory(org_unit=world.unit_b)
    visible = access.visible(world.caseworker_a, Person.objects.all(), Permission.PERSON_VIEW)
    assert list(visible) == [in_a]
