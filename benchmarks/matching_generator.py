"""A seeded generator of synthetic Latin American persons with realistic duplicates.

Persons live in households: siblings share both surnames (the father's first, the mother's
first), the address and the municipality, are born a few years apart (twins on the same day) —
the hard negatives of person matching. A share of persons is registered again, by another
office, with the errors real registries hold: typos, dropped accents, b/v s/z ll/y h spelling
variants, nicknames (Pepe for José), only the first of two given names, first and second
surname swapped or the second one missing, both surnames typed in one field, birth dates
estimated from an age, day and month swapped, a document number missing or mistyped.

    generate(100_000, seed=7) → DataFrame(id, entity, given_names, first_surname, …)
"""

import datetime
from dataclasses import dataclass

import numpy as np
import pandas as pd

SURNAMES_FREQUENT = (
    "García",
    "Hernández",
    "López",
    "Martínez",
    "González",
    "Pérez",
    "Rodríguez",
    "Sánchez",
    "Ramírez",
    "Cruz",
    "Flores",
    "Gómez",
    "Morales",
    "Díaz",
    "Reyes",
    "Torres",
    "Jiménez",
    "Ruiz",
    "Vásquez",
    "Castillo",
)
SURNAMES_COMMON = (
    "Aguilar",
    "Alvarado",
    "Álvarez",
    "Ávila",
    "Barrios",
    "Bautista",
    "Cabrera",
    "Calderón",
    "Campos",
    "Cardona",
    "Carrillo",
    "Castañeda",
    "Castro",
    "Cervantes",
    "Chávez",
    "Contreras",
    "Cortés",
    "Delgado",
    "Domínguez",
    "Espinoza",
    "Estrada",
    "Fernández",
    "Figueroa",
    "Fuentes",
    "Galindo",
    "Gallardo",
    "Guerrero",
    "Gutiérrez",
    "Guzmán",
    "Herrera",
    "Ibáñez",
    "Juárez",
    "Lara",
    "Luna",
    "Maldonado",
    "Marín",
    "Medina",
    "Mejía",
    "Méndez",
    "Mendoza",
    "Miranda",
    "Molina",
    "Montaño",
    "Montes",
    "Mora",
    "Muñoz",
    "Navarro",
    "Núñez",
    "Ochoa",
    "Ordóñez",
    "Orellana",
    "Orozco",
    "Ortega",
    "Ortiz",
    "Pacheco",
    "Padilla",
    "Paredes",
    "Peña",
    "Quintero",
    "Ramos",
    "Ríos",
    "Rivas",
    "Rivera",
    "Robles",
    "Rojas",
    "Romero",
    "Rosales",
    "Salazar",
    "Salinas",
    "Sandoval",
    "Santos",
    "Serrano",
    "Solís",
    "Soto",
    "Suárez",
    "Valdez",
    "Valencia",
    "Vargas",
    "Vázquez",
    "Vega",
    "Velásquez",
    "Villanueva",
    "Zamora",
    "Zúñiga",
    "Acosta",
    "Aguirre",
    "Arias",
    "Benítez",
    "Blanco",
    "Bravo",
    "Cáceres",
    "Cano",
    "Carmona",
    "Cisneros",
    "Córdova",
    "Correa",
    "Duarte",
    "Escobar",
    "Esquivel",
    "Franco",
    "Gallegos",
    "Garza",
    "Gil",
    "Godoy",
    "Guevara",
    "Hidalgo",
    "Ibarra",
    "Lozano",
    "Macías",
    "Mata",
    "Meza",
    "Montoya",
    "Moreno",
    "Nava",
    "Olvera",
    "Osorio",
    "Palacios",
    "Pineda",
    "Ponce",
    "Quiroga",
    "Rangel",
    "Rosas",
    "Sosa",
    "Tapia",
    "Trejo",
    "Valle",
    "Villalobos",
    "Zapata",
    "Aranda",
    "Becerra",
    "Bermúdez",
    "Camacho",
    "Cuevas",
    "Enríquez",
    "Farías",
    "Gálvez",
    "Lagos",
    "Luján",
    "Magaña",
    "Mireles",
    "Najera",
    "Ocampo",
    "Peralta",
    "Quezada",
    "Renteria",
    "Sepúlveda",
    "Tovar",
    "Urbina",
    "Vidal",
    "Yáñez",
    "Zavala",
    "Bolaños",
    "Chacón",
    "Arévalo",
    "Argueta",
    "Ayala",
    "Barrera",
    "Beltrán",
    "Cardenas",
    "Coronado",
    "Dávila",
    "Echeverría",
    "Fonseca",
    "Galeano",
    "Hurtado",
    "Jaramillo",
    "Landa",
    "Leiva",
    "Marroquín",
    "Melgar",
    "Monroy",
    "Noriega",
    "Obando",
    "Pacheco",
    "Portillo",
    "Quiñones",
    "Recinos",
    "Saavedra",
    "Tejada",
    "Ugalde",
    "Valladares",
    "Villeda",
    "Zelaya",
    "Xicará",
    "Tzul",
    "Cux",
    "Ajanel",
    "Choc",
    "Caal",
    "Quispe",
    "Mamani",
    "Condori",
    "Choque",
    "Huamán",
    "Apaza",
    "Ticona",
    "Colque",
    "Yupanqui",
    "Huanca",
    "Ccori",
    "Cutipa",
    "Ixcoy",
    "Batz",
)
PARTICLE_SURNAMES = (
    "de la Cruz",
    "de León",
    "del Valle",
    "de los Santos",
    "de Jesús",
    "de la Rosa",
    "del Río",
    "de la Torre",
    "de la Garza",
    "San Martín",
    "de la O",
    "de Paz",
)
HYPHENATED = ("García-Márquez", "Pérez-Tejada", "Ruiz-Esparza", "Sánchez-Navarro", "López-Portillo")
_PREFIXES = (
    "Al",
    "Ar",
    "Bel",
    "Car",
    "Dom",
    "Es",
    "Gal",
    "Ir",
    "Lar",
    "Mon",
    "Ol",
    "Pal",
    "Ren",
    "Sal",
    "Tor",
    "Val",
    "Zar",
    "Ber",
    "Cas",
    "Ech",
    "Fig",
    "Gar",
    "Hin",
    "Lan",
    "Mar",
    "Nar",
    "Or",
    "Pin",
    "Quin",
    "Ros",
)
_SUFFIXES = (
    "ena",
    "ado",
    "eda",
    "ino",
    "ola",
    "uela",
    "ares",
    "anos",
    "iega",
    "ueta",
    "illa",
    "ano",
    "ibar",
    "uerra",
    "ondo",
    "aza",
    "ete",
    "ijo",
    "orra",
    "ueda",
)

FEMALE = (
    "María",
    "Ana",
    "Sofía",
    "Valentina",
    "Camila",
    "Lucía",
    "Daniela",
    "Andrea",
    "Paola",
    "Fernanda",
    "Guadalupe",
    "Rosa",
    "Juana",
    "Carmen",
    "Isabel",
    "Gabriela",
    "Mariana",
    "Natalia",
    "Alejandra",
    "Fátima",
    "Belén",
    "Abril",
    "Renata",
    "Jimena",
    "Ximena",
    "Regina",
    "Victoria",
    "Verónica",
    "Leticia",
    "Araceli",
    "Rocío",
    "Elena",
    "Marisol",
    "Yesenia",
    "Karla",
    "Noemí",
    "Raquel",
    "Inés",
    "Graciela",
    "Dolores",
    "Concepción",
    "Consuelo",
    "Patricia",
    "Teresa",
    "Mercedes",
    "Josefa",
    "Francisca",
    "Alicia",
    "Rosario",
    "Lourdes",
    "Pilar",
    "Soledad",
    "Yolanda",
    "Liliana",
    "Carolina",
    "Esperanza",
    "Angélica",
    "Beatriz",
    "Claudia",
    "Diana",
    "Esther",
    "Gloria",
    "Irma",
    "Julia",
    "Laura",
    "Martha",
    "Norma",
    "Olga",
    "Silvia",
    "Susana",
    "Xóchitl",
    "Yadira",
    "Zoila",
    "Brenda",
    "Cecilia",
    "Adriana",
    "Mónica",
    "Sandra",
    "Elizabeth",
)
MALE = (
    "José",
    "Juan",
    "Luis",
    "Carlos",
    "Jesús",
    "Miguel",
    "Ángel",
    "Santiago",
    "Mateo",
    "Sebastián",
    "Matías",
    "Diego",
    "Emiliano",
    "Joaquín",
    "Benjamín",
    "Tomás",
    "Nicolás",
    "Óscar",
    "Héctor",
    "Rubén",
    "Efraín",
    "Fermín",
    "Germán",
    "Andrés",
    "Julián",
    "Martín",
    "Iván",
    "Cristian",
    "Ramón",
    "Raúl",
    "Adrián",
    "Víctor",
    "Francisco",
    "Alejandro",
    "Daniel",
    "Gabriel",
    "Samuel",
    "Rodrigo",
    "Ernesto",
    "Ignacio",
    "Guillermo",
    "Antonio",
    "Manuel",
    "Enrique",
    "Eduardo",
    "Salvador",
    "Roberto",
    "Alberto",
    "Fernando",
    "Rafael",
    "Vicente",
    "Gregorio",
    "Alfonso",
    "Sergio",
    "Pedro",
    "Pablo",
    "Jorge",
    "Ricardo",
    "Gustavo",
    "Javier",
    "Hugo",
    "Arturo",
    "Mario",
    "Felipe",
    "Armando",
    "Leonardo",
    "Marco",
    "Omar",
    "Israel",
    "Abraham",
    "Elías",
    "Hernán",
    "Bernardo",
    "Wilmer",
    "Walter",
    "Edwin",
    "Byron",
    "Wilson",
    "Nelson",
    "Kevin",
)
COMPOUND_SECOND_FEMALE = (
    "José",
    "Fernanda",
    "Guadalupe",
    "Elena",
    "Isabel",
    "Luisa",
    "del Carmen",
    "de los Ángeles",
    "Teresa",
    "Eugenia",
    "Alejandra",
    "Sofía",
    "Belén",
)
COMPOUND_SECOND_MALE = (
    "Carlos",
    "Luis",
    "Antonio",
    "Manuel",
    "José",
    "Pablo",
    "Miguel",
    "Ángel",
    "Alberto",
    "Francisco",
    "David",
    "Ernesto",
)
NICKNAMES = {
    "José": ("Pepe", "Chepe"),
    "Guadalupe": ("Lupe", "Lupita"),
    "Graciela": ("Chela",),
    "Francisco": ("Paco", "Pancho"),
    "Ignacio": ("Nacho",),
    "Jesús": ("Chucho", "Chuy"),
    "Guillermo": ("Memo",),
    "Antonio": ("Toño",),
    "Dolores": ("Lola",),
    "Concepción": ("Conchita", "Concha"),
    "Enrique": ("Quique",),
    "Eduardo": ("Lalo",),
    "Salvador": ("Chava",),
    "Rosario": ("Chayo", "Charo"),
    "Patricia": ("Paty",),
    "Teresa": ("Tere",),
    "Alfonso": ("Poncho",),
    "Sergio": ("Checo",),
    "Manuel": ("Manolo",),
    "Mercedes": ("Meche",),
    "Alicia": ("Licha",),
    "Roberto": ("Beto",),
    "Alberto": ("Beto",),
    "Rafael": ("Rafa",),
    "Vicente": ("Chente",),
    "Gregorio": ("Goyo",),
    "Consuelo": ("Chelo",),
    "Josefa": ("Pepa",),
    "Francisca": ("Pancha", "Paquita"),
    "Natalia": ("Nati",),
    "Soledad": ("Sole",),
    "Isabel": ("Chabela",),
    "Gustavo": ("Tavo",),
}
SOUND_ALIKE = (
    ("v", "b"),
    ("b", "v"),
    ("z", "s"),
    ("s", "z"),
    ("ll", "y"),
    ("y", "ll"),
    ("ce", "se"),
    ("ci", "si"),
    ("j", "g"),
    ("ge", "je"),
    ("gi", "ji"),
    ("qu", "k"),
    ("x", "j"),
)
EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()
TODAY = datetime.date(2026, 6, 30).toordinal() - EPOCH_ORDINAL
ACCENTS = str.maketrans("áéíóúÁÉÍÓÚüÜñÑ", "aeiouAEIOUuUnN")
DEPARTMENTS = 32
MUNICIPALITIES_PER_DEPARTMENT = 25
STREETS = ("Calle", "Avenida", "Callejón", "Privada", "Calzada", "Camino")
STREET_NAMES = (
    "Hidalgo",
    "Juárez",
    "Morelos",
    "Reforma",
    "Independencia",
    "5 de Mayo",
    "Zaragoza",
    "Allende",
    "Madero",
    "Guerrero",
    "Las Flores",
    "El Sol",
    "Los Pinos",
    "La Paz",
    "Principal",
    "Central",
)


@dataclass(frozen=True)
class ErrorRates:
    duplicate_share: float = 0.15  # of persons registered a second time
    second_duplicate_share: float = 0.04  # … and a third time
    typo_given: float = 0.12
    typo_surname: float = 0.12
    sound_alike: float = 0.12
    drop_accents: float = 0.5
    nickname: float = 0.08
    first_given_only: float = 0.15
    swapped_surnames: float = 0.05
    missing_second_surname: float = 0.12
    surnames_in_one_field: float = 0.03
    estimated_birth: float = 0.12
    birth_typo: float = 0.05
    day_month_swap: float = 0.03
    missing_birth: float = 0.04
    missing_document: float = 0.4
    document_typo: float = 0.05
    unknown_sex: float = 0.05
    moved: float = 0.2
    missing_place: float = 0.1


def _zipf_weights(count: int, exponent: float) -> np.ndarray:
    weights = 1.0 / np.arange(1, count + 1) ** exponent
    return weights / weights.sum()


def _surname_pool(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    invented = sorted({prefix + suffix for prefix in _PREFIXES for suffix in _SUFFIXES})
    pool = list(
        dict.fromkeys((*SURNAMES_FREQUENT, *SURNAMES_COMMON, *PARTICLE_SURNAMES, *HYPHENATED, *invented))
    )
    head = len(SURNAMES_FREQUENT)
    weights = np.concatenate([_zipf_weights(head, 0.5) * 0.30, _zipf_weights(len(pool) - head, 0.9) * 0.70])
    return np.array(pool, dtype=object), weights / weights.sum()


def _typo(text: str, rng: np.random.Generator) -> str:
    letters = [index for index, char in enumerate(text) if char.isalpha()]
    if len(letters) < 3:
        return text
    position = letters[int(rng.integers(1, len(letters)))]
    operation = int(rng.integers(0, 4))
    alphabet = "abcdefghijklmnoprstuvyz"
    if operation == 0:  # delete
        return text[:position] + text[position + 1 :]
    if operation == 1:  # insert
        return text[:position] + alphabet[int(rng.integers(0, len(alphabet)))] + text[position:]
    if operation == 2 and position + 1 < len(text):  # transpose
        return text[:position] + text[position + 1] + text[position] + text[position + 2 :]
    return text[:position] + alphabet[int(rng.integers(0, len(alphabet)))] + text[position + 1 :]


def _sound_alike(text: str, rng: np.random.Generator) -> str:
    lowered = text.lower()
    options = [(old, new) for old, new in SOUND_ALIKE if old in lowered]
    if lowered.startswith("h") or not options:
        return text[1:].capitalize() if lowered.startswith("h") else text
    old, new = options[int(rng.integers(0, len(options)))]
    index = lowered.index(old)
    replaced = lowered[:index] + new + lowered[index + len(old) :]
    return replaced[:1].upper() + replaced[1:]


def _day(days_since_epoch: int) -> datetime.date:
    return datetime.date.fromordinal(EPOCH_ORDINAL + int(days_since_epoch))


def _format_date(ordinal: int, estimated: bool, rng: np.random.Generator) -> str:
    day = _day(ordinal)
    if estimated and rng.random() < 0.3:
        return f"~{day.year}"
    return day.strftime("%d/%m/%Y") if rng.random() < 0.7 else day.strftime("%Y-%m-%d")


def generate(count: int, *, seed: int = 7, rates: ErrorRates | None = None) -> pd.DataFrame:
    """`count` records (originals + duplicates) with an `entity` column holding the truth."""
    rates = rates or ErrorRates()
    rng = np.random.default_rng(seed)
    expected_copies = 1 + rates.duplicate_share + rates.second_duplicate_share
    persons = int(count / expected_copies) + 1
    surnames, surname_weights = _surname_pool(rng)
    female, male = np.array(FEMALE, dtype=object), np.array(MALE, dtype=object)
    female_weights, male_weights = _zipf_weights(len(female), 0.8), _zipf_weights(len(male), 0.8)

    # Households: 1–7 members sharing surnames, address and municipality.
    sizes = rng.choice(np.arange(1, 8), size=persons, p=[0.25, 0.2, 0.2, 0.15, 0.1, 0.06, 0.04])
    household = np.repeat(np.arange(persons), sizes)[:persons]
    households = int(household.max()) + 1
    family_first = rng.choice(surnames, size=households, p=surname_weights)
    family_second = rng.choice(surnames, size=households, p=surname_weights)
    family_department = rng.integers(0, DEPARTMENTS, households)
    family_municipality = family_department * MUNICIPALITIES_PER_DEPARTMENT + rng.integers(
        0, MUNICIPALITIES_PER_DEPARTMENT, households
    )
    family_street = rng.integers(0, len(STREETS) * len(STREET_NAMES), households)
    family_number = rng.integers(1, 3000, households)
    first_in_household = np.r_[True, household[1:] != household[:-1]]
    twins = rng.random(persons) < 0.01
    step = np.where(first_in_household | twins, 0, rng.integers(330, 365 * 4, persons))
    cumulative = np.cumsum(step)
    since_eldest = cumulative - cumulative[np.flatnonzero(first_in_household)[household]]
    youngest_gap = np.zeros(households, dtype=np.int64)
    np.maximum.at(youngest_gap, household, since_eldest)
    family_birth = TODAY - 30 - youngest_gap - rng.integers(0, 365 * 50, households)
    birth = family_birth[household] + since_eldest
    sex = np.where(rng.random(persons) < 0.5, "female", "male")
    given = np.where(
        sex == "female",
        rng.choice(female, size=persons, p=female_weights),
        rng.choice(male, size=persons, p=male_weights),
    ).astype(object)
    compound = rng.random(persons) < 0.3
    second_given = np.where(
        sex == "female",
        rng.choice(np.array(COMPOUND_SECOND_FEMALE, dtype=object), persons),
        rng.choice(np.array(COMPOUND_SECOND_MALE, dtype=object), persons),
    )
    given = np.where(compound & (given != second_given), given + " " + second_given, given)
    given = _distinct_within_households(
        given, household, sex, rng, (female, female_weights), (male, male_weights)
    )
    single_surname = rng.random(persons) < 0.04
    has_document = rng.random(persons) < 0.7
    documents = rng.integers(10_000_000, 99_999_999, persons)
    nationality = rng.choice(
        np.array(["MX", "GT", "HN", "SV", "CO", "VE"], dtype=object),
        persons,
        p=[0.5, 0.15, 0.12, 0.1, 0.08, 0.05],
    )

    originals = pd.DataFrame(
        {
            "entity": np.arange(persons),
            "given_names": given,
            "first_surname": family_first[household],
            "second_surname": np.where(single_surname, "", family_second[household]),
            "sex": sex,
            "birth": birth,
            "estimated": rng.random(persons) < 0.05,
            "document_number": np.where(has_document, documents.astype(str), ""),
            "nationality": nationality,
            "department": family_department[household],
            "municipality": family_municipality[household],
            "street": family_street[household],
            "number": family_number[household],
        }
    )
    copies = rng.random(persons)
    once = np.flatnonzero(copies < rates.duplicate_share + rates.second_duplicate_share)
    twice = np.flatnonzero(copies < rates.second_duplicate_share)
    duplicates = originals.iloc[np.concatenate([once, twice])].copy()
    duplicates = pd.DataFrame([_corrupt(row, rates, rng) for row in duplicates.itertuples(index=False)])
    records = pd.concat([originals, duplicates], ignore_index=True)
    records = records.sample(frac=1.0, random_state=seed).head(count).reset_index(drop=True)
    return _render(records, rng)


def _distinct_within_households(
    given: np.ndarray,
    household: np.ndarray,
    sex: np.ndarray,
    rng: np.random.Generator,
    *pools: tuple[np.ndarray, np.ndarray],
) -> np.ndarray:
    """Parents do not give two children the same name: redraw repeats within a household."""
    given = given.copy()
    seen: dict[tuple[int, str], int] = {}
    for index in range(len(given)):
        key = (int(household[index]), given[index])
        attempts = 0
        while key in seen and attempts < 20:
            names, weights = pools[0] if sex[index] == "female" else pools[1]
            given[index] = rng.choice(names, p=weights)
            key = (int(household[index]), given[index])
            attempts += 1
        seen[key] = index
    return given


def _corrupt(row: tuple, rates: ErrorRates, rng: np.random.Generator) -> dict:
    record = row._asdict()
    given = record["given_names"]
    if rng.random() < rates.first_given_only and " " in given:
        given = given.split(" ")[0]
    if rng.random() < rates.nickname:
        first, _, rest = given.partition(" ")
        if first in NICKNAMES:
            options = NICKNAMES[first]
            given = " ".join(part for part in (options[int(rng.integers(0, len(options)))], rest) if part)
    if rng.random() < rates.typo_given:
        given = _typo(given, rng)
    if rng.random() < rates.sound_alike:
        given = _sound_alike(given, rng)
    first, second = record["first_surname"], record["second_surname"]
    if rng.random() < rates.typo_surname:
        first = _typo(first, rng)
    if rng.random() < rates.typo_surname / 2 and second:
        second = _typo(second, rng)
    if rng.random() < rates.sound_alike:
        first = _sound_alike(first, rng)
    if rng.random() < rates.swapped_surnames and second:
        first, second = second, first
    if rng.random() < rates.missing_second_surname:
        second = ""
    if rng.random() < rates.surnames_in_one_field and second:
        first, second = f"{first} {second}", ""
    if rng.random() < rates.drop_accents:
        given, first, second = (value.translate(ACCENTS) for value in (given, first, second))
    birth, estimated = record["birth"], record["estimated"]
    if rng.random() < rates.estimated_birth:
        age_years = max(0, int(round((TODAY - birth) / 365.25 + rng.normal(0, 0.8))))
        birth, estimated = TODAY - 182 - 365 * age_years, True
    elif rng.random() < rates.birth_typo:
        birth = birth + int(rng.choice([-10, -1, 1, 10, 30, -30, 365, -365]))
    elif rng.random() < rates.day_month_swap:
        day = _day(birth)
        if day.day <= 12:
            birth = datetime.date(day.year, day.day, day.month).toordinal() - EPOCH_ORDINAL
    if rng.random() < rates.missing_birth:
        birth = None
    document = record["document_number"]
    if document and rng.random() < rates.missing_document:
        document = ""
    elif document and rng.random() < rates.document_typo:
        document = (
            _typo("x" + document, rng)[1:] if rng.random() < 0.5 else document[:-1] + str(rng.integers(10))
        )
    department, municipality = record["department"], record["municipality"]
    street, number = record["street"], record["number"]
    if rng.random() < rates.moved:
        street, number = int(rng.integers(0, len(STREETS) * len(STREET_NAMES))), int(rng.integers(1, 3000))
        department = int(rng.integers(0, DEPARTMENTS))
        municipality = department * MUNICIPALITIES_PER_DEPARTMENT + int(
            rng.integers(0, MUNICIPALITIES_PER_DEPARTMENT)
        )
    if rng.random() < rates.missing_place:
        department = municipality = -1
    sex = "unknown" if rng.random() < rates.unknown_sex else record["sex"]
    return {
        **record,
        "given_names": given,
        "first_surname": first,
        "second_surname": second,
        "birth": birth,
        "estimated": estimated,
        "document_number": document,
        "department": department,
        "municipality": municipality,
        "sex": sex,
        "street": street,
        "number": number,
    }


def _render(records: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    street_names = np.array([f"{kind} {name}" for kind in STREETS for name in STREET_NAMES], dtype=object)
    births = records["birth"].to_numpy()
    present = pd.notna(records["birth"]).to_numpy()
    estimated = records["estimated"].to_numpy(dtype=bool) & present
    dates = [
        _format_date(int(birth), bool(flag), rng) if is_present else ""
        for birth, flag, is_present in zip(births, estimated, present, strict=True)
    ]
    department = records["department"].astype(int).to_numpy()
    municipality = records["municipality"].astype(int).to_numpy()
    has_place = department >= 0
    return pd.DataFrame(
        {
            "id": [f"P{index:07d}" for index in range(len(records))],
            "entity": records["entity"].to_numpy(),
            "given_names": records["given_names"].to_numpy(),
            "first_surname": records["first_surname"].to_numpy(),
            "second_surname": records["second_surname"].to_numpy(),
            "sex": records["sex"].to_numpy(),
            "date_of_birth": dates,
            "date_of_birth_is_estimated": np.where(estimated, "true", ""),
            "document_number": records["document_number"].to_numpy(),
            "nationality": records["nationality"].to_numpy(),
            "department": np.where(has_place, np.char.add("D", department.astype(str)), ""),
            "municipality": np.where(has_place, np.char.add("M", municipality.astype(str)), ""),
            "address": [
                f"{street_names[street]} {number}"
                for street, number in zip(records["street"], records["number"], strict=True)
            ],
        }
    )


def true_pairs(frame: pd.DataFrame) -> set[tuple[str, str]]:
    """Every pair of records of the same person (ids sorted within a pair)."""
    pairs: set[tuple[str, str]] = set()
    for ids in frame.groupby("entity")["id"].agg(list):
        ids = sorted(ids)
        pairs.update((ids[i], ids[j]) for i in range(len(ids)) for j in range(i + 1, len(ids)))
    return pairs
