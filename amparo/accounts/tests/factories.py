import factory

from amparo.accounts.choices import Permission, Sensitivity
from amparo.accounts.models import OrgUnit, Role, User
from amparo.accounts.services import org_unit_create


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    name = factory.Sequence(lambda n: f"Unidad {n}")
    code = factory.Sequence(lambda n: f"unit-{n}")
    kind = "office"
    parent = None
    country_code = "MX"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return org_unit_create(**kwargs)


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role

    name = factory.Sequence(lambda n: f"Rol {n}")
    permissions = factory.LazyFunction(lambda: [Permission.PERSON_VIEW])
    sensitivity_clearance = Sensitivity.RESTRICTED


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Ana"
    last_name = "Pérez"
    home_unit = factory.SubFactory(OrgUnitFactory)
    password = factory.django.Password("correct-horse-battery")
