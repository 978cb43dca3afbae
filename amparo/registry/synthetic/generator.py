"""Seeded generation of realistic persons and families (no database access here)."""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from amparo.common.dates import years_before
from amparo.registry.choices import ContactKind, Relationship, Sex
from amparo.registry.synthetic import names
from amparo.registry.synthetic.contact import Place, email, phone, street_line
from amparo.registry.synthetic.documents import DocumentRecord, documents_for


@dataclass(frozen=True)
class ContactRecord:
    kind: str
    value: str


@dataclass(frozen=True)
class AddressRecord:
    country: str
    department_id: int | None
    municipality_id: int | None
    line: str
    latitude: Decimal | None
    longitude: Decimal | None
    is_current: bool = True


@dataclass
class SyntheticPerson:
    given_names: str
    first_surname: str
    second_surname: str
    sex: str
    date_of_birth: datetime.date
    date_of_birth_is_estimated: bool
    nationality: str
    org_unit_id: int
    created_by_id: int | None = None
    documents: list[DocumentRecord] = field(default_factory=list)
    contacts: list[ContactRecord] = field(default_factory=list)
    addresses: list[AddressRecord] = field(default_factory=list)

    def age_on(self, day: datetime.date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass
class SyntheticHousehold:
    name: str
    org_unit_id: int
    place: Place
    address_line: str
    with_gps: bool
    created_by_id: int | None
    # (index into the persons written with it, relationship to the head)
    members: list[tuple[int, str]] = field(default_factory=list)


# (youngest, oldest, share) — a child-protection office sees mostly children, a consulate mostly adults.
AGE_PROFILES: dict[str, tuple[tuple[int, int, float], ...]] = {
    "children": ((0, 5, 0.24), (6, 11, 0.3), (12, 17, 0.36), (18, 24, 0.06), (25, 60, 0.04)),
    "migrants": (
        (0, 5, 0.07),
        (6, 11, 0.09),
        (12, 17, 0.16),
        (18, 29, 0.32),
        (30, 44, 0.25),
        (45, 64, 0.09),
        (65, 85, 0.02),
    ),
    "population": (
        (0, 5, 0.1),
        (6, 11, 0.11),
        (12, 17, 0.11),
        (18, 29, 0.19),
        (30, 44, 0.2),
        (45, 64, 0.18),
        (65, 95, 0.11),
    ),
}

# Who else lives in a country's registry, when nothing more specific is known.
NATIONALITY_MIX: dict[str, dict[str, float]] = {
    "MX": {"MX": 0.9, "GT": 0.04, "HN": 0.03, "SV": 0.02, "US": 0.01},
    "GT": {"GT": 0.95, "SV": 0.02, "HN": 0.02, "MX": 0.01},
    "HN": {"HN": 0.96, "NI": 0.02, "SV": 0.01, "GT": 0.01},
    "SV": {"SV": 0.96, "HN": 0.02, "GT": 0.01, "NI": 0.01},
    "AR": {"AR": 0.86, "PY": 0.05, "BO": 0.04, "VE": 0.03, "PE": 0.02},
    "PY": {"PY": 0.96, "AR": 0.02, "BO": 0.01, "VE": 0.01},
}


def _degrees(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(f"{value:.6f}")


class PersonMaker:
    """Draws persons from one seeded random stream: the same seed gives the same people.

    Dates of birth are drawn relative to `today`, so ages are right on the day of loading.
    """

    def __init__(self, *, seed: int | str, today: datetime.date) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not secrets
        self.today = today

    # --- names ----------------------------------------------------------------------------------

    def sex(self) -> str:
        draw = self.rng.random()
        if draw < 0.505:
            return Sex.FEMALE
        if draw < 0.993:
            return Sex.MALE
        return Sex.UNKNOWN if draw < 0.998 else Sex.INTERSEX

    def given_names(self, nationality: str, sex: str) -> str:
        rng = self.rng
        if sex not in (Sex.FEMALE, Sex.MALE):
            sex = rng.choice((Sex.FEMALE, Sex.MALE))
        female = sex == Sex.FEMALE
        local = (names.COUNTRY_FEMALE if female else names.COUNTRY_MALE).get(nationality, ())
        draw = rng.random()
        if local and draw < 0.3:
            first = rng.choice(local)
        elif draw < 0.55:
            return rng.choice(names.FEMALE_COMPOUND if female else names.MALE_COMPOUND)
        else:
            first = rng.choice(names.FEMALE_SIMPLE if female else names.MALE_SIMPLE)
        if rng.random() < 0.18:  # a second given name that is not a fixed compound
            second = rng.choice(names.FEMALE_SIMPLE if female else names.MALE_SIMPLE)
            if second != first:
                return f"{first} {second}"
        return first

    def surname(self, nationality: str) -> str:
        rng = self.rng
        draw = rng.random()
        local = names.COUNTRY_SURNAMES.get(nationality, ())
        if draw < 0.035:
            return rng.choice(names.PARTICLE_SURNAMES)
        if draw < 0.045:
            return rng.choice(names.HYPHENATED_SURNAMES)
        if local and draw < 0.4:
            return rng.choice(local)
        if draw < 0.7:
            return rng.choice(names.FREQUENT_SURNAMES)
        return rng.choice(names.COMMON_SURNAMES)

    def surnames(self, nationality: str) -> tuple[str, str]:
        first = self.surname(nationality)
        if self.rng.random() < names.SINGLE_SURNAME_SHARE.get(nationality, 0.03):
            return first, ""
        second = self.surname(nationality)
        while second == first and self.rng.random() < 0.9:
            second = self.surname(nationality)
        return first, second

    # --- ages -------------------------------------------------------------------------------------

    def age(self, profile: str) -> int:
        bands = AGE_PROFILES[profile]
        draw, total = self.rng.random(), 0.0
        for youngest, oldest, share in bands:
            total += share
            if draw < total:
                return self.rng.randint(youngest, oldest)
        return self.rng.randint(bands[-1][0], bands[-1][1])

    def date_of_birth(self, age: int, *, estimated_share: float = 0.12) -> tuple[datetime.date, bool]:
        if (
            self.rng.random() < estimated_share
        ):  # "says she is about 14": estimated from the age, as the form does
            return years_before(self.today, age), True
        born = years_before(self.today, age) - datetime.timedelta(days=self.rng.randrange(1, 365))
        return born, False

    def nationality(self, mix: dict[str, float]) -> str:
        return self.rng.choices(list(mix), weights=list(mix.values()))[0]

    # --- persons ----------------------------------------------------------------------------------

    def person(
        self,
        *,
        nationality: str,
        place: Place,
        org_unit_id: int,
        age: int,
        sex: str | None = None,
        surnames: tuple[str, str] | None = None,
        created_by_id: int | None = None,
        address_share: float = 0.6,
        gps_share: float = 0.3,
        origin: Place | None = None,
        estimated_share: float = 0.12,
    ) -> SyntheticPerson:
        rng = self.rng
        sex = sex or self.sex()
        first_surname, second_surname = surnames or self.surnames(nationality)
        given_names = self.given_names(nationality, sex)
        date_of_birth, estimated = self.date_of_birth(age, estimated_share=estimated_share)
        birth_place = origin or place
        person = SyntheticPerson(
            given_names=given_names,
            first_surname=first_surname,
            second_surname=second_surname,
            sex=sex,
            date_of_birth=date_of_birth,
            date_of_birth_is_estimated=estimated,
            nationality=nationality,
            org_unit_id=org_unit_id,
            created_by_id=created_by_id,
        )
        # Some people arrive with no papers at all (a child found alone, a deported adult).
        if rng.random() < 0.93:
            person.documents = documents_for(
                rng,
                nationality=nationality,
                given_names=given_names,
                first_surname=first_surname,
                second_surname=second_surname,
                date_of_birth=date_of_birth,
                age=age,
                sex=sex,
                residence=place.country,
                municipality_code=birth_place.municipality_code if birth_place.country == nationality else "",
            )
        if age >= 15 and rng.random() < 0.65:
            person.contacts.append(
                ContactRecord(rng.choice((ContactKind.MOBILE, ContactKind.WHATSAPP)), phone(rng, place))
            )
            if rng.random() < 0.12:
                person.contacts.append(
                    ContactRecord(ContactKind.EMAIL, email(rng, given_names, first_surname))
                )
        if rng.random() < address_share:
            person.addresses.append(self.address(place, with_gps=rng.random() < gps_share))
            if origin is not None and rng.random() < 0.3:
                person.addresses.append(self.address(origin, with_gps=False, is_current=False))
        return person

    def address(self, place: Place, *, with_gps: bool, is_current: bool = True) -> AddressRecord:
        latitude = longitude = None
        if with_gps and place.latitude is not None and place.longitude is not None:
            latitude = place.latitude + self.rng.uniform(-0.03, 0.03)
            longitude = place.longitude + self.rng.uniform(-0.03, 0.03)
        return AddressRecord(
            country=place.country,
            department_id=place.department_id,
            municipality_id=place.municipality_id,
            line=street_line(self.rng, place),
            latitude=_degrees(latitude),
            longitude=_degrees(longitude),
            is_current=is_current,
        )

    def family(
        self,
        *,
        nationality: str,
        place: Place,
        org_unit_id: int,
        created_by_id: int | None = None,
        origin: Place | None = None,
        address_share: float = 0.6,
        gps_share: float = 0.3,
        alone_share: float = 0.0,
    ) -> list[tuple[SyntheticPerson, str]]:
        """A household: head, often a partner, children carrying both parents' first surnames, sometimes
        a grandparent or a nephew; `alone_share` of them one person living alone. Returns (person,
        relationship to the head), head first."""
        rng = self.rng

        def member(
            age: int,
            *,
            sex: str | None = None,
            surnames: tuple[str, str] | None = None,
            estimated_share: float = 0.12,
        ) -> SyntheticPerson:
            return self.person(
                nationality=nationality, place=place, org_unit_id=org_unit_id, age=age, sex=sex,
                surnames=surnames, created_by_id=created_by_id, origin=origin, address_share=0.0,
                estimated_share=estimated_share,
            )  # fmt: skip

        if rng.random() < alone_share:
            alone = member(rng.randint(19, 92), estimated_share=0.05)
            if rng.random() < address_share:
                alone.addresses.append(self.address(place, with_gps=rng.random() < gps_share))
            return [(alone, Relationship.HEAD)]
        father_surnames, mother_surnames = self.surnames(nationality), self.surnames(nationality)
        head_age = rng.randint(22, 58)
        mother_heads = rng.random() < 0.45
        has_partner = rng.random() < (0.55 if mother_heads else 0.85)
        head_sex, partner_sex = (Sex.FEMALE, Sex.MALE) if mother_heads else (Sex.MALE, Sex.FEMALE)
        head_surnames = mother_surnames if mother_heads else father_surnames
        partner_surnames = father_surnames if mother_heads else mother_surnames
        head = member(head_age, sex=head_sex, surnames=head_surnames, estimated_share=0.05)
        if rng.random() < address_share:
            head.addresses.append(self.address(place, with_gps=rng.random() < gps_share))
        members: list[tuple[SyntheticPerson, str]] = [(head, Relationship.HEAD)]
        if has_partner:
            partner_age = max(18, head_age + rng.randint(-6, 6))
            partner = member(partner_age, sex=partner_sex, surnames=partner_surnames, estimated_share=0.05)
            members.append((partner, Relationship.SPOUSE))
        single_surname = rng.random() < names.SINGLE_SURNAME_SHARE.get(nationality, 0.03)
        children_surnames = (father_surnames[0], "" if single_surname else mother_surnames[0])
        if not has_partner and rng.random() < 0.5:  # father absent: children keep his surname anyway
            children_surnames = (self.surname(nationality), "" if single_surname else mother_surnames[0])
        oldest_child = max(0, min(head_age - 17, 17 if rng.random() < 0.85 else 25))
        for _child in range(rng.choices((1, 2, 3, 4, 5), weights=(45, 32, 14, 6, 3))[0]):
            if rng.random() < 0.93:
                members.append(
                    (member(rng.randint(0, oldest_child), surnames=children_surnames), Relationship.CHILD)
                )
            else:
                stepchild = member(rng.randint(0, oldest_child), surnames=self.surnames(nationality))
                members.append((stepchild, Relationship.STEPCHILD))
        if rng.random() < 0.12:  # the head's mother or father: their first surname is the head's second
            grandparent_surnames = (head_surnames[1] or self.surname(nationality), self.surname(nationality))
            grandparent_age = min(95, head_age + rng.randint(20, 32))
            members.append((member(grandparent_age, surnames=grandparent_surnames), Relationship.PARENT))
        if rng.random() < 0.08:
            members.append((member(rng.randint(3, 19)), Relationship.OTHER_RELATIVE))
        return members
