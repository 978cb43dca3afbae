"""Real departments / states / provinces and a handful of their municipalities, with the town's
approximate centre (latitude, longitude) for demo GPS points.

Codes: Mexico INEGI (state 2 digits, municipality 5), Guatemala and Honduras the national
registry's department + municipality digits, Argentina INDEC (province 2, department 5),
El Salvador ISO 3166-2 department letters with the 2024 municipalities, Paraguay DGEEC
department digits.
"""

from amparo.registry.models import AdminArea
from amparo.registry.synthetic.contact import Place

Municipality = tuple[str, str, float, float]  # code, name, latitude, longitude
Department = tuple[str, str, tuple[Municipality, ...]]

# fmt: off
AREAS: dict[str, tuple[Department, ...]] = {
    "MX": (
        ("07", "Chiapas", (
            ("07089", "Tapachula", 14.9056, -92.2631),
            ("07101", "Tuxtla Gutiérrez", 16.7531, -93.1156),
            ("07078", "San Cristóbal de las Casas", 16.7370, -92.6376),
            ("07019", "Comitán de Domínguez", 16.2513, -92.1342),
            ("07102", "Tuxtla Chico", 14.9381, -92.1675),
        )),
        ("09", "Ciudad de México", (
            ("09007", "Iztapalapa", 19.3574, -99.0929),
            ("09015", "Cuauhtémoc", 19.4326, -99.1532),
            ("09005", "Gustavo A. Madero", 19.4820, -99.1130),
        )),
        ("14", "Jalisco", (
            ("14039", "Guadalajara", 20.6767, -103.3475),
            ("14120", "Zapopan", 20.7214, -103.3913),
        )),
        ("16", "Michoacán de Ocampo", (
            ("16053", "Morelia", 19.7060, -101.1950),
            ("16102", "Uruapan", 19.4118, -102.0565),
        )),
        ("11", "Guanajuato", (
            ("11020", "León", 21.1221, -101.6860),
            ("11007", "Celaya", 20.5235, -100.8157),
        )),
        ("20", "Oaxaca", (
            ("20067", "Oaxaca de Juárez", 17.0606, -96.7253),
            ("20043", "Heroica Ciudad de Juchitán de Zaragoza", 16.4336, -95.0194),
        )),
        ("12", "Guerrero", (
            ("12001", "Acapulco de Juárez", 16.8531, -99.8237),
            ("12029", "Chilpancingo de los Bravo", 17.5506, -99.5058),
        )),
        ("26", "Sonora", (
            ("26043", "Nogales", 31.3086, -110.9422),
            ("26030", "Hermosillo", 29.0729, -110.9559),
        )),
        ("28", "Tamaulipas", (
            ("28032", "Reynosa", 26.0922, -98.2779),
            ("28027", "Nuevo Laredo", 27.4761, -99.5156),
        )),
        ("32", "Zacatecas", (
            ("32056", "Zacatecas", 22.7709, -102.5833),
            ("32017", "Guadalupe", 22.7470, -102.5181),
        )),
    ),
    "GT": (
        ("01", "Guatemala", (
            ("0101", "Guatemala", 14.6349, -90.5069),
            ("0108", "Mixco", 14.6308, -90.6064),
            ("0115", "Villa Nueva", 14.5251, -90.5877),
        )),
        ("09", "Quetzaltenango", (
            ("0901", "Quetzaltenango", 14.8347, -91.5180),
            ("0902", "Salcajá", 14.8833, -91.4583),
            ("0903", "Olintepeque", 14.8869, -91.5133),
            ("0909", "San Juan Ostuncalco", 14.8711, -91.6219),
            ("0914", "Cantel", 14.8097, -91.4561),
            ("0920", "Coatepeque", 14.7033, -91.8628),
        )),
        ("13", "Huehuetenango", (
            ("1301", "Huehuetenango", 15.3197, -91.4714),
            ("1302", "Chiantla", 15.3542, -91.4567),
            ("1304", "Cuilco", 15.4072, -91.9461),
            ("1305", "Nentón", 15.8011, -91.7547),
            ("1307", "Jacaltenango", 15.6664, -91.7108),
        )),
        ("12", "San Marcos", (
            ("1201", "San Marcos", 14.9631, -91.7953),
            ("1215", "Malacatán", 14.9106, -92.0581),
        )),
        ("16", "Alta Verapaz", (
            ("1601", "Cobán", 15.4708, -90.3711),
        )),
    ),
    "HN": (
        ("08", "Francisco Morazán", (
            ("0801", "Distrito Central", 14.0723, -87.1921),
        )),
        ("05", "Cortés", (
            ("0501", "San Pedro Sula", 15.5064, -88.0250),
            ("0502", "Choloma", 15.6111, -87.9528),
            ("0506", "La Lima", 15.4333, -87.9167),
        )),
        ("01", "Atlántida", (
            ("0101", "La Ceiba", 15.7597, -86.7822),
        )),
        ("18", "Yoro", (
            ("1804", "El Progreso", 15.4000, -87.8000),
        )),
        ("06", "Choluteca", (
            ("0601", "Choluteca", 13.3007, -87.1908),
        )),
    ),
    "SV": (
        ("SS", "San Salvador", (
            ("SS-CE", "San Salvador Centro", 13.6929, -89.2182),
            ("SS-NO", "San Salvador Norte", 13.8072, -89.1792),
            ("SS-ES", "San Salvador Este", 13.7102, -89.1403),
        )),
        ("LI", "La Libertad", (
            ("LI-SU", "La Libertad Sur", 13.6769, -89.2797),
            ("LI-ES", "La Libertad Este", 13.7600, -89.2400),
        )),
        ("SA", "Santa Ana", (
            ("SA-CE", "Santa Ana Centro", 13.9942, -89.5597),
        )),
        ("SM", "San Miguel", (
            ("SM-CE", "San Miguel Centro", 13.4833, -88.1833),
        )),
        ("US", "Usulután", (
            ("US-ES", "Usulután Este", 13.3442, -88.4350),
        )),
    ),
    "AR": (
        ("38", "Jujuy", (
            ("38021", "Dr. Manuel Belgrano", -24.1858, -65.2995),
            ("38042", "Palpalá", -24.2565, -65.2116),
            ("38014", "El Carmen", -24.3883, -65.2617),
            ("38035", "Ledesma", -23.8085, -64.7932),
            ("38028", "Humahuaca", -23.2054, -65.3505),
            ("38112", "Yavi", -22.1052, -65.5973),
        )),
        ("02", "Ciudad Autónoma de Buenos Aires", (
            ("02001", "Comuna 1", -34.6075, -58.3722),
            ("02004", "Comuna 4", -34.6450, -58.3800),
            ("02008", "Comuna 8", -34.6750, -58.4600),
        )),
        ("06", "Buenos Aires", (
            ("06427", "La Matanza", -34.7700, -58.6250),
            ("06490", "Lomas de Zamora", -34.7600, -58.4060),
            ("06658", "Quilmes", -34.7200, -58.2540),
            ("06441", "La Plata", -34.9214, -57.9545),
        )),
        ("66", "Salta", (
            ("66028", "Capital", -24.7883, -65.4106),
            ("66126", "Orán", -23.1322, -64.3260),
        )),
    ),
    "PY": (
        ("00", "Asunción", (
            ("0001", "Asunción", -25.2820, -57.6350),
        )),
        ("11", "Central", (
            ("1101", "San Lorenzo", -25.3397, -57.5088),
            ("1102", "Luque", -25.2700, -57.4872),
            ("1103", "Capiatá", -25.3552, -57.4454),
            ("1104", "Lambaré", -25.3468, -57.6065),
            ("1105", "Fernando de la Mora", -25.3200, -57.5400),
            ("1106", "Ñemby", -25.3949, -57.5357),
            ("1107", "Limpio", -25.1661, -57.4856),
        )),
        ("10", "Alto Paraná", (
            ("1001", "Ciudad del Este", -25.5097, -54.6111),
            ("1002", "Hernandarias", -25.4056, -54.6419),
            ("1003", "Presidente Franco", -25.5621, -54.6111),
        )),
        ("07", "Itapúa", (
            ("0701", "Encarnación", -27.3306, -55.8667),
        )),
        ("12", "Ñeembucú", (
            ("1201", "Pilar", -26.8590, -58.3000),
        )),
        ("01", "Concepción", (
            ("0101", "Concepción", -23.4064, -57.4344),
        )),
    ),
}
# fmt: on

# Mexican consulates' people live in the United States (no AdminArea rows for it here).
US_CITIES = {
    "Houston": Place(country="US", city="Houston", latitude=29.7604, longitude=-95.3698, phone_area="713"),
    "Los Ángeles": Place(
        country="US", city="Los Ángeles", latitude=34.0522, longitude=-118.2437, phone_area="323"
    ),
    "Tucson": Place(country="US", city="Tucson", latitude=32.2226, longitude=-110.9747, phone_area="520"),
}

PHONE_AREAS = {"07": "962", "09": "55", "14": "33", "38": "388", "02": "11", "06": "11", "66": "387"}


def admin_areas_load() -> dict[str, dict[str, Place]]:
    """Store the areas above (skipping codes already stored); return places by country and municipality."""
    places: dict[str, dict[str, Place]] = {}
    for country, departments in AREAS.items():
        existing = {area.code: area for area in AdminArea.objects.filter(country=country)}
        for department_code, department_name, municipalities in departments:
            department = existing.get(department_code) or AdminArea.objects.create(
                country=country, level=1, code=department_code, name=department_name
            )
            new = [
                AdminArea(country=country, level=2, code=code, name=name, parent=department)
                for code, name, _lat, _lon in municipalities
                if code not in existing
            ]
            AdminArea.objects.bulk_create(new)
            stored = {
                area.code: area for area in AdminArea.objects.filter(country=country, parent=department)
            }
            phone_area = PHONE_AREAS.get(department_code, "") if country in ("MX", "AR") else ""
            for code, name, latitude, longitude in municipalities:
                places.setdefault(country, {})[code] = Place(
                    country=country,
                    city=name,
                    department_id=department.pk,
                    municipality_id=stored[code].pk,
                    municipality_code=code,
                    latitude=latitude,
                    longitude=longitude,
                    phone_area=phone_area,
                )
    return places
