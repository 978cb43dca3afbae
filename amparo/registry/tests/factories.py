import datetime

import factory

from amparo.accounts.tests.factories import OrgUnitFactory
from amparo.common.text import fold_compact
from amparo.registry.identifiers import new_amparo_id
from amparo.registry.models import Household, IdentityDocument, Person
from amparo.registry.search import search_name_for


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    amparo_id = factory.LazyFunction(new_amparo_id)
    given_names = "María José"
    first_surname = "García"
    second_surname = "López"
    sex = "female"
    date_of_birth = datetime.date(2012, 5, 17)
    nationality = "MX"
    org_unit = factory.SubFactory(OrgUnitFactory)
    search_name = factory.LazyAttribute(
        lambda p: search_name_for(p.given_names, p.first_surname, p.second_surname)
    )


class IdentityDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IdentityDocument

    person = factory.SubFactory(PersonFactory)
    document_type = "national_id"
    number = factory.Sequence(lambda n: f"GALM120517-{n:04d}")
    number_folded = factory.LazyAttribute(lambda d: fold_compact(d.number))
    issuing_country = "MX"


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    code = factory.Sequence(lambda n: f"H-T{n:07d}")
    name = "Familia García López"
    search_name = factory.LazyAttribute(lambda h: search_name_for(h.name, "", ""))
    country = "MX"
    org_unit = factory.SubFactory(OrgUnitFactory)
