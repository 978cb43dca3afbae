"""RUNac personas on top of the shared access world.

national_admin (world): every permission, scope ALL — the national staff
runac_national: runac.view/import/correct/manage at the regional root, ALL
province_82: runac.view + runac.import at unit_a (tied to jurisdiction 82, Santa Fe), UNIT
province_14: runac.view + runac.import at unit_b (tied to jurisdiction 14, Córdoba), UNIT
runac_viewer_82: runac.view only at unit_a
caseworker_a (world): no RUNac permission
"""

from dataclasses import dataclass

import pytest

from amparo.accounts.choices import Permission, Scope, Sensitivity
from amparo.accounts.models import User
from amparo.accounts.services import role_create, role_grant, user_create
from amparo.conftest import PASSWORD, World
from amparo.exchange.runac import services
from amparo.exchange.runac.models import Jurisdiction
from amparo.exchange.runac.reading import Source
from amparo.exchange.tests.builders import equivalence_csv
from amparo.exchange.tests.province_world import province  # noqa: F401 - the province-side fixture


@dataclass
class RunacWorld:
    world: World
    santa_fe: Jurisdiction
    cordoba: Jurisdiction
    runac_national: User
    province_82: User
    province_14: User
    runac_viewer_82: User

    def personas(self) -> dict[str, User | None]:
        return {
            "runac_national": self.runac_national,
            "national_admin": self.world.national_admin,
            "province_82": self.province_82,
            "province_14": self.province_14,
            "runac_viewer_82": self.runac_viewer_82,
            "caseworker_a": self.world.caseworker_a,
            "anonymous": None,
        }


def _user(username: str, unit, role, scope) -> User:
    user = user_create(actor=None, username=username, password=PASSWORD, home_unit=unit)
    role_grant(actor=None, user=user, role=role, org_unit=unit, scope=scope)
    return user


@pytest.fixture
def runac(world: World) -> RunacWorld:
    santa_fe = Jurisdiction.objects.get(code="82")
    cordoba = Jurisdiction.objects.get(code="14")
    services.jurisdiction_update(actor=world.national_admin, jurisdiction=santa_fe, org_unit=world.unit_a)
    services.jurisdiction_update(actor=world.national_admin, jurisdiction=cordoba, org_unit=world.unit_b)
    national_role = role_create(
        actor=None,
        name="Equipo nacional RUNac",
        sensitivity_clearance=Sensitivity.BASIC,
        permissions=[
            Permission.RUNAC_VIEW,
            Permission.RUNAC_IMPORT,
            Permission.RUNAC_CORRECT,
            Permission.RUNAC_MANAGE,
        ],
    )
    province_role = role_create(
        actor=None,
        name="Referente provincial RUNac",
        sensitivity_clearance=Sensitivity.BASIC,
        permissions=[Permission.RUNAC_VIEW, Permission.RUNAC_IMPORT],
    )
    viewer_role = role_create(
        actor=None,
        name="Consulta RUNac",
        sensitivity_clearance=Sensitivity.BASIC,
        permissions=[Permission.RUNAC_VIEW],
    )
    return RunacWorld(
        world=world,
        santa_fe=santa_fe,
        cordoba=cordoba,
        runac_national=_user("runac_national", world.regional, national_role, Scope.ALL),
        province_82=_user("province_82", world.unit_a, province_role, Scope.UNIT),
        province_14=_user("province_14", world.unit_b, province_role, Scope.UNIT),
        runac_viewer_82=_user("runac_viewer_82", world.unit_a, viewer_role, Scope.UNIT),
    )


def load_table(code: str = "82") -> None:
    result = services.equivalence_table_upload(
        actor=None, source=Source.from_bytes(f"{code}_TE.csv", equivalence_csv().encode())
    )
    assert result.errors == []


@pytest.fixture
def table_82(db) -> None:
    """Jurisdiction 82's equivalence table (the synthetic province's local ids)."""
    load_table("82")


@pytest.fixture
def table_14(db) -> None:
    load_table("14")
