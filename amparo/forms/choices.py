from django.db import models
from django.utils.translation import gettext_lazy as _


class FieldType(models.TextChoices):
    TEXT = "text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    INTEGER = "integer", _("Integer")
    DECIMAL = "decimal", _("Decimal number")
    DATE = "date", _("Date")
    DATETIME = "datetime", _("Date and time")
    YES_NO = "yes_no", _("Yes / no")
    SELECT_ONE = "select_one", _("Select one")
    SELECT_MULTIPLE = "select_multiple", _("Select multiple")
    PERSON = "person", _("Reference to a person")
    LOCATION = "location", _("Location")
    PHOTO = "photo", _("Photo")
    FILE = "file", _("File or document")
    REPEAT = "repeat", _("Repeat group")
    CALCULATED = "calculated", _("Calculated value")
    NOTE = "note", _("Read-only note")


# Types that hold no answer of their own.
VALUELESS_TYPES = frozenset({FieldType.NOTE})
SELECT_TYPES = frozenset({FieldType.SELECT_ONE, FieldType.SELECT_MULTIPLE})
NUMBER_TYPES = frozenset({FieldType.INTEGER, FieldType.DECIMAL})
TEXT_TYPES = frozenset({FieldType.TEXT, FieldType.LONG_TEXT})
FILE_TYPES = frozenset({FieldType.PHOTO, FieldType.FILE})


class LocationMode(models.TextChoices):
    AREA = "area", _("Administrative area")
    GPS = "gps", _("GPS point")
    BOTH = "both", _("Administrative area and GPS point")
