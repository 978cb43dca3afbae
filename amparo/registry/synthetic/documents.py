"""Identity document numbers in each country's real format, check digits included.

Formats: Mexico's CURP (18 characters, RENAPO check digit), Guatemala's DPI/CUI (13
digits with its mod-11 check digit and the department/municipality of registration),
Honduras' DNI, El Salvador's DUI (mod-10 check digit), Argentina's DNI (numbered by
year of birth) and CUIL (mod-11), Paraguay's cédula, Venezuela's cédula, passports.
Numbers are random: they are plausible in shape, not anybody's real document.
"""

import datetime
import random
import unicodedata
from dataclasses import dataclass

from amparo.registry.choices import DocumentType


@dataclass(frozen=True)
class DocumentRecord:
    document_type: str
    number: str
    issuing_country: str


# --- Mexico: CURP -------------------------------------------------------------------------------

CURP_STATES = (
    "AS",
    "BC",
    "BS",
    "CC",
    "CL",
    "CM",
    "CS",
    "CH",
    "DF",
    "DG",
    "GT",
    "GR",
    "HG",
    "JC",
    "MC",
    "MN",
    "MS",
    "NT",
    "NL",
    "OC",
    "PL",
    "QT",
    "QR",
    "SP",
    "SL",
    "SR",
    "TC",
    "TS",
    "TL",
    "VZ",
    "YN",
    "ZS",
)
_CURP_DICTIONARY = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
_CURP_PARTICLES = {
    "DA",
    "DAS",
    "DE",
    "DEL",
    "DER",
    "DI",
    "DIE",
    "DD",
    "EL",
    "LA",
    "LOS",
    "LAS",
    "LE",
    "LES",
    "MAC",
    "MC",
    "VAN",
    "VON",
    "Y",
}
_CURP_SKIPPED_GIVEN = {"MARIA", "MA", "JOSE", "J"}
_CURP_BAD_WORDS = {
    "BACA",
    "BAKA",
    "BUEI",
    "BUEY",
    "CACA",
    "CACO",
    "CAGA",
    "CAGO",
    "CAKA",
    "CAKO",
    "COGE",
    "COJA",
    "COJE",
    "COJI",
    "COJO",
    "CULO",
    "FETO",
    "GUEY",
    "JOTO",
    "KACA",
    "KACO",
    "KAGA",
    "KAGO",
    "KOGE",
    "KOJO",
    "KAKA",
    "KULO",
    "MAME",
    "MAMO",
    "MEAR",
    "MEAS",
    "MEON",
    "MION",
    "MOCO",
    "MULA",
    "PEDA",
    "PEDO",
    "PENE",
    "PUTA",
    "PUTO",
    "QULO",
    "RATA",
    "RUIN",
}
_VOWELS = "AEIOU"


def _curp_letters(text: str) -> str:
    """Upper case without accents; Ñ becomes X as RENAPO writes it; particles dropped."""
    text = text.upper().replace("Ñ", "X").replace("-", " ")
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    words = [word for word in text.split() if word not in _CURP_PARTICLES]
    return "".join(ch for ch in (words[0] if words else "") if ch.isalpha())


def _first_internal(word: str, vowels: bool) -> str:
    for char in word[1:]:
        if (char in _VOWELS) == vowels:
            return char
    return "X"


def curp_check_digit(first17: str) -> str:
    total = sum(_CURP_DICTIONARY.index(char) * (18 - position) for position, char in enumerate(first17))
    return str((10 - total % 10) % 10)


def curp(
    rng: random.Random,
    *,
    given_names: str,
    first_surname: str,
    second_surname: str,
    date_of_birth: datetime.date,
    sex: str,
    state: str | None = None,
) -> str:
    surname1 = _curp_letters(first_surname) or "X"
    surname2 = _curp_letters(second_surname)
    given_words = [_curp_letters(word) for word in given_names.split()]
    given_words = [word for word in given_words if word]
    given = (
        given_words[1]
        if len(given_words) > 1 and given_words[0] in _CURP_SKIPPED_GIVEN
        else (given_words[0] if given_words else "X")
    )
    head = surname1[0] + _first_internal(surname1, vowels=True) + (surname2[:1] or "X") + given[0]
    if head in _CURP_BAD_WORDS:
        head = head[0] + "X" + head[2:]
    differentiator = (
        str(rng.randrange(10)) if date_of_birth.year < 2000 else rng.choice("ABCDEFGHIJKLMNPQRSTUVWXYZ")
    )
    first17 = (
        head
        + date_of_birth.strftime("%y%m%d")
        + ("M" if sex == "female" else "H")
        + (state or rng.choice(CURP_STATES))
        + _first_internal(surname1, vowels=False)
        + (_first_internal(surname2, vowels=False) if surname2 else "X")
        + _first_internal(given, vowels=False)
        + differentiator
    )
    return first17 + curp_check_digit(first17)


# --- Guatemala: DPI / CUI -------------------------------------------------------------------------


def guatemala_cui(rng: random.Random, *, municipality_code: str = "") -> str:
    """13 digits: 8 serial, the mod-11 check digit, then department and municipality (e.g. "0901")."""
    place = municipality_code if len(municipality_code) == 4 else rng.choice(("0101", "0108", "0901", "1301"))
    while True:
        serial = f"{rng.randrange(10_000_000, 40_000_000):08d}"
        check = sum(int(digit) * (position + 2) for position, digit in enumerate(serial)) % 11
        if check < 10:
            return f"{serial[:4]} {serial[4:]}{check} {place}"


# --- Honduras, El Salvador ---------------------------------------------------------------------------


def honduras_dni(rng: random.Random, *, year_of_birth: int, municipality_code: str = "") -> str:
    place = municipality_code if len(municipality_code) == 4 else rng.choice(("0801", "0501", "0502", "0101"))
    return f"{place}-{year_of_birth}-{rng.randrange(1, 99_999):05d}"


def salvador_dui(rng: random.Random) -> str:
    serial = f"{rng.randrange(0, 7_000_000):08d}"
    total = sum(int(digit) * (9 - position) for position, digit in enumerate(serial))
    return f"{serial}-{(10 - total % 10) % 10}"


# --- Argentina: DNI and CUIL ----------------------------------------------------------------------

# (year of birth, typical DNI number) — DNI numbers grow with the year they were issued at birth.
_AR_DNI_BY_YEAR = (
    (1940, 4_000_000),
    (1960, 12_000_000),
    (1970, 20_000_000),
    (1980, 27_500_000),
    (1990, 34_500_000),
    (2000, 42_000_000),
    (2010, 50_500_000),
    (2020, 58_000_000),
    (2030, 66_000_000),
)


def _interpolate(table: tuple[tuple[int, int], ...], year: int) -> int:
    if year <= table[0][0]:
        return table[0][1]
    for (year_a, value_a), (year_b, value_b) in zip(table, table[1:], strict=False):
        if year <= year_b:
            return int(value_a + (value_b - value_a) * (year - year_a) / (year_b - year_a))
    return table[-1][1]


def argentina_dni_number(rng: random.Random, *, year_of_birth: int, is_foreign_resident: bool = False) -> int:
    if is_foreign_resident:  # DNI of foreign residents are numbered from 90 million
        return rng.randrange(92_000_000, 96_000_000)
    return max(1_000_000, _interpolate(_AR_DNI_BY_YEAR, year_of_birth) + rng.randrange(-600_000, 600_000))


def dotted(number: int) -> str:
    """45123456 → "45.123.456", as Argentina and Paraguay print them."""
    return f"{number:,}".replace(",", ".")


def argentina_cuil(dni_number: int, *, sex: str) -> str:
    prefix = "27" if sex == "female" else "20"
    digits = f"{prefix}{dni_number:08d}"
    remainder = 11 - sum(int(d) * w for d, w in zip(digits, (5, 4, 3, 2, 7, 6, 5, 4, 3, 2), strict=True)) % 11
    if remainder == 11:
        check = 0
    elif remainder == 10:
        prefix, check = "23", (4 if sex == "female" else 9)
    else:
        check = remainder
    return f"{prefix}-{dni_number:08d}-{check}"


# --- Paraguay, Venezuela -------------------------------------------------------------------------

_PY_CI_BY_YEAR = (
    (1940, 300_000),
    (1960, 900_000),
    (1975, 2_200_000),
    (1990, 4_000_000),
    (2000, 4_900_000),
    (2010, 5_900_000),
    (2020, 7_100_000),
    (2030, 8_300_000),
)
_VE_CI_BY_YEAR = (
    (1940, 1_500_000),
    (1960, 4_500_000),
    (1975, 11_000_000),
    (1990, 20_000_000),
    (2000, 27_000_000),
    (2010, 31_000_000),
    (2020, 34_000_000),
    (2030, 36_000_000),
)


def paraguay_ci(rng: random.Random, *, year_of_birth: int) -> str:
    return dotted(
        max(100_000, _interpolate(_PY_CI_BY_YEAR, year_of_birth) + rng.randrange(-250_000, 250_000))
    )


def venezuela_ci(rng: random.Random, *, year_of_birth: int) -> str:
    return "V-" + dotted(
        max(500_000, _interpolate(_VE_CI_BY_YEAR, year_of_birth) + rng.randrange(-800_000, 800_000))
    )


# --- Passports -------------------------------------------------------------------------------------


def passport(rng: random.Random, country: str) -> str:
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    if country == "MX":
        return rng.choice("GN") + f"{rng.randrange(10**8):08d}"
    if country == "AR":
        return "AA" + rng.choice("ABCDEFGH") + f"{rng.randrange(10**6):06d}"
    if country in ("GT", "US"):
        return f"{rng.randrange(10**8, 10**9)}"
    if country == "VE":
        return f"{rng.randrange(10**8, 2 * 10**8)}"
    return rng.choice(letters) + f"{rng.randrange(10**7):07d}"


# --- What a person of each nationality carries ------------------------------------------------------


def documents_for(
    rng: random.Random,
    *,
    nationality: str,
    given_names: str,
    first_surname: str,
    second_surname: str,
    date_of_birth: datetime.date,
    age: int,
    sex: str,
    residence: str,
    municipality_code: str = "",
) -> list[DocumentRecord]:
    """The identity documents a person of `nationality` living in `residence` plausibly holds."""
    year = date_of_birth.year
    documents: list[DocumentRecord] = []
    add = documents.append
    if nationality == "MX":
        state = "NE" if residence != "MX" and rng.random() < 0.02 else None
        add(
            DocumentRecord(
                DocumentType.PERSONAL_CODE,
                curp(
                    rng,
                    given_names=given_names,
                    first_surname=first_surname,
                    second_surname=second_surname,
                    date_of_birth=date_of_birth,
                    sex=sex,
                    state=state,
                ),
                "MX",
            )
        )
        if residence == "US" and age >= 16 and rng.random() < 0.5:
            add(DocumentRecord(DocumentType.CONSULAR_ID, f"{rng.randrange(10**8, 10**9)}", "MX"))
    elif nationality == "GT":
        add(
            DocumentRecord(
                DocumentType.NATIONAL_ID if age >= 18 else DocumentType.PERSONAL_CODE,
                guatemala_cui(rng, municipality_code=municipality_code),
                "GT",
            )
        )
    elif nationality == "HN":
        add(
            DocumentRecord(
                DocumentType.NATIONAL_ID if age >= 18 else DocumentType.BIRTH_CERTIFICATE,
                honduras_dni(rng, year_of_birth=year, municipality_code=municipality_code),
                "HN",
            )
        )
    elif nationality == "SV":
        if age >= 18:
            add(DocumentRecord(DocumentType.NATIONAL_ID, salvador_dui(rng), "SV"))
        else:
            add(
                DocumentRecord(
                    DocumentType.BIRTH_CERTIFICATE,
                    f"{rng.randrange(1, 2500)}-{rng.randrange(1, 300)}-{year}",
                    "SV",
                )
            )
    elif nationality == "AR":
        dni = argentina_dni_number(rng, year_of_birth=year)
        add(DocumentRecord(DocumentType.NATIONAL_ID, dotted(dni), "AR"))
        if age >= 16 and rng.random() < 0.4:
            add(DocumentRecord(DocumentType.PERSONAL_CODE, argentina_cuil(dni, sex=sex), "AR"))
    elif nationality == "PY":
        add(DocumentRecord(DocumentType.NATIONAL_ID, paraguay_ci(rng, year_of_birth=year), "PY"))
    elif nationality == "VE":
        if age >= 9:
            add(DocumentRecord(DocumentType.NATIONAL_ID, venezuela_ci(rng, year_of_birth=year), "VE"))
        else:
            add(DocumentRecord(DocumentType.BIRTH_CERTIFICATE, f"{rng.randrange(100, 3000)}-{year}", "VE"))
    elif nationality == "US":
        add(
            DocumentRecord(
                DocumentType.BIRTH_CERTIFICATE,
                f"{rng.choice(('142', '101', '118'))}-{year}-{rng.randrange(10**6):06d}",
                "US",
            )
        )
    elif nationality == "BO":
        add(DocumentRecord(DocumentType.NATIONAL_ID, f"{rng.randrange(10**6, 14 * 10**6)}", "BO"))
    elif nationality == "PE":
        add(DocumentRecord(DocumentType.NATIONAL_ID, f"{rng.randrange(10**7, 8 * 10**7):08d}", "PE"))
    elif nationality == "CO":
        add(
            DocumentRecord(
                DocumentType.NATIONAL_ID, dotted(rng.randrange(1_000_000_000, 1_130_000_000)), "CO"
            )
        )
    elif nationality == "NI":
        add(
            DocumentRecord(
                DocumentType.NATIONAL_ID,
                f"{rng.randrange(1, 620):03d}-{date_of_birth:%d%m%y}-{rng.randrange(10**4):04d}"
                f"{rng.choice('ABCDEFGHJKLMNPQRSTUVWXY')}",
                "NI",
            )
        )
    elif nationality == "CU":
        add(
            DocumentRecord(
                DocumentType.NATIONAL_ID, f"{date_of_birth:%y%m%d}{rng.randrange(10**5):05d}", "CU"
            )
        )
    if (nationality != residence and age >= 18 and rng.random() < 0.35) or not documents:
        add(DocumentRecord(DocumentType.PASSPORT, passport(rng, nationality), nationality))
    if residence == "AR" and nationality != "AR" and rng.random() < 0.3:
        add(
            DocumentRecord(
                DocumentType.NATIONAL_ID,
                dotted(argentina_dni_number(rng, year_of_birth=year, is_foreign_resident=True)),
                "AR",
            )
        )
    return documents
