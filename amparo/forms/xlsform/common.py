"""What reading and writing XLSForm workbooks share: constants, problems, the parse result."""

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amparo.forms.choices import FieldType
from amparo.forms.errors import ApplicationError, FormErrorCode

LANGUAGE_NAMES = {
    "es": "Español",
    "en": "English",
    "pt": "Português",
    "fr": "Français",
    "qu": "Quechua",
    "gn": "Guaraní",
}
_KNOWN_LANGUAGES = {name.lower(): code for code, name in LANGUAGE_NAMES.items()} | {
    "spanish": "es",
    "espanol": "es",
    "castellano": "es",
    "english": "en",
    "ingles": "en",
    "inglés": "en",
    "portuguese": "pt",
    "portugues": "pt",
    "french": "fr",
    "frances": "fr",
    "francés": "fr",
    "chinese": "zh",
    "arabic": "ar",
    "german": "de",
    "italian": "it",
    "russian": "ru",
    "hindi": "hi",
    "swahili": "sw",
    "haitian creole": "ht",
    "kreyol": "ht",
    "aymara": "ay",
    "guarani": "gn",
}
TRANSLATABLE = (
    "label",
    "hint",
    "constraint_message",
    "required_message",
    "guidance_hint",
    "media",
    "image",
    "audio",
    "video",
)
METADATA_TYPES = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "subscriberid",
        "simserial",
        "phonenumber",
        "username",
        "email",
        "audit",
        "start-geopoint",
        "background-audio",
        "imei",
    }
)
SIMPLE_TYPES = {
    "text": FieldType.TEXT,
    "string": FieldType.TEXT,
    "phone number": FieldType.TEXT,
    "integer": FieldType.INTEGER,
    "int": FieldType.INTEGER,
    "decimal": FieldType.DECIMAL,
    "date": FieldType.DATE,
    "datetime": FieldType.DATETIME,
    "date time": FieldType.DATETIME,
    "geopoint": FieldType.LOCATION,
    "location": FieldType.LOCATION,
    "gps": FieldType.LOCATION,
    "image": FieldType.PHOTO,
    "photo": FieldType.PHOTO,
    "file": FieldType.FILE,
    "calculate": FieldType.CALCULATED,
    "note": FieldType.NOTE,
    "acknowledge": FieldType.YES_NO,
}
# XLSForm types Amparo keeps in a near type, with a warning.
NEAR_TYPES = {
    "time": (FieldType.TEXT, gettext_lazy("kept as text (hh:mm)")),
    "barcode": (FieldType.TEXT, gettext_lazy("kept as text")),
    "range": (FieldType.DECIMAL, gettext_lazy("kept as a number")),
}
_SELECT = re.compile(
    r"^select[ _](?P<kind>one|multiple|all[ _]that[ _]apply)(?:[ _]from)?\s+(?P<list>\S+)(?P<rest>.*)$",
    re.IGNORECASE,
)
YES_NO_LIST = "amparo_yes_no"
TRUE_WORDS = {"yes", "true", "true()", "1", "y"}
FALSE_WORDS = {"no", "false", "false()", "0", "n", ""}


@dataclass(frozen=True)
class CellProblem:
    sheet: str
    row: int  # 1-based spreadsheet row; 0 when the problem is the whole workbook/sheet
    column: str  # spreadsheet column letter(s) and header, e.g. "D (relevant)"; "" when none
    message: str

    def __str__(self) -> str:
        where = self.sheet or "workbook"
        if self.row:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


class XLSFormError(ApplicationError):
    def __init__(self, problems: list[CellProblem]):
        super().__init__(
            _("The workbook has %(count)s problem(s); nothing was imported.") % {"count": len(problems)},
            code=FormErrorCode.XLSFORM_INVALID,
            extra={"problems": [problem.__dict__ for problem in problems]},
        )
        self.problems = problems


@dataclass
class ParsedWorkbook:
    form_id: str
    definition: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
