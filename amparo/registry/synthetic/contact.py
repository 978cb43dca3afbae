"""Places, phone numbers and street addresses written the way each country writes them."""

import random
from dataclasses import dataclass

from amparo.common.text import fold


@dataclass(frozen=True)
class Place:
    """Where a person lives: a country, a town for the address line and, when known, its AdminArea rows."""

    country: str
    city: str = ""
    department_id: int | None = None
    municipality_id: int | None = None
    municipality_code: str = ""
    latitude: float | None = None
    longitude: float | None = None
    phone_area: str = ""


_MOBILE_AREAS = {
    "MX": ("55", "33", "81", "961", "962", "951", "443", "656", "664"),
    "US": ("713", "832", "281", "213", "323", "310", "520"),
    "AR": ("11", "388", "387", "351"),
}


def phone(rng: random.Random, place: Place) -> str:
    """A mobile number in the international format people give to caseworkers."""
    country = place.country
    area = place.phone_area or rng.choice(_MOBILE_AREAS.get(country, ("",)))
    digits = rng.randrange
    if country == "MX":
        rest = digits(10 ** (10 - len(area) - 1), 10 ** (10 - len(area)))
        text = str(rest)
        return f"+52 {area} {text[:-4]} {text[-4:]}"
    if country == "US":
        return f"+1 {area} {digits(200, 999)} {digits(10**4):04d}"
    if country == "GT":
        return f"+502 {rng.choice('345')}{digits(10**3):03d} {digits(10**4):04d}"
    if country == "HN":
        return f"+504 {rng.choice('389')}{digits(10**3):03d}-{digits(10**4):04d}"
    if country == "SV":
        return f"+503 {rng.choice('67')}{digits(10**3):03d} {digits(10**4):04d}"
    if country == "AR":
        local_length = 10 - len(area)
        text = str(digits(4 * 10 ** (local_length - 1), 10**local_length))
        return f"+54 9 {area} {text[:-4]}-{text[-4:]}"
    if country == "PY":
        return (
            f"+595 {rng.choice(('981', '982', '983', '984', '985', '971', '972', '975', '991', '994'))} "
            f"{digits(10**6):06d}"
        )
    if country == "VE":
        return f"+58 {rng.choice(('412', '414', '416', '424'))} {digits(10**7):07d}"
    return f"+{digits(20, 999)} {digits(10**7, 10**8)}"


def email(rng: random.Random, given_names: str, first_surname: str) -> str:
    given = fold(given_names).split()
    surname = fold(first_surname).replace(" ", "")
    domain = rng.choice(("gmail.com", "gmail.com", "hotmail.com", "yahoo.com", "outlook.com"))
    return f"{given[0] if given else 'contacto'}.{surname}{rng.randrange(1, 99)}@{domain}"


_STREETS = {
    "MX": (
        "Calle Hidalgo",
        "Av. Juárez",
        "Calle Morelos",
        "Av. Insurgentes",
        "Calle 5 de Mayo",
        "Calle Allende",
        "Calle Zaragoza",
        "Av. Revolución",
        "Calle Niños Héroes",
        "Calle Aldama",
        "Av. Central Poniente",
    ),
    "AR": (
        "Av. Belgrano",
        "Calle Güemes",
        "Av. San Martín",
        "Senador Pérez",
        "Lavalle",
        "Av. Rivadavia",
        "Av. Hipólito Yrigoyen",
        "Calle Sarmiento",
        "Av. Almirante Brown",
    ),
    "PY": (
        "Mcal. López",
        "Avda. España",
        "Tte. Fariña",
        "Eusebio Ayala",
        "Avda. Mcal. Estigarribia",
        "Gral. Díaz",
        "Cerro Corá",
        "Avda. Fernando de la Mora",
    ),
}
_COLONIAS = (
    "Centro",
    "Las Flores",
    "San José",
    "Guadalupe",
    "El Mirador",
    "Santa Cruz",
    "Los Pinos",
    "Emiliano Zapata",
    "Lomas del Sur",
    "Infonavit",
    "Benito Juárez",
)
_US_STREETS = {
    "Houston": ("Bissonnet St", "Gessner Rd", "Long Point Rd", "Airline Dr", "Telephone Rd", "Harwin Dr"),
    "Los Ángeles": ("S Broadway", "E Cesar E Chavez Ave", "W Pico Blvd", "E Olympic Blvd", "Whittier Blvd"),
    "Tucson": ("S 6th Ave", "W Ajo Way", "S Park Ave", "E Irvington Rd", "S 12th Ave"),
}
_HN_COLONIAS = ("Kennedy", "Rivera Hernández", "Los Pinos", "Villa Nueva", "Chamelecón")
_SV_COLONIAS = ("Colonia Zacamil", "Reparto Los Santos", "Colonia Escalón", "Residencial Altavista")
_US_STATE = {"Houston": "TX", "Los Ángeles": "CA", "Tucson": "AZ"}


def street_line(rng: random.Random, place: Place) -> str:
    """An address line in the country's own style (zona, colonia, c/, barrio…)."""
    number = rng.randrange(1, 3000)
    country, city = place.country, place.city
    if country == "MX":
        return f"{rng.choice(_STREETS['MX'])} {number}, Col. {rng.choice(_COLONIAS)}"
    if country == "US":
        street = rng.choice(_US_STREETS.get(city, ("Main St",)))
        apartment = f", Apt {rng.randrange(1, 40)}" if rng.random() < 0.4 else ""
        city = city or "Houston"
        return f"{rng.randrange(100, 12000)} {street}{apartment}, {city}, {_US_STATE.get(city, 'TX')}"
    if country == "GT":
        if rng.random() < 0.4:
            return (
                f"Aldea {rng.choice(('Chiquilajá', 'Xecaracoj', 'Llanos del Pinal', 'Tierra Colorada'))}, "
                f"caserío {rng.choice(('Los Cipreses', 'El Progreso', 'La Cumbre', 'Xetuj'))}"
            )
        return (
            f"{rng.randrange(1, 20)}a. Calle {rng.randrange(1, 30)}-{rng.randrange(1, 99):02d}, "
            f"Zona {rng.randrange(1, 12)}"
        )
    if country == "HN":
        return (
            f"Colonia {rng.choice(_HN_COLONIAS)}, bloque {rng.randrange(1, 40)}, casa {rng.randrange(1, 80)}"
        )
    if country == "SV":
        return (
            f"Pasaje {rng.choice(('Los Almendros', 'San Carlos', 'Las Palmeras'))}, casa #{number % 120}, "
            f"{rng.choice(_SV_COLONIAS)}"
        )
    if country == "AR":
        if city == "San Salvador de Jujuy" and rng.random() < 0.5:
            return f"Barrio Alto Comedero, Mz. {rng.randrange(1, 600)} Lote {rng.randrange(1, 30)}"
        return f"{rng.choice(_STREETS['AR'])} {number}"
    if country == "PY":
        if rng.random() < 0.3:
            return (
                f"Compañía {rng.choice(('Ñu Guasu', 'Itá Angu’a', 'Potrero Guaraní', 'Cañada San Rafael'))}"
            )
        return (
            f"{rng.choice(_STREETS['PY'])} {number} c/ {rng.choice(('Brasil', 'Perú', 'Tacuary', 'Yegros'))}"
        )
    return f"Calle {rng.randrange(1, 50)} #{number}"
