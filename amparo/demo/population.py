"""The demo's people: about 3,000 persons and 800 households spread over the demo units.

Each unit gets the population its work brings: a consulate in Houston sees Mexican families
(children often born in the United States) and adults in detention; the Chiapas child
protection office sees Guatemalan, Honduran and Salvadoran children in transit; Paraguay's
social registry sees whole households, georeferenced. A few families are registered
through the registry services by the demo caseworkers, so their history reads like real
work; the bulk is written in one go (see `registry.synthetic.bulk`).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from amparo.accounts.models import User
from amparo.registry.choices import ContactKind, DocumentType, Relationship
from amparo.registry.models import Household, Person
from amparo.registry.services import (
    AddressInput,
    ContactInput,
    DocumentInput,
    PersonInput,
    household_create,
    household_member_add,
    person_create,
)
from amparo.registry.synthetic.bulk import households_bulk_create, persons_bulk_create
from amparo.registry.synthetic.contact import Place, street_line
from amparo.registry.synthetic.documents import curp, documents_for, guatemala_cui
from amparo.registry.synthetic.generator import PersonMaker, SyntheticHousehold, SyntheticPerson

from .areas import US_CITIES
from .world import DemoWorld

# Where Mexican migrants in the United States mostly come from.
MEXICAN_ORIGINS = (
    "16053",
    "16102",
    "11020",
    "11007",
    "14039",
    "14120",
    "32056",
    "32017",
    "12001",
    "12029",
    "20067",
    "20043",
    "09007",
)


@dataclass(frozen=True)
class UnitPlan:
    unit: str
    households: int
    singles: int
    age_profile: str
    nationality_mix: dict[str, float]
    residence: tuple[str, ...]  # municipality codes of the unit's country, or US city names
    created_by: str = "admin"
    us_born_children: float = 0.0
    gps_share: float = 0.3
    estimated_share: float = 0.12
    alone_share: float = 0.1  # one-person households (an elder living alone, a single adult)
    origins: tuple[str, ...] = field(default=())


CHIAPAS_MIX = {"GT": 0.4, "HN": 0.3, "SV": 0.12, "MX": 0.1, "VE": 0.05, "CU": 0.02, "HT": 0.01}

# fmt: off
PLANS: tuple[UnitPlan, ...] = (
    UnitPlan("mx-sre-houston", households=100, singles=30, age_profile="migrants",
             nationality_mix={"MX": 1.0}, residence=("Houston",), created_by="trabajador.mx",
             us_born_children=0.5, origins=MEXICAN_ORIGINS),
    UnitPlan("mx-sre-houston-proteccion", households=0, singles=25, age_profile="migrants",
             nationality_mix={"MX": 1.0}, residence=("Houston",), created_by="consul.houston",
             origins=MEXICAN_ORIGINS),
    UnitPlan("mx-sre-los-angeles", households=80, singles=35, age_profile="migrants",
             nationality_mix={"MX": 1.0}, residence=("Los Ángeles",), us_born_children=0.5,
             origins=MEXICAN_ORIGINS),
    UnitPlan("mx-sre-tucson", households=35, singles=35, age_profile="migrants", nationality_mix={"MX": 1.0},
             residence=("Tucson",), us_born_children=0.3, origins=MEXICAN_ORIGINS),
    UnitPlan("mx-dif-chiapas", households=60, singles=60, age_profile="children", nationality_mix=CHIAPAS_MIX,
             residence=("07089", "07101", "07078", "07019", "07102"), created_by="supervisora.mx",
             estimated_share=0.25),
    UnitPlan("mx-dif-chiapas-tapachula", households=0, singles=30, age_profile="children",
             nationality_mix=CHIAPAS_MIX, residence=("07089", "07102"), created_by="supervisora.mx",
             estimated_share=0.3),
    UnitPlan("gt-pgn-quetzaltenango", households=100, singles=40, age_profile="children",
             nationality_mix={"GT": 0.97, "MX": 0.02, "SV": 0.01},
             residence=("0901", "0902", "0903", "0909", "0914", "0920"), created_by="trabajador.gt"),
    UnitPlan("gt-pgn-huehuetenango", households=60, singles=25, age_profile="children",
             nationality_mix={"GT": 0.98, "MX": 0.02}, residence=("1301", "1302", "1304", "1305", "1307")),
    UnitPlan("gt-pgn", households=15, singles=10, age_profile="children", nationality_mix={"GT": 1.0},
             residence=("0101", "0108", "0115")),
    UnitPlan("hn-dinaf-sps", households=50, singles=20, age_profile="children",
             nationality_mix={"HN": 0.97, "NI": 0.02, "GT": 0.01},
             residence=("0501", "0502", "0506", "1804")),
    UnitPlan("sv-conna-san-salvador", households=40, singles=15, age_profile="children",
             nationality_mix={"SV": 0.97, "HN": 0.02, "NI": 0.01},
             residence=("SS-CE", "SS-NO", "SS-ES", "LI-SU", "LI-ES")),
    UnitPlan("ar-sennaf", households=20, singles=15, age_profile="children",
             nationality_mix={"AR": 0.7, "VE": 0.12, "PY": 0.1, "BO": 0.05, "PE": 0.03},
             residence=("02001", "02004", "02008", "06427", "06490", "06658", "06441")),
    UnitPlan("ar-jujuy-ninez", households=55, singles=20, age_profile="children",
             nationality_mix={"AR": 0.86, "BO": 0.13, "PE": 0.01},
             residence=("38021", "38042", "38014", "38028", "38112")),
    UnitPlan("ar-jujuy-ninez-ramal", households=20, singles=5, age_profile="children",
             nationality_mix={"AR": 0.9, "BO": 0.1}, residence=("38035",)),
    UnitPlan("py-mds-siis", households=115, singles=10, age_profile="population",
             nationality_mix={"PY": 0.97, "AR": 0.02, "BO": 0.01},
             residence=("0001", "1101", "1102", "1103", "1104", "1105", "1106", "1107", "0701", "1201",
                        "0101"),
             gps_share=0.9, alone_share=0.18),
    UnitPlan("py-mds-siis-alto-parana", households=50, singles=5, age_profile="population",
             nationality_mix={"PY": 0.98, "AR": 0.02}, residence=("1001", "1002", "1003"), gps_share=0.9,
             alone_share=0.18),
)
# fmt: on


@dataclass
class PopulationSummary:
    persons: int
    households: int


def _residences(plan: UnitPlan, country: str, places: dict[str, dict[str, Place]]) -> list[Place]:
    if plan.residence[0] in US_CITIES:
        return [US_CITIES[city] for city in plan.residence]
    return [places[country][code] for code in plan.residence]


def _origin(
    maker: PersonMaker,
    plan: UnitPlan,
    nationality: str,
    residence: Place,
    places: dict[str, dict[str, Place]],
) -> Place | None:
    """Where someone registered away from home comes from (their birthplace address, documents)."""
    if nationality == residence.country:
        return None
    if nationality == "MX" and plan.origins:
        return places["MX"][maker.rng.choice(plan.origins)]
    if nationality in places:
        return maker.rng.choice(list(places[nationality].values()))
    return None


def _born_here(maker: PersonMaker, person: SyntheticPerson, residence: Place) -> None:
    """A child born where the family now lives takes that country's nationality and papers."""
    person.nationality = residence.country
    person.documents = documents_for(
        maker.rng,
        nationality=residence.country,
        given_names=person.given_names,
        first_surname=person.first_surname,
        second_surname=person.second_surname,
        date_of_birth=person.date_of_birth,
        age=person.age_on(maker.today),
        sex=person.sex,
        residence=residence.country,
    )


def population_write(
    world: DemoWorld, places: dict[str, dict[str, Place]], *, seed: str
) -> PopulationSummary:
    """Generate and bulk-write the demo population of every unit in PLANS."""
    maker = PersonMaker(seed=f"demo-{seed}", today=datetime.date.today())  # noqa: DTZ011 - ages in whole days
    rng = maker.rng
    persons: list[SyntheticPerson] = []
    households: list[SyntheticHousehold] = []
    for plan in PLANS:
        unit = world.units[plan.unit]
        created_by = world.users[plan.created_by].pk
        residences = _residences(plan, unit.country_code, places)
        for _ in range(plan.households):
            residence = rng.choice(residences)
            nationality = maker.nationality(plan.nationality_mix)
            members = maker.family(
                nationality=nationality,
                place=residence,
                org_unit_id=unit.pk,
                created_by_id=created_by,
                origin=_origin(maker, plan, nationality, residence, places),
                gps_share=plan.gps_share,
            )
            start = len(persons)
            for person, relationship in members:
                if (
                    relationship == Relationship.CHILD
                    and person.age_on(maker.today) < 12
                    and rng.random() < plan.us_born_children
                ):
                    _born_here(maker, person, residence)
                persons.append(person)
            head = members[0][0]
            partner = next(
                (person for person, relationship in members if relationship == Relationship.SPOUSE), None
            )
            surnames = (head.first_surname, partner.first_surname if partner else head.second_surname)
            households.append(
                SyntheticHousehold(
                    name=("Familia " if len(members) > 1 else "Hogar ")
                    + " ".join(part for part in surnames if part),
                    org_unit_id=unit.pk,
                    place=residence,
                    address_line=street_line(rng, residence),
                    with_gps=rng.random() < plan.gps_share,
                    created_by_id=created_by,
                    members=[
                        (start + offset, relationship) for offset, (_p, relationship) in enumerate(members)
                    ],
                )
            )
        for _ in range(plan.singles):
            residence = rng.choice(residences)
            nationality = maker.nationality(plan.nationality_mix)
            persons.append(
                maker.person(
                    nationality=nationality,
                    place=residence,
                    org_unit_id=unit.pk,
                    age=maker.age(plan.age_profile),
                    created_by_id=created_by,
                    origin=_origin(maker, plan, nationality, residence, places),
                    gps_share=plan.gps_share,
                    estimated_share=plan.estimated_share,
                )
            )
    person_ids = persons_bulk_create(persons, rng=rng)
    households_bulk_create(households, person_ids=person_ids, rng=rng)
    return PopulationSummary(persons=len(persons), households=len(households))


# --- A few families registered through the services, by the demo caseworkers --------------------


def _years_ago(years: int, month: int, day: int) -> datetime.date:
    today = datetime.date.today()  # noqa: DTZ011 - a calendar day
    return datetime.date(today.year - years, month, day)


def featured_families_create(
    world: DemoWorld, places: dict[str, dict[str, Place]], *, seed: str
) -> list[Person]:
    """Two families entered the way a caseworker would: every step is in the audit log."""
    maker = PersonMaker(seed=f"demo-featured-{seed}", today=datetime.date.today())  # noqa: DTZ011
    rng = maker.rng
    worker_mx: User = world.users["trabajador.mx"]
    consulate = world.units["mx-sre-houston"]
    mother_born, son_born = _years_ago(35, 3, 14), _years_ago(13, 8, 2)

    def curp_of(given: str, first: str, second: str, born: datetime.date, sex: str) -> DocumentInput:
        return DocumentInput(
            DocumentType.PERSONAL_CODE,
            curp(
                rng,
                given_names=given,
                first_surname=first,
                second_surname=second,
                date_of_birth=born,
                sex=sex,
                state="MN",
            ),
            "MX",
        )

    us_address = AddressInput(
        country="US",
        line="7423 Bissonnet St, Apt 12, Houston, TX",
        latitude=Decimal("29.712384"),
        longitude=Decimal("-95.497311"),
    )
    mother = person_create(
        actor=worker_mx,
        org_unit=consulate,
        data=PersonInput(
            given_names="María Guadalupe",
            first_surname="Hernández",
            second_surname="de la Cruz",
            sex="female",
            date_of_birth=mother_born,
            nationality="MX",
            documents=[
                curp_of("María Guadalupe", "Hernández", "de la Cruz", mother_born, "female"),
                DocumentInput(DocumentType.CONSULAR_ID, "318204576", "MX"),
            ],
            contacts=[ContactInput(ContactKind.WHATSAPP, "+1 713 482 1934")],
            addresses=[us_address],
        ),
    )
    son = person_create(
        actor=worker_mx,
        org_unit=consulate,
        data=PersonInput(
            given_names="Juan Pablo",
            first_surname="García",
            second_surname="Hernández",
            sex="male",
            date_of_birth=son_born,
            nationality="MX",
            documents=[curp_of("Juan Pablo", "García", "Hernández", son_born, "male")],
        ),
    )
    daughter = person_create(
        actor=worker_mx,
        org_unit=consulate,
        data=PersonInput(
            given_names="Ximena",
            first_surname="García",
            second_surname="Hernández",
            sex="female",
            age_years=8,
            nationality="US",
        ),
    )
    family_mx = household_create(
        actor=worker_mx,
        org_unit=consulate,
        name="Familia García Hernández",
        country="US",
        address_line=us_address.line,
    )
    for person, relationship in (
        (mother, Relationship.HEAD),
        (son, Relationship.CHILD),
        (daughter, Relationship.CHILD),
    ):
        household_member_add(actor=worker_mx, household=family_mx, person=person, relationship=relationship)

    worker_gt: User = world.users["trabajador.gt"]
    office = world.units["gt-pgn-quetzaltenango"]
    aldea = places["GT"]["0901"]
    gt_address = AddressInput(
        country="GT",
        department_id=aldea.department_id,
        municipality_id=aldea.municipality_id,
        line="Aldea Chiquilajá, caserío Los Cipreses",
        latitude=Decimal("14.846712"),
        longitude=Decimal("-91.536204"),
    )
    girl = person_create(
        actor=worker_gt,
        org_unit=office,
        data=PersonInput(
            given_names="Ixchel",
            first_surname="Tzul",
            second_surname="Ajanel",
            sex="female",
            age_years=15,
            nationality="GT",
            addresses=[gt_address],
        ),
    )
    mother_gt = person_create(
        actor=worker_gt,
        org_unit=office,
        data=PersonInput(
            given_names="Rosa María",
            first_surname="Ajanel",
            second_surname="Xicará",
            sex="female",
            date_of_birth=_years_ago(38, 11, 5),
            nationality="GT",
            documents=[
                DocumentInput(DocumentType.NATIONAL_ID, guatemala_cui(rng, municipality_code="0901"), "GT")
            ],
            contacts=[ContactInput(ContactKind.MOBILE, "+502 4718 2263")],
            addresses=[gt_address],
        ),
    )
    brother = person_create(
        actor=worker_gt,
        org_unit=office,
        data=PersonInput(
            given_names="Wilmer",
            first_surname="Tzul",
            second_surname="Ajanel",
            sex="male",
            date_of_birth=_years_ago(10, 1, 23),
            nationality="GT",
            documents=[
                DocumentInput(DocumentType.PERSONAL_CODE, guatemala_cui(rng, municipality_code="0901"), "GT")
            ],
        ),
    )
    family_gt: Household = household_create(
        actor=worker_gt,
        org_unit=office,
        name="Familia Tzul Ajanel",
        country="GT",
        department_id=aldea.department_id,
        municipality_id=aldea.municipality_id,
        address_line=gt_address.line,
    )
    for person, relationship in (
        (mother_gt, Relationship.HEAD),
        (girl, Relationship.CHILD),
        (brother, Relationship.CHILD),
    ):
        household_member_add(actor=worker_gt, household=family_gt, person=person, relationship=relationship)
    return [mother, son, daughter, girl, mother_gt, brother]
